// pxe (U-Boot's cmd/pxe.c, doc/usage/cmd/pxe.rst): thin wrappers over
// bootflow/pxe_method.h.
//   pxe get [-4]                  find and fetch the pxelinux.cfg file
//   pxe boot [pxefile_addr_r] [-4] boot the file `pxe get` left there
// -4 (IPv4) is accepted as U-Boot's lwIP builds take it; IPv6 (-ipv6) is not
// supported.
#include <cstring>
#include <new>

#include "bootflow/pxe_method.h"
#include "commands/builtins.h"
#include "lib/scope_guard.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

// Drops -4; refuses -ipv6 and other flags. Returns the remaining count.
Result<int> strip_flags(int argc, char* const argv[], const char* (&rest)[2]) {
    int n = 0;
    for (int i = 2; i < argc; ++i) {
        if (strcmp(argv[i], "-4") == 0) continue;
        if (strcmp(argv[i], "-ipv6") == 0 || strcmp(argv[i], "-6") == 0)
            return Error::make(Errc::unsupported, "IPv6 is not supported");
        if (argv[i][0] == '-') return usage_error("unknown flag %s", argv[i]);
        if (n == 2) return usage_error("too many arguments");
        rest[n++] = argv[i];
    }
    return n;
}

}  // namespace

Status do_pxe(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects get or boot");
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    const char* rest[2] = {};
    const int n = TRY(strip_flags(argc, argv, rest));
    if (strcmp(argv[1], "get") == 0) {
        if (n != 0) return usage_error("get takes no arguments");
        char found[sizeof Bootflow::path];
        Status s = pxe_get(ctx, found);
        if (!s.ok() && s.error().code() == Errc::not_found) ctx.con.printf("Config file not found\n");
        return s;
    }
    if (strcmp(argv[1], "boot") == 0) {
        if (n > 1) return usage_error("boot takes at most an address");
        const std::uint64_t addr =
            n == 1 ? TRY(parse_hex(rest[0], "pxefile address")) : TRY(env_hex(ctx.env, "pxefile_addr_r"));
        Bootflow* flow = new (std::nothrow) Bootflow;
        if (flow == nullptr) return Error::make(Errc::no_memory, "no memory");
        ScopeGuard free_flow([flow] { delete flow; });
        flow->method = BootMethod::pxe;
        return pxe_boot(ctx, addr, *flow);
    }
    return usage_error("unknown subcommand '%s'", argv[1]);
}

}  // namespace xb::cmd
