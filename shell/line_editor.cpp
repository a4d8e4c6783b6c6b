#include "shell/line_editor.h"

#include <cstring>
#include <new>

#include "shell/completion.h"

namespace xb::cmd {

struct LineEditor::History {
    char lines[kHistory][kMaxLine];
    std::uint16_t lens[kHistory];
    unsigned count;        // entries held
    unsigned newest;       // index of the newest entry
    char saved[kMaxLine];  // the line being edited when browsing began
    std::uint16_t saved_len;
};

LineEditor::~LineEditor() { delete history_; }

unsigned LineEditor::history_count() const { return history_ != nullptr ? history_->count : 0; }

std::string_view LineEditor::history(unsigned i) const {
    if (history_ == nullptr || i >= history_->count) return {};
    const unsigned slot = (history_->newest + kHistory - i) % kHistory;
    return std::string_view(history_->lines[slot], history_->lens[slot]);
}

void LineEditor::backs(std::size_t n) {
    static constexpr char kBs[] = "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b";
    while (n > 0) {
        const std::size_t k = n < 16 ? n : 16;
        write(std::string_view(kBs, k));
        n -= k;
    }
}

void LineEditor::blanks(std::size_t n) {
    static constexpr char kSp[] = "                ";
    while (n > 0) {
        const std::size_t k = n < 16 ? n : 16;
        write(std::string_view(kSp, k));
        n -= k;
    }
}

void LineEditor::insert(std::string_view text) {
    if (text.size() > kMaxLine - 1 - len_) text = text.substr(0, kMaxLine - 1 - len_);  // full: U-Boot's CBSIZE limit
    if (text.empty()) return;
    memmove(buf_ + cursor_ + text.size(), buf_ + cursor_, len_ - cursor_);
    memcpy(buf_ + cursor_, text.data(), text.size());
    len_ += text.size();
    // Draw the inserted text and the rest of the line, then back to the cursor.
    write(std::string_view(buf_ + cursor_, len_ - cursor_));
    cursor_ += text.size();
    backs(len_ - cursor_);
}

void LineEditor::erase_before() {
    if (cursor_ == 0) return;
    --cursor_;
    write("\b");
    erase_at();
}

void LineEditor::erase_at() {
    if (cursor_ == len_) return;
    memmove(buf_ + cursor_, buf_ + cursor_ + 1, len_ - cursor_ - 1);
    --len_;
    write(std::string_view(buf_ + cursor_, len_ - cursor_));
    write(" ");
    backs(len_ - cursor_ + 1);
}

void LineEditor::move_to(std::size_t pos) {
    if (pos < cursor_) backs(cursor_ - pos);
    else if (pos > cursor_) write(std::string_view(buf_ + cursor_, pos - cursor_));
    cursor_ = pos;
}

void LineEditor::kill_to_end() {
    blanks(len_ - cursor_);
    backs(len_ - cursor_);
    len_ = cursor_;
}

void LineEditor::replace_line(std::string_view text) {
    if (text.size() > kMaxLine - 1) text = text.substr(0, kMaxLine - 1);
    backs(cursor_);
    const std::size_t old = len_;
    memcpy(buf_, text.data(), text.size());
    len_ = cursor_ = text.size();
    write(std::string_view(buf_, len_));
    if (old > len_) {
        blanks(old - len_);
        backs(old - len_);
    }
}

void LineEditor::add_history() {
    std::string_view l = line();
    bool blank = true;
    for (char c : l) {
        if (c != ' ' && c != '\t') blank = false;
    }
    if (blank) return;
    if (history_count() > 0 && history(0) == l) return;  // no duplicate of the newest
    if (history_ == nullptr) {
        history_ = new (std::nothrow) History();
        if (history_ == nullptr) return;  // no heap: no history, editing still works
    }
    History& h = *history_;
    h.newest = h.count == 0 ? 0 : (h.newest + 1) % kHistory;
    memcpy(h.lines[h.newest], l.data(), l.size());
    h.lens[h.newest] = static_cast<std::uint16_t>(l.size());
    if (h.count < kHistory) ++h.count;
}

void LineEditor::key(Key k) {
    switch (k) {
        case Key::left:
            if (cursor_ > 0) move_to(cursor_ - 1);
            break;
        case Key::right:
            if (cursor_ < len_) move_to(cursor_ + 1);
            break;
        case Key::home: move_to(0); break;
        case Key::end: move_to(len_); break;
        case Key::del: erase_at(); break;
        case Key::up:
            if (browsing_ >= history_count()) break;
            if (browsing_ == 0) {  // keep what was being typed, for Down
                memcpy(history_->saved, buf_, len_);
                history_->saved_len = static_cast<std::uint16_t>(len_);
            }
            ++browsing_;
            replace_line(history(browsing_ - 1));
            break;
        case Key::down:
            if (browsing_ == 0) break;
            --browsing_;
            replace_line(browsing_ == 0 ? std::string_view(history_->saved, history_->saved_len)
                                        : history(browsing_ - 1));
            break;
    }
}

namespace {

// Counts the candidates and their longest common prefix.
class Summary final : public CandidateSink {
  public:
    void add(std::string_view c) override {
        if (count == 0) {
            common = c;
        } else {
            std::size_t n = 0;
            while (n < common.size() && n < c.size() && common[n] == c[n]) ++n;
            common = common.substr(0, n);
        }
        if (c.size() > widest) widest = c.size();
        ++count;
    }
    std::string_view common;
    std::size_t widest = 0;
    unsigned count = 0;
};

// Prints the candidates in columns, 80 characters wide, as U-Boot and bash list them.
class Lister final : public CandidateSink {
  public:
    Lister(Console& con, std::size_t width) : con_(con), width_(width + 2), per_line_(width_ >= 80 ? 1 : 80 / width_) {}
    void add(std::string_view c) override {
        if (col_ == per_line_) {
            con_.write("\n");
            col_ = 0;
        }
        con_.write(c);
        if (col_ + 1 < per_line_) {
            for (std::size_t i = c.size(); i < width_; ++i) con_.write(" ");
        }
        ++col_;
    }
    void finish() { con_.write("\n"); }

