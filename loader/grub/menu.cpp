// The menu after the config ran: GRUB's default entry and timeout
// (grub-core/normal/menu.c) and booting an entry (grub_menu_execute_entry).
#include <cstring>
#include <new>

#include "lib/format.h"
#include "loader/grub/interpreter.h"

namespace xb::loader::grub {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// The first component of a default path: up to a single '>', with '>>' a
// literal '>' (menu.c menuentry_eq). rest is what follows the '>'.
std::size_t first_component(std::string_view spec, char* out, std::size_t size, std::string_view& rest) {
    std::size_t n = 0;
    std::size_t i = 0;
    rest = {};
    while (i < spec.size()) {
        if (spec[i] == '>') {
            if (i + 1 < spec.size() && spec[i + 1] == '>') {
                if (n + 1 < size) out[n++] = '>';
                i += 2;
                continue;
            }
            rest = spec.substr(i + 1);
            break;
        }
        if (n + 1 < size) out[n++] = spec[i];
        ++i;
    }
    out[n] = '\0';
    return n;
}

}  // namespace

Result<EntryRef> Interpreter::pick(int parent, std::string_view spec) const {
    // Each level of submenus costs one iteration: bounded by the entry count.
    for (unsigned guard = 0; guard <= count_; ++guard) {
        char comp[256];
        std::string_view rest;
        const std::size_t len = first_component(spec, comp, sizeof comp, rest);
        const std::string_view c(comp, len);
        int first = -1, chosen = -1;
        unsigned nth = 0;
        const bool number = all_digits(c);
        unsigned long want = 0;
        if (number)
            for (char ch : c) want = want > 100000 ? want : want * 10 + static_cast<unsigned long>(ch - '0');
        for (unsigned i = 0; i < count_; ++i) {
            if (entries_[i].parent != parent) continue;
            if (first < 0) first = static_cast<int>(i);
            if (number) {
                if (nth == want) {
                    chosen = static_cast<int>(i);
                    break;
                }
            } else if (c == entries_[i].title || c == entries_[i].id) {
                chosen = static_cast<int>(i);
                break;
            }
            ++nth;
        }
        if (first < 0) {
            if (parent < 0) return Error::make(Errc::not_found, "no menu entries");
            return Error::make(Errc::not_found, "submenu '%s' has no entries", entries_[parent].title);
        }
        // GRUB: a default that names no entry of this menu means the first one.
        if (chosen < 0) chosen = first;
        if (!entries_[chosen].submenu) return EntryRef{static_cast<unsigned>(chosen)};
        parent = chosen;
        spec = rest;
    }
    return Error::make(Errc::bad_data, "menu loop");
}

Result<EntryRef> Interpreter::default_entry() const {
    const std::optional<std::string_view> d = env_.get("default");
    return pick(-1, d ? *d : std::string_view("0"));
}

// grub_menu_get_timeout: $timeout in seconds (strtoul); absent or invalid:
// -1, which shows the menu and waits for ever.
std::int64_t Interpreter::timeout_ms() const {
    const std::optional<std::string_view> t = env_.get("timeout");
    if (!t || t->empty() || (*t)[0] == '-') return -1;
    std::int64_t s = 0;
    for (char c : *t) {
        if (c < '0' || c > '9') {
            if (c == ' ' || c == '\t') break;
            return -1;
        }
        s = s * 10 + (c - '0');
        if (s > 1000000) s = 1000000;  // ~11 days: as good as for ever
    }
    return s * 1000;
}

TimeoutStyle Interpreter::timeout_style() const {
    // run_menu: without a timeout the countdown and hidden styles are dropped.
    if (timeout_ms() < 0) return TimeoutStyle::menu;
    const std::optional<std::string_view> s = env_.get("timeout_style");
    if (s && *s == "countdown") return TimeoutStyle::countdown;
    if (s && *s == "hidden") return TimeoutStyle::hidden;
    return TimeoutStyle::menu;
}

