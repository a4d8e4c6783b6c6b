#include "bootflow/boot_menu.h"

#include <cstring>

#include "lib/deadline.h"
#include "shell/line_editor.h"

namespace xb::cmd {
namespace {

constexpr char kCtrlC = 0x03;
constexpr char kEsc = 0x1b;
constexpr char kBackspace = 0x08;
constexpr char kDelete = 0x7f;
// How long the rest of an escape sequence may take to arrive: a lone Esc is a key.
constexpr std::uint64_t kEscapeMs = 100;

// The next key, waiting until `until` (-1: none came).
int next_key(Context& ctx, Deadline until) {
    for (;;) {
        const int c = ctx.read_char();
        if (c >= 0) return c;
        if (until.expired()) return -1;
        (void)ctx.con.wait_input(until);
    }
}

enum class Key : std::uint8_t { none, up, down, enter, edit, leave, erase, other };

struct KeyPress {
    Key key = Key::none;
    char ch = 0;  // for Key::other
};

KeyPress read_key(Context& ctx, Deadline until) {
    const int c = next_key(ctx, until);
    if (c < 0) return {};
    if (c == '\r' || c == '\n') return {Key::enter, 0};
    if (c == kCtrlC) return {Key::leave, 0};
    if (c == kBackspace || c == kDelete) return {Key::erase, 0};
    if (c == 'e') return {Key::edit, 0};
    if (c != kEsc) return {Key::other, static_cast<char>(c)};
    const int c2 = next_key(ctx, Deadline::after_ms(kEscapeMs));
    if (c2 != '[' && c2 != 'O') return {Key::leave, 0};  // a lone Esc leaves, as in GRUB
    const int c3 = next_key(ctx, Deadline::after_ms(kEscapeMs));
    if (c3 == 'A') return {Key::up, 0};
    if (c3 == 'B') return {Key::down, 0};
    return {Key::none, 0};
}

struct Menu {
    Context& ctx;
    const MenuItem* items;
    unsigned count;
    unsigned selected;
    char typed[16] = "";
    std::size_t typed_len = 0;
    std::size_t drawn = 0;  // characters of the entry line on screen

    void draw() {
        char line[160];
        const std::size_t n =
            format_to(line, sizeof line, "Entry %s (%s): %s", items[selected].number, items[selected].title, typed);
        ctx.con.write("\r");
        ctx.con.write(std::string_view(line, n));
        for (std::size_t i = n; i < drawn; ++i) ctx.con.write(" ");
        for (std::size_t i = n; i < drawn; ++i) ctx.con.write("\b");
        drawn = n;
    }

    void move(int step) {
        unsigned i = selected;
        for (unsigned k = 0; k < count; ++k) {
            i = static_cast<unsigned>((static_cast<int>(i) + step + static_cast<int>(count)) % static_cast<int>(count));
            if (items[i].bootable) {
                selected = i;
                return;
            }
        }
    }

    // The item `typed` names (a number as listed), or -1.
    int find_typed() const {
        for (unsigned i = 0; i < count; ++i) {
            if (items[i].bootable && strcmp(items[i].number, typed) == 0) return static_cast<int>(i);
        }
        return -1;
    }

