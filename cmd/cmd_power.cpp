// poweroff and reset.
#include "cmd/builtins.h"

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

}  // namespace xb::cmd
