// A shell command: name, one-line summary (for `help`), usage (for `help NAME`
// and argument errors) and its function. The table lives in commands.cpp.
#pragma once

#include <span>

#include "cmd/environment.h"
#include "cmd/services.h"
#include "cmd/system_info.h"
#include "lib/console.h"
#include "lib/power.h"

namespace xb::cmd {

struct Context {
    Console& con;
    PowerControl& power;
    const SystemInfo& sys;
    bool stop = false;  // set when the shell should end (the guest is going away)
    Services* services = nullptr;  // drivers wired up by board init (nullptr in minimal setups)
    Environment* env = nullptr;    // the variables (nullptr in minimal setups)

    // U-Boot's ctrlc(): drains waiting console input and says whether a
    // Ctrl-C (0x03) was among it. Long commands call it between chunks of work
    // and stop cleanly (Errc::interrupted) when it returns true.
    bool ctrlc();
};

// Commands return 0 on success and 1 on failure, like U-Boot's CMD_RET_*.
using CommandFn = int (*)(Context& ctx, int argc, char* const argv[]);

struct Command {
    const char* name;
    const char* summary;
    const char* usage;  // arguments only, e.g. "[-n] [args...]"
    CommandFn fn;
};

std::span<const Command> commands();
const Command* find_command(const char* name);

// Prints "NAME: MESSAGE (usage: NAME USAGE)" as one line and returns 1.
[[gnu::format(printf, 3, 4)]] int usage_error(Context& ctx, const Command& cmd, const char* fmt, ...);

}  // namespace xb::cmd
