// A shell command: name, one-line summary (for `help`), usage (for `help NAME`
// and argument errors) and its function. The table lives in commands.cpp.
#pragma once

#include <cstddef>
#include <span>

#include "lib/console.h"
#include "lib/power.h"
#include "lib/result.h"
#include "shell/environment.h"

namespace xb::cmd {

class Interpreter;
// What board init gives the boot flow and the commands (bootflow/services.h,
// bootflow/system_info.h). The shell engine only carries them: it never looks
// inside, so it depends on nothing above lib/.
struct Services;
struct SystemInfo;

// Work the board lets run in the background after the prompt but finishes
// before any command (the PV device listing: its results are disks, vifs and
// $ethaddr, which commands and variable expansion read). The interpreter calls
// ready() before each script it runs; once the work is done it returns at once.
class ScriptGate {
  public:
    virtual void ready() = 0;

  protected:
    ~ScriptGate() = default;
};

struct Context {
    Console& con;
    PowerControl& power;
    const SystemInfo& sys;
    bool stop = false;             // set when the shell should end (the guest is going away)
    Services* services = nullptr;  // drivers wired up by board init (nullptr in minimal setups)
    Environment* env = nullptr;    // the variables (nullptr in minimal setups)
    // What `env default` restores: the board's defaults as computed at
    // start-up (configs/, the xl cmdline's name=value words, the load
    // addresses, fdtcontroladdr). nullptr: configs/ only (shell/default_env.h).
    const Environment* env_defaults = nullptr;
    Interpreter* interp = nullptr;  // the hush interpreter (run, source); set by Shell
    ScriptGate* gate = nullptr;     // finished before any script runs (nullptr: nothing to wait for)
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

// A command returns a Status, and run_command() turns it into what the user
// sees and `$?`, as U-Boot's cmd_process() does with CMD_RET_*:
//   ok()                        CMD_RET_SUCCESS: $? = 0
//   any other Error             CMD_RET_FAILURE: "NAME: message", $? = 1
//   usage_error("why")          CMD_RET_USAGE:   "NAME: why (usage: NAME USAGE)", $? = 1
//   quiet_failure()             $? = 1 and nothing printed: a false `test`, or a
//                               command that printed its own message (U-Boot's
//                               "## Error: ..." lines)
// So a command body TRYs what it calls and returns errors; only the adapter prints.
using CommandFn = Status (*)(Context& ctx, int argc, char* const argv[]);

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

// The arguments do not fit: run_command prints "NAME: MESSAGE (usage: NAME USAGE)".
[[gnu::format(printf, 1, 2)]] Error usage_error(const char* fmt, ...);
// A failure with nothing (more) to print.
Error quiet_failure();
// s = quiet_failure(), with no Error object in the caller's frame: for `run`
// and `source`, whose frames stay on the stack while their script runs, up
// to 16 scripts deep.
void set_quiet_failure(Status& s);

// Runs cmd, prints its error as above and returns the exit status for `$?`
// (0 or 1). The one way to run a command: the interpreter, the boot flow
// (`source` of a boot.scr) and commands with sub-commands all go through it.
int run_command(Context& ctx, const Command& cmd, int argc, char* const argv[]);

}  // namespace xb::cmd
