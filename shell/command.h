// A shell command: name, one-line summary (for `help`), usage (for `help NAME`
// and argument errors) and its function. The table lives in commands.cpp.
#pragma once

#include <cstddef>
#include <span>

#include "lib/console.h"
#include "lib/power.h"
#include "shell/environment.h"

namespace xb::cmd {

class Interpreter;
// What board init gives the boot flow and the commands (bootflow/services.h,
// bootflow/system_info.h). The shell engine only carries them: it never looks
// inside, so it depends on nothing above lib/.
struct Services;
struct SystemInfo;

struct Context {
    Console& con;
    PowerControl& power;
    const SystemInfo& sys;
    bool stop = false;  // set when the shell should end (the guest is going away)
    Services* services = nullptr;  // drivers wired up by board init (nullptr in minimal setups)
    Environment* env = nullptr;    // the variables (nullptr in minimal setups)
    Interpreter* interp = nullptr; // the hush interpreter (run, source); set by Shell
    // Set when ctrlc() saw a Ctrl-C; the interpreter stops the running script
    // and clears it when the prompt comes back.
    bool interrupted = false;

    // U-Boot's ctrlc(): takes waiting console input and says whether a Ctrl-C
    // (0x03) was among it. Long commands call it between chunks of work and
    // stop cleanly (Errc::interrupted) when it returns true. Other bytes are
    // kept (typeahead, up to kTypeahead) for the prompt: a command that checks
    // for Ctrl-C does not swallow the next lines the user typed or pasted; a
    // Ctrl-C discards them, as the user wants to stop.
    bool ctrlc();
    // The next input byte: typeahead first, then the console; -1 when none.
    int read_char();
    bool has_typeahead() const { return typeahead_len_ != typeahead_pos_; }

    static constexpr std::size_t kTypeahead = 512;
    char typeahead_[kTypeahead] = {};
    std::size_t typeahead_pos_ = 0;
    std::size_t typeahead_len_ = 0;
};

// Commands return 0 on success and 1 on failure, like U-Boot's CMD_RET_*.
using CommandFn = int (*)(Context& ctx, int argc, char* const argv[]);

struct Command {
    const char* name;
    const char* summary;
    const char* usage;  // arguments only, e.g. "[-n] [args...]"
    CommandFn fn;
};

// The command registry. The shell engine only declares it: the table is
// commands/commands.cpp's, one layer up, so the engine never includes a command.
std::span<const Command> commands();
const Command* find_command(const char* name);

// Prints "NAME: MESSAGE (usage: NAME USAGE)" as one line and returns 1.
[[gnu::format(printf, 3, 4)]] int usage_error(Context& ctx, const Command& cmd, const char* fmt, ...);

}  // namespace xb::cmd
