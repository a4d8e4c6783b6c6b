// poweroff, reset, and exception (which ends the guest through the exception path).
#include <cstring>

#include "arch/arch.h"
#include "commands/builtins.h"

namespace xb::cmd {
namespace {

int shutdown(Context& ctx, int argc, char* const argv[], const char* name, bool off) {
    if (argc > 1) return usage_error(ctx, *find_command(name), "unexpected argument '%s'", argv[1]);
    ctx.con.printf(off ? "Powering off...\n" : "Resetting...\n");
    ctx.con.flush();
    Status s = off ? ctx.power.power_off() : ctx.power.reset();
    if (!s.ok()) {
        ctx.con.printf("%s: failed: %s\n", name, s.error().message());
        return 1;
    }
    // Only a simulated platform comes back here: the guest is gone otherwise.
    ctx.stop = true;
    return 0;
}

}  // namespace

int do_poweroff(Context& ctx, int argc, char* const argv[]) { return shutdown(ctx, argc, argv, "poweroff", true); }
int do_reset(Context& ctx, int argc, char* const argv[]) { return shutdown(ctx, argc, argv, "reset", false); }

int do_exception(Context& ctx, int argc, char* const argv[]) {
    const Command& self = *find_command("exception");
    if (argc != 2) return usage_error(ctx, self, "expects one exception kind");
    arch::TestException kind;
    if (strcmp(argv[1], "undefined") == 0) kind = arch::TestException::undefined_instruction;
    else if (strcmp(argv[1], "breakpoint") == 0) kind = arch::TestException::breakpoint;
    else if (strcmp(argv[1], "abort") == 0) kind = arch::TestException::data_abort;
    else return usage_error(ctx, self, "unknown kind '%s'", argv[1]);
    ctx.con.flush();
    arch::raise_test_exception(kind);
    ctx.con.printf("exception: not possible on this platform\n");
    return 1;
}

}  // namespace xb::cmd
