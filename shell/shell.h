// The interactive shell on the console: prompt "=> ", line editing (history,
// completion: shell/line_editor.h), and the hush interpreter (shell/interpreter.h).
// A line that leaves an if/for/while open (or ends in && / ||) continues on
// the next line after the prompt "> ", as in U-Boot's hush.
#pragma once

#include <string_view>

#include "shell/command.h"
#include "shell/interpreter.h"
#include "shell/line_editor.h"

namespace xb::cmd {

class Shell {
  public:
    static constexpr const char* kPrompt = "=> ";
    static constexpr const char* kContinuationPrompt = "> ";
    static constexpr std::size_t kMaxPending = 4096;  // bytes of an unfinished multi-line command

    explicit Shell(Context& ctx);
    ~Shell();
    Shell(const Shell&) = delete;
    Shell& operator=(const Shell&) = delete;

    // Runs one command line with the hush parser: syntax errors are reported
    // with their position and nothing of the line runs. Returns the status of
    // the last command (0 success).
    int run_line(std::string_view line) { return interp_.run_script(line); }
    // Runs multi-line text as a script (for bootcmd and the boot flow); the
    // same parser and rules as run_line. Returns the exit status.
    int run_script(std::string_view text) { return interp_.run_script(text); }
    // Reads and runs lines until a command sets ctx.stop or input fails.
    Status run();

    Interpreter& interpreter() { return interp_; }
    LineEditor& editor() { return editor_; }

  private:
    void on_line(std::string_view line);

    Context& ctx_;
    Interpreter interp_;
    LineEditor editor_;
    char* pending_ = nullptr;  // heap, kMaxPending: the lines of an unfinished command
    std::size_t pending_len_ = 0;
};

}  // namespace xb::cmd
