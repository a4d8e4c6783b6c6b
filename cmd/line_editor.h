// Turns console bytes into command lines: echo, backspace, Ctrl-U (erase the
// line), Ctrl-C (abandon it, as U-Boot prints "<INTERRUPT>"), CR, LF or CRLF
// ending a line. Escape sequences (cursor keys) are swallowed whole for now so
// they never reach a command as garbage.
#pragma once

#include <cstddef>
#include <string_view>

#include "lib/console.h"

namespace xb::cmd {

struct Context;

class LineEditor {
  public:
    static constexpr std::size_t kMaxLine = 512;

    enum class Event { none, line, interrupted };

    explicit LineEditor(Console& con) : con_(con) {}

    // Feeds one input byte. After Event::line, line() holds the text.
    Event feed(char c);
    std::string_view line() const { return std::string_view(buf_, len_); }
    void reset() { len_ = 0; }
    void set_context(Context* ctx) { ctx_ = ctx; }
    void set_prompt(const char* prompt) { prompt_ = prompt; }

  private:
    enum class Escape { none, esc, csi };
    Console& con_;
    Context* ctx_ = nullptr;
    const char* prompt_ = "";
    char buf_[kMaxLine];
    std::size_t len_ = 0;
    bool last_was_cr_ = false;
    bool ready_ = false;
    Escape escape_ = Escape::none;
};

}  // namespace xb::cmd
