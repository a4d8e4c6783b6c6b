// The interactive shell on the console: prompt "=> ", line editing, command
// dispatch. Runs until a command ends the guest or the console fails.
#pragma once

#include <string_view>

#include "cmd/command.h"
#include "cmd/line_editor.h"

namespace xb::cmd {

class Shell {
  public:
    static constexpr const char* kPrompt = "=> ";

    explicit Shell(Context& ctx) : ctx_(ctx), editor_(ctx.con) {}

    // Runs one line: parse errors are reported and nothing of the line runs.
    // Returns the status of the last command (0 success).
    int run_line(std::string_view line);
    // Reads and runs lines until a command sets ctx.stop or input fails.
    Status run();

  private:
    Context& ctx_;
    LineEditor editor_;
};

}  // namespace xb::cmd
