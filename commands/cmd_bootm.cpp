// `bootm [addr[#config] [initrd[:size] | - [fdt]]]`: boot a FIT image or a
// legacy uImage kernel; the work is bootflow/boot_image.h's, which hands off
// through booti's path.
#include <cstring>

#include "bootflow/boot_image.h"
#include "commands/builtins.h"
#include "shell/environment.h"
#include "shell/parse.h"

namespace xb::cmd {

Status do_bootm(Context& ctx, int argc, char* const argv[]) {
    if (argc > 4) return usage_error("too many arguments");
    BootmRequest req;
    char image[64];
    if (argc > 1) {
        if (strlen(argv[1]) >= sizeof image) return Error::make(Errc::invalid_argument, "invalid image '%s'", argv[1]);
        strcpy(image, argv[1]);
    } else {
        // U-Boot's default image address.
        std::optional<std::string_view> load = ctx.env != nullptr ? ctx.env->get("loadaddr") : std::nullopt;
        if (!load || load->size() >= sizeof image) return usage_error("expects an image address ($loadaddr is unset)");
        memcpy(image, load->data(), load->size());
        image[load->size()] = '\0';
    }
    char* hash = strchr(image, '#');
    if (hash != nullptr) {
        *hash = '\0';
        req.config = hash + 1;
    }
    req.image_addr = TRY(parse_hex(image, "image address"));
    if (argc > 2) {
        if (strcmp(argv[2], "-") == 0) {
            req.no_initrd = true;
        } else {
            char buf[48];
            if (strlen(argv[2]) >= sizeof buf)
                return Error::make(Errc::invalid_argument, "invalid initrd '%s'", argv[2]);
            strcpy(buf, argv[2]);
            char* colon = strchr(buf, ':');
            if (colon != nullptr) {
                *colon = '\0';
                req.initrd_size = TRY(parse_hex(colon + 1, "initrd size"));
            }
            req.initrd_addr = TRY(parse_hex(buf, "initrd address"));
        }
    }
    if (argc > 3) req.fdt_addr = TRY(parse_hex(argv[3], "fdt address"));
    return boot_image(ctx, req);
}

}  // namespace xb::cmd