  private:
    Console& con_;
    std::size_t width_;
    std::size_t per_line_;
    std::size_t col_ = 0;
};

}  // namespace

void LineEditor::complete(bool second_tab) {
    const CompletionSite site = completion_site(std::string_view(buf_, cursor_));
    if (site.kind == CompletionKind::none) return;
    Summary sum;
    for_each_candidate(ctx_, site, sum);
    if (sum.count == 0) return;
    // The views in sum point into the command table or the environment, which
    // the edit below does not change.
    const std::string_view rest = sum.common.substr(site.prefix.size());
    if (sum.count == 1) {
        insert(rest);
        if (site.suffix != 0 && (cursor_ == len_ || buf_[cursor_] != site.suffix))
            insert(std::string_view(&site.suffix, 1));
        return;
    }
    if (!rest.empty()) {
        insert(rest);
        return;
    }
    if (!second_tab) return;
    // Second Tab: list, then redraw the prompt and the line.
    write("\n");
    Lister list(con_, sum.widest);
    for_each_candidate(ctx_, site, list);
    list.finish();
    write(prompt_);
    write(std::string_view(buf_, len_));
    backs(len_ - cursor_);
}

bool LineEditor::preload(std::string_view text) {
    if (text.size() > kMaxLine - 1) return false;
    reset();
    browsing_ = 0;
    insert(text);
    return true;
}

LineEditor::Event LineEditor::feed(char c) {
    if (ready_) {  // the previous line was handed out: start a new one
        len_ = cursor_ = 0;
        ready_ = false;
        browsing_ = 0;
    }
    const bool was_cr = last_was_cr_;
    last_was_cr_ = c == '\r';
    const bool was_tab = last_was_tab_;
    last_was_tab_ = false;

    if (escape_ == Escape::esc) {
        escape_ = c == '[' ? Escape::csi : c == 'O' ? Escape::ss3 : Escape::none;
        escape_param_ = 0;
        return Event::none;
    }
    if (escape_ == Escape::csi || escape_ == Escape::ss3) {
        if (escape_ == Escape::csi && c >= '0' && c <= '9') {
            if (escape_param_ < 1000) escape_param_ = escape_param_ * 10 + static_cast<unsigned>(c - '0');
            return Event::none;
        }
        if (escape_ == Escape::csi && !(c >= 0x40 && c <= 0x7e)) return Event::none;  // ';' and other parameter bytes
        escape_ = Escape::none;
        switch (c) {  // the final byte
            case 'A': key(Key::up); break;
            case 'B': key(Key::down); break;
            case 'C': key(Key::right); break;
            case 'D': key(Key::left); break;
            case 'H': key(Key::home); break;
            case 'F': key(Key::end); break;
            case '~':
                if (escape_param_ == 1 || escape_param_ == 7) key(Key::home);
                else if (escape_param_ == 4 || escape_param_ == 8) key(Key::end);
                else if (escape_param_ == 3) key(Key::del);
                break;
            default: break;
        }
        return Event::none;
    }

    switch (c) {
        case '\r':
        case '\n':
            if (c == '\n' && was_cr) return Event::none;  // CRLF: the CR ended the line already
            write("\n");
            ready_ = true;
            add_history();
            return Event::line;
        case 0x03:  // Ctrl-C
            write("<INTERRUPT>\n");
            len_ = cursor_ = 0;
            browsing_ = 0;
            return Event::interrupted;
        case 0x08:
        case 0x7f: erase_before(); return Event::none;   // backspace / delete
        case 0x04: erase_at(); return Event::none;       // Ctrl-D
        case 0x01: key(Key::home); return Event::none;   // Ctrl-A
        case 0x05: key(Key::end); return Event::none;    // Ctrl-E
        case 0x02: key(Key::left); return Event::none;   // Ctrl-B
        case 0x06: key(Key::right); return Event::none;  // Ctrl-F
        case 0x10: key(Key::up); return Event::none;     // Ctrl-P
        case 0x0e: key(Key::down); return Event::none;   // Ctrl-N
        case 0x0b: kill_to_end(); return Event::none;    // Ctrl-K
        case 0x15:                                       // Ctrl-U
            move_to(0);
            kill_to_end();
            return Event::none;
        case '\t':
            complete(was_tab);
            last_was_tab_ = true;
            return Event::none;
        case 0x1b: escape_ = Escape::esc; return Event::none;
        default: break;
    }
    if (static_cast<unsigned char>(c) < 0x20) return Event::none;
    insert(std::string_view(&c, 1));
    return Event::none;
}

}  // namespace xb::cmd
