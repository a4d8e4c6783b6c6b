// poweroff, reset, and exception (which ends the guest through the exception path).
#include <cstring>

#include "arch/arch.h"
#include "commands/builtins.h"

namespace xb::cmd {
namespace {

Status shutdown(Context& ctx, int argc, char* const argv[], bool off) {
    if (argc > 1) return usage_error("unexpected argument '%s'", argv[1]);
    ctx.con.printf(off ? "Powering off...\n" : "Resetting...\n");
    ctx.con.flush();
    TRY_CTX(off ? ctx.power.power_off() : ctx.power.reset(), "failed");
    // Only a simulated platform comes back here: the guest is gone otherwise.
    ctx.stop = true;
    return ok();
}

}  // namespace

Status do_poweroff(Context& ctx, int argc, char* const argv[]) { return shutdown(ctx, argc, argv, true); }
Status do_reset(Context& ctx, int argc, char* const argv[]) { return shutdown(ctx, argc, argv, false); }

Status do_exception(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2) return usage_error("expects one exception kind");
    arch::TestException kind;
    if (strcmp(argv[1], "undefined") == 0) kind = arch::TestException::undefined_instruction;
    else if (strcmp(argv[1], "breakpoint") == 0) kind = arch::TestException::breakpoint;
    else if (strcmp(argv[1], "abort") == 0) kind = arch::TestException::data_abort;
    else if (strcmp(argv[1], "stackoverflow") == 0) kind = arch::TestException::stack_overflow;
    else if (strcmp(argv[1], "nested") == 0) kind = arch::TestException::fault_in_report;
    else return usage_error("unknown kind '%s'", argv[1]);
    ctx.con.flush();
    arch::raise_test_exception(kind);
    return Error::make(Errc::unsupported, "not possible on this platform");
}

}  // namespace xb::cmd
