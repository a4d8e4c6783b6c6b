// bootm's work: U-Boot FIT images (loader/fit.h) and legacy uImages
// (loader/uimage.h) unpacked into RAM and booted through boot_kernel, the
// same path as booti. Also the legacy ramdisk (`uInitrd`) that booti and
// bootm take without a size.
#pragma once

#include <cstdint>
#include <optional>

#include "bootflow/boot_kernel.h"
#include "shell/command.h"
#include "lib/types.h"

namespace xb::cmd {

struct BootmRequest {
    std::uint64_t image_addr = 0;
    const char* config = nullptr;  // FIT configuration (addr#config); nullptr: the default
    // The second argument: nullopt: none given (a FIT's own ramdisk);
    // no_initrd: "-"; else an address, with a size or a uImage ramdisk.
    bool no_initrd = false;
    std::optional<std::uint64_t> initrd_addr;
    std::optional<std::uint64_t> initrd_size;
    std::optional<std::uint64_t> fdt_addr;  // the third argument
};

// The data of the legacy ramdisk uImage at addr (header and CRCs checked,
// type ramdisk): what goes to the kernel as the initrd.
Result<Range> uimage_ramdisk(Context& ctx, std::uint64_t addr);

// Loads the kernel (and a FIT's ramdisk and device tree) and boots it.
Status boot_image(Context& ctx, const BootmRequest& req);

}  // namespace xb::cmd
