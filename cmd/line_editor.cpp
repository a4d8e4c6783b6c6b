#include "cmd/line_editor.h"

namespace xb::cmd {

LineEditor::Event LineEditor::feed(char c) {
    if (ready_) {  // the previous line was handed out: start a new one
        len_ = 0;
        ready_ = false;
    }
    bool was_cr = last_was_cr_;
    last_was_cr_ = c == '\r';

    if (escape_ == Escape::esc) {
        escape_ = c == '[' ? Escape::csi : Escape::none;
        return Event::none;
    }
    if (escape_ == Escape::csi) {
        if (c >= 0x40 && c <= 0x7e) escape_ = Escape::none;  // final byte of the sequence
        return Event::none;
    }

    switch (c) {
        case '\r':
        case '\n':
            if (c == '\n' && was_cr) return Event::none;  // CRLF: the CR ended the line already
            con_.write("\n");
            ready_ = true;
            return Event::line;
        case 0x03:  // Ctrl-C
            con_.write("<INTERRUPT>\n");
            len_ = 0;
            return Event::interrupted;
        case 0x08:
        case 0x7f:  // backspace / delete
            if (len_ > 0) {
                --len_;
                con_.write("\b \b");
            }
            return Event::none;
        case 0x15:  // Ctrl-U
            while (len_ > 0) {
                --len_;
                con_.write("\b \b");
            }
            return Event::none;
        case 0x1b:
            escape_ = Escape::esc;
            return Event::none;
        default:
            break;
    }
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f) return Event::none;
    if (len_ == kMaxLine - 1) return Event::none;  // full: ignore, like U-Boot's CONFIG_SYS_CBSIZE limit
    buf_[len_++] = c;
    con_.write(std::string_view(&c, 1));
    return Event::none;
}

}  // namespace xb::cmd