    // Handles one key of the interactive menu; true when a choice is made.
    Result<bool> handle(const KeyPress& k, MenuChoice& choice) {
        switch (k.key) {
            case Key::none: return false;
            case Key::leave: return Error::make(Errc::interrupted, "menu left");
            case Key::up: move(-1); break;
            case Key::down: move(1); break;
            case Key::erase:
                if (typed_len > 0) typed[--typed_len] = '\0';
                break;
            case Key::other:
                if (((k.ch >= '0' && k.ch <= '9') || k.ch == '>') && typed_len + 1 < sizeof typed) {
                    typed[typed_len++] = k.ch;
                    typed[typed_len] = '\0';
                }
                break;
            case Key::enter:
            case Key::edit: {
                if (typed_len != 0) {
                    const int i = find_typed();
                    if (i < 0) {
                        ctx.con.printf("\nno bootable entry '%s'\n", typed);
                        typed_len = 0;
                        typed[0] = '\0';
                        drawn = 0;
                        break;
                    }
                    selected = static_cast<unsigned>(i);
                }
                choice.item = selected;
                choice.edit = k.key == Key::edit;
                choice.by_user = true;
                ctx.con.write("\n");
                return true;
            }
        }
        if (k.key == Key::up || k.key == Key::down) {
            typed_len = 0;
            typed[0] = '\0';
        }
        draw();
        return false;
    }
};

void list(Context& ctx, const char* heading, const MenuItem* items, unsigned count, unsigned default_item) {
    ctx.con.printf("%s\n", heading);
    for (unsigned i = 0; i < count; ++i) {
        ctx.con.printf("  %*s%-6s %s%s%s\n", static_cast<int>(items[i].depth * 2), "", items[i].number, items[i].title,
                       items[i].bootable ? "" : "  >", i == default_item ? "  (default)" : "");
    }
}

}  // namespace

Result<MenuChoice> run_boot_menu(Context& ctx, const char* heading, const MenuItem* items, unsigned count,
                                 unsigned default_item, std::int64_t timeout_ms) {
    if (count == 0 || default_item >= count || !items[default_item].bootable) {
        return Error::make(Errc::invalid_argument, "no bootable default entry");
    }
    list(ctx, heading, items, count, default_item);
    MenuChoice choice;
    choice.item = default_item;
    Menu menu{ctx, items, count, default_item};
    KeyPress first;
    if (timeout_ms > 0) {
        // The countdown, in whole seconds as GRUB shows it.
        std::uint64_t left = static_cast<std::uint64_t>(timeout_ms + 999) / 1000;
        ctx.con.printf("Booting entry %s in %2lu s; press a key for the menu ", items[default_item].number, left);
        while (left > 0 && first.key == Key::none) {
            first = read_key(ctx, Deadline::after_ms(1000));
            if (first.key == Key::none) ctx.con.printf("\b\b\b\b\b%2lu s ", --left);
        }
        ctx.con.write("\n");
        if (first.key == Key::none) return choice;
    } else if (timeout_ms == 0) {
        first = read_key(ctx, Deadline::after_ms(0));  // a key typed ahead still opens the menu
        if (first.key == Key::none) return choice;
    }
    ctx.con.printf("Choose: a number or the arrow keys, Enter to boot, 'e' to edit, Esc for the prompt\n");
    // The key that stopped the countdown counts (a digit starts a number, Enter boots).
    if (first.key != Key::none) {
        if (TRY(menu.handle(first, choice))) return choice;
    } else {
        menu.draw();
    }
    for (;;) {
        const KeyPress k = read_key(ctx, Deadline::after_ms(60 * 60 * 1000));
        if (TRY(menu.handle(k, choice))) return choice;
    }
}

Status edit_command_line(Context& ctx, char* args, std::size_t size) {
    LineEditor editor(ctx.con);
    constexpr const char* kPrompt = "linux args: ";
    editor.set_prompt(kPrompt);
    ctx.con.write(kPrompt);
    if (!editor.preload(args)) {
        ctx.con.write("\n");
        return Error::make(Errc::no_space, "command line too long to edit (more than %zu bytes)",
                           LineEditor::kMaxLine - 1);
    }
    for (;;) {
        const int c = next_key(ctx, Deadline::after_ms(60 * 60 * 1000));
        if (c < 0) continue;
        const LineEditor::Event e = editor.feed(static_cast<char>(c));
        if (e == LineEditor::Event::interrupted) return Error::make(Errc::interrupted, "edit abandoned");
        if (e == LineEditor::Event::line) {
            const std::string_view line = editor.line();
            if (line.size() >= size) return Error::make(Errc::no_space, "command line too long");
            memcpy(args, line.data(), line.size());
            args[line.size()] = '\0';
            return ok();
        }
    }
}

}  // namespace xb::cmd
