// The adapter between a command's Status and the shell: the one place that
// prints a command's error and turns it into `$?` (see shell/command.h).
#include <cstdarg>

#include "shell/command.h"

namespace xb::cmd {

Error usage_error(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Error e = Error::vmake(Errc::usage, fmt, ap);
    va_end(ap);
    return e;
}

Error quiet_failure() { return Error::make(Errc::reported, "%s", ""); }

void set_quiet_failure(Status& s) { s = quiet_failure(); }

int run_command(Context& ctx, const Command& cmd, int argc, char* const argv[]) {
    const Status s = cmd.fn(ctx, argc, argv);
    if (s.ok()) return 0;
    const Error& e = s.error();
    switch (e.code()) {
        case Errc::reported: break;
        case Errc::usage:
            ctx.con.printf("%s: %s (usage: %s%s%s)\n", cmd.name, e.message(), cmd.name, cmd.usage[0] != '\0' ? " " : "",
                           cmd.usage);
            break;
        default: ctx.con.printf("%s: %s\n", cmd.name, e.message()); break;
    }
    return 1;
}

}  // namespace xb::cmd
