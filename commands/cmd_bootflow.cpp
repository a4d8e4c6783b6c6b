// `bootflow scan`: find and boot an OS on the PV disks (bootflow/scan.h).
#include <cstring>
#include <new>

#include "bootflow/scan.h"
#include "commands/builtins.h"

namespace xb::cmd {

Status do_bootflow(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2 || strcmp(argv[1], "scan") != 0) return usage_error("expects 'scan'");
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    ScanAttempts* tried = new (std::nothrow) ScanAttempts;
    if (tried == nullptr) return Error::make(Errc::no_memory, "out of memory");
    Status s = scan(ctx, *tried);
    if (ctx.stop) {
        delete tried;
        return ok();
    }
    if (!s.ok() && s.error().code() == Errc::interrupted) {
        delete tried;
        return s;
    }
    ctx.con.printf("bootflow: nothing booted. Tried:\n");
    for (unsigned i = 0; i < tried->count; ++i) ctx.con.printf("  %s\n", tried->line[i]);
    if (tried->dropped != 0) ctx.con.printf("  (%u more)\n", tried->dropped);
    delete tried;
    return quiet_failure();  // the list above says why
}

}  // namespace xb::cmd