namespace {

// $chosen of grub_menu_execute_entry: the parent's $chosen, '>', the id with '>' doubled.
bool append_chosen(char* buf, std::size_t size, std::size_t& len, std::string_view id) {
    if (len != 0) {
        if (len + 1 >= size) return false;
        buf[len++] = '>';
    }
    for (char c : id) {
        const std::size_t need = c == '>' ? 2 : 1;
        if (len + need >= size) return false;
        if (c == '>') buf[len++] = '>';
        buf[len++] = c;
    }
    buf[len] = '\0';
    return true;
}

}  // namespace

Result<BootSpec> Interpreter::evaluate_entry(EntryRef ref) {
    auto* spec = new (std::nothrow) BootSpec;
    if (spec == nullptr) return Error::make(Errc::no_memory, "no memory to evaluate a menu entry");
    const Status r = evaluate_entry(ref, *spec);
    Result<BootSpec> out = r.ok() ? Result<BootSpec>(*spec) : Result<BootSpec>(r.error());
    delete spec;
    return out;
}

Status Interpreter::evaluate_entry(EntryRef ref, BootSpec& out) {
    if (ref.index >= count_) return Error::make(Errc::invalid_argument, "no menu entry %u", ref.index);
    // The chain of submenus from the top down to the entry.
    unsigned chain[kMaxEntries];
    unsigned depth = 0;
    for (int i = static_cast<int>(ref.index); i >= 0 && depth < kMaxEntries; i = entries_[i].parent)
        chain[depth++] = static_cast<unsigned>(i);
    Env* saved = new (std::nothrow) Env(env_);
    if (saved == nullptr) return Error::make(Errc::no_memory, "no memory to evaluate a menu entry");
    BootSpec* spec = &out;
    std::memset(spec, 0, sizeof *spec);
    spec_ = spec;
    recording_ = false;
    finished_ = false;
    returning_ = false;
    fatal_ = false;
    have_linux_ = false;
    have_boot_error_ = false;
    steps_ = 0;
    call_depth_ = 0;
    frame_ = nullptr;
    Status r = ok();
    char chosen[512];
    std::size_t chosen_len = 0;
    chosen[0] = '\0';
    for (unsigned k = depth; k-- > 0 && r.ok();) {
        const MenuEntry& e = entries_[chain[k]];
        if (!append_chosen(chosen, sizeof chosen, chosen_len, e.id)) {
            r = Error::make(Errc::no_space, "menu entry ids nested too deep");
            break;
        }
        r = env_.set("chosen", chosen);
        if (r.ok()) r = env_.mark_exported("chosen");
        // $default loses its first component (execute_entry).
        const std::optional<std::string_view> def = env_.get("default");
        if (r.ok() && def) {
            std::string_view d = *def;
            for (std::size_t i = 0; i < d.size(); ++i) {
                if (d[i] == '>' && i + 1 < d.size() && d[i + 1] == '>') {
                    ++i;
                    continue;
                }
                if (d[i] == '>') {
                    if (i + 1 < d.size()) {
                        const std::string_view tail = d.substr(i + 1);
                        std::memcpy(scratch_, tail.data(), tail.size());
                        r = env_.set("default", std::string_view(scratch_, tail.size()));
                    }
                    break;
                }
            }
        }
        if (!r.ok()) break;
        if (e.submenu) env_.keep_exported_only();  // a submenu opens a new context
        r = run_text({bodies_ + e.body_offset, e.body_size}, e.file, e.line, 0);
    }
    const MenuEntry& target = entries_[ref.index];
    if (r.ok() && target.submenu) r = Error::make(Errc::invalid_argument, "'%s' is a submenu", target.title);
    if (r.ok() && have_boot_error_) r = boot_error_;
    if (r.ok() && !have_linux_) r = Error::make(Errc::not_found, "entry '%s' has no linux command", target.title);
    if (r.ok() && spec->has_devicetree) host_.print("devicetree ignored: the device tree comes from Xen");
    spec_ = nullptr;
    recording_ = true;
    env_ = *saved;
    delete saved;
    return r;
}

}  // namespace xb::loader::grub
