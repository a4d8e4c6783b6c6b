// `booti`: boot a Linux kernel in Image (or Image.gz) format; the work is
// bootflow/boot_kernel.h's, shared with the boot methods.
#include <cstring>

#include "bootflow/boot_image.h"
#include "bootflow/boot_kernel.h"
#include "commands/builtins.h"
#include "shell/parse.h"

namespace xb::cmd {

Status do_booti(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2 || argc > 4) return usage_error("expects a kernel address, optionally an initrd and a device tree");
    BootRequest req;
    req.kernel_addr = TRY(parse_hex(argv[1], "kernel address"));
    if (argc > 2 && strcmp(argv[2], "-") != 0) {
        char buf[48];
        if (strlen(argv[2]) >= sizeof buf) return Error::make(Errc::invalid_argument, "invalid initrd '%s'", argv[2]);
        strcpy(buf, argv[2]);
        char* colon = strchr(buf, ':');
        if (colon == nullptr) {
            // No size: a legacy ramdisk uImage (uInitrd), as in U-Boot.
            const std::uint64_t start = TRY(parse_hex(buf, "initrd address"));
            req.initrd = TRY(uimage_ramdisk(ctx, start));
        } else {
            *colon = '\0';
            const std::uint64_t start = TRY(parse_hex(buf, "initrd address"));
            req.initrd = Range{start, TRY(parse_hex(colon + 1, "initrd size"))};
        }
    }
    if (argc > 3) req.fdt_addr = TRY(parse_hex(argv[3], "fdt address"));
    return boot_kernel(ctx, req);
}

}  // namespace xb::cmd
