// Turns console bytes into command lines, with the editing U-Boot's and
// bash's users expect, drawn with plain VT100 output (BS to move left,
// re-written characters to move right, blanks to erase; no other sequences):
//   printable      insert at the cursor
//   BS / DEL       delete before the cursor;  ESC[3~ / Ctrl-D  at the cursor
//   Left / Right   ESC[D ESC[C (ESC OD/OC, Ctrl-B / Ctrl-F) move
//   Home / End     ESC[H ESC[F ESC[1~ ESC[4~ ESC[7~ ESC[8~ ESC OH ESC OF, Ctrl-A / Ctrl-E
//   Up / Down      ESC[A ESC[B (ESC OA/OB, Ctrl-P / Ctrl-N): history, kHistory
//                  lines, an entry equal to the newest is not added again
//   Tab            completes a command, variable name or env subcommand
//                  (shell/completion.h); a second Tab lists the candidates
//   Ctrl-U / Ctrl-K  erase the line / to its end
//   Ctrl-C         abandon the line ("<INTERRUPT>", as U-Boot)
//   CR, LF, CR LF  end the line
// Other escape sequences are swallowed whole, so they never reach a command.
// Lines longer than the terminal is wide are edited correctly but may be
// redrawn imperfectly on terminals that do not move back across line wraps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/console.h"

namespace xb::cmd {

struct Context;

class LineEditor {
  public:
    static constexpr std::size_t kMaxLine = 512;
    static constexpr unsigned kHistory = 32;

    enum class Event { none, line, interrupted };

    explicit LineEditor(Console& con) : con_(con) {}
    ~LineEditor();
    LineEditor(const LineEditor&) = delete;
    LineEditor& operator=(const LineEditor&) = delete;

    // Feeds one input byte. After Event::line, line() holds the text.
    Event feed(char c);
    std::string_view line() const { return std::string_view(buf_, len_); }
    std::size_t cursor() const { return cursor_; }
    void reset() { len_ = cursor_ = 0; }
    // Starts a line with `text` already in it (shown, cursor at the end), for
    // editing a value such as a boot entry's command line. False (nothing
    // changed) when it does not fit (kMaxLine - 1 bytes).
    bool preload(std::string_view text);
    // Where completion finds variables (nullptr: commands only).
    void set_context(Context* ctx) { ctx_ = ctx; }
    // What is redrawn before the line after listing completions.
    void set_prompt(const char* prompt) { prompt_ = prompt; }

    // History, newest first (0 = the last line entered).
    unsigned history_count() const;
    std::string_view history(unsigned i) const;

  private:
    enum class Escape : std::uint8_t { none, esc, csi, ss3 };
    enum class Key : std::uint8_t { up, down, left, right, home, end, del };
    struct History;

    void key(Key k);
    void insert(std::string_view text);
    void erase_before();
    void erase_at();
    void move_to(std::size_t pos);
    void kill_to_end();
    void replace_line(std::string_view text);
    void complete(bool second_tab);
    void add_history();
    void write(std::string_view s) { con_.write(s); }
    void backs(std::size_t n);
    void blanks(std::size_t n);

    Console& con_;
    Context* ctx_ = nullptr;
    const char* prompt_ = "";
    char buf_[kMaxLine];
    std::size_t len_ = 0;
    std::size_t cursor_ = 0;
    bool last_was_cr_ = false;
    bool last_was_tab_ = false;
    bool ready_ = false;
    Escape escape_ = Escape::none;
    unsigned escape_param_ = 0;
    History* history_ = nullptr;  // heap, allocated with the first entry
    unsigned browsing_ = 0;       // 0: editing a new line; n: showing history(n-1)
};

}  // namespace xb::cmd
