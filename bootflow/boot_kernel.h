// booti's work, shared by the `booti` command and the boot methods: checks and
// places an arm64 Image (unpacking a compressed Image or an EFI zboot file
// first, loader/kernel_file.h), fixes up the device tree's /chosen (with the
// console fixup, bootflow/console_fixup.h), hands Xen's resources back and jumps.
#pragma once

#include <cstdint>
#include <optional>

#include "shell/command.h"
#include "lib/types.h"

namespace xb::cmd {

struct BootRequest {
    std::uint64_t kernel_addr = 0;          // an Image or Image.gz in RAM
    std::optional<Range> initrd;            // nullopt: no initrd
    std::optional<std::uint64_t> fdt_addr;  // nullopt: the working device tree (`fdt addr`)
};

// Everything that can fail happens before the first irreversible step, so an
// error returns to the prompt with the guest intact. Returns only on error or
// on a simulated platform (then ctx.stop is set).
Status boot_kernel(Context& ctx, const BootRequest& req);

}  // namespace xb::cmd
