// `bootflow scan`: find and boot an OS on the PV disks (bootflow/scan.h).
#include <cstring>
#include <new>

#include "bootflow/scan.h"
#include "commands/builtins.h"

namespace xb::cmd {

int do_bootflow(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2 || strcmp(argv[1], "scan") != 0) {
        ctx.con.printf("usage: bootflow scan\n");
        return 1;
    }
    if (ctx.env == nullptr) {
        ctx.con.printf("bootflow: no environment\n");
        return 1;
    }
    ScanAttempts* tried = new (std::nothrow) ScanAttempts;
    if (tried == nullptr) {
        ctx.con.printf("bootflow: out of memory\n");
        return 1;
    }
    Status s = scan(ctx, *tried);
    if (ctx.stop) {
        delete tried;
        return 0;
    }
    if (!s.ok() && s.error().code() == Errc::interrupted) {
        ctx.con.printf("bootflow: %s\n", s.error().message());
        delete tried;
        return 1;
    }
    ctx.con.printf("bootflow: nothing booted. Tried:\n");
    for (unsigned i = 0; i < tried->count; ++i) ctx.con.printf("  %s\n", tried->line[i]);
    if (tried->dropped != 0) ctx.con.printf("  (%u more)\n", tried->dropped);
    delete tried;
    return 1;
}

}  // namespace xb::cmd
