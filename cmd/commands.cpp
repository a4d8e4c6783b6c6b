// The command table. Names and syntax follow U-Boot's, so users' habits carry over.
#include <cstring>

#include "cmd/command.h"
#include "cmd/builtins.h"

namespace xb::cmd {
namespace {

constexpr Command kCommands[] = {
    {"bdinfo", "print board info: RAM, xenboot's own memory, Xen facts", "", do_bdinfo},
    {"echo", "echo args to console", "[-n] [args...]", do_echo},
    {"exception", "test exception handling (the guest powers off)", "undefined|breakpoint|abort", do_exception},
    {"help", "print command description/usage", "[command...]", do_help},
    {"poweroff", "power off the guest", "", do_poweroff},
    {"reset", "reset (reboot) the guest", "", do_reset},
    {"version", "print xenboot and Xen versions", "", do_version},
};

}  // namespace

std::span<const Command> commands() { return kCommands; }

const Command* find_command(const char* name) {
    for (const Command& c : kCommands) {
        if (strcmp(c.name, name) == 0) return &c;
    }
    return nullptr;
}

int usage_error(Context& ctx, const Command& cmd, const char* fmt, ...) {
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx.con.printf("%s: %s (usage: %s%s%s)\n", cmd.name, msg, cmd.name, cmd.usage[0] != '\0' ? " " : "", cmd.usage);
    return 1;
}

}  // namespace xb::cmd
