// `booti`: boot a Linux kernel in Image (or Image.gz) format; the work is
// bootflow/boot_kernel.h's, shared with the boot methods.
#include <cstring>

#include "bootflow/boot_kernel.h"
#include "commands/builtins.h"
#include "shell/parse.h"

namespace xb::cmd {

int do_booti(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2 || argc > 4) {
        ctx.con.printf("usage: booti kernel_addr [initrd_addr[:size] | -] [fdt_addr]\n");
        return 1;
    }
    BootRequest req;
    Result<std::uint64_t> k = parse_hex(argv[1], "kernel address");
    if (!k.ok()) {
        ctx.con.printf("booti: %s\n", k.error().message());
        return 1;
    }
    req.kernel_addr = k.value();
    if (argc > 2 && strcmp(argv[2], "-") != 0) {
        char buf[48];
        if (strlen(argv[2]) >= sizeof buf) {
            ctx.con.printf("booti: invalid initrd '%s'\n", argv[2]);
            return 1;
        }
        strcpy(buf, argv[2]);
        char* colon = strchr(buf, ':');
        if (colon == nullptr) {
            ctx.con.printf("booti: initrd '%s' needs a size: initrd_addr:size (raw initrds only)\n", argv[2]);
            return 1;
        }
        *colon = '\0';
        Result<std::uint64_t> a = parse_hex(buf, "initrd address");
        Result<std::uint64_t> s = a.ok() ? parse_hex(colon + 1, "initrd size") : Result<std::uint64_t>(a.error());
        if (!s.ok()) {
            ctx.con.printf("booti: %s\n", s.error().message());
            return 1;
        }
        req.initrd = Range{a.value(), s.value()};
    }
    if (argc > 3) {
        Result<std::uint64_t> f = parse_hex(argv[3], "fdt address");
        if (!f.ok()) {
            ctx.con.printf("booti: %s\n", f.error().message());
            return 1;
        }
        req.fdt_addr = f.value();
    }
    Status s = boot_kernel(ctx, req);
    if (!s.ok()) {
        ctx.con.printf("booti: %s\n", s.error().message());
        return 1;
    }
    return 0;
}

}  // namespace xb::cmd
