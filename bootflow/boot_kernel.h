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
    // A device tree inside another image (a FIT's flat_dt sub-image, maybe
    // only 4-byte aligned), used instead of fdt_addr: copied like a loaded one.
    std::optional<Range> fdt_bytes;
};

// Extra room a device tree loaded into RAM gets when booti copies it before
// editing /chosen (U-Boot's CONFIG_SYS_FDT_PAD): the command line (Linux
// keeps 2 KiB of it) and the initrd properties fit with room to spare.
inline constexpr std::size_t kBootFdtPad = 0x3000;

// A tree other than xenboot's own copy (one loaded from disk, or selected
// with `fdt addr`) is not edited where it lies: as U-Boot relocates it, it is
// copied to the heap with kBootFdtPad bytes of room and the copy gets the
// /chosen fixups and goes to the kernel; the loaded tree stays as it was.
// Everything that can fail happens before the first irreversible step, so an
// error returns to the prompt with the guest intact. Returns only on error or
// on a simulated platform (then ctx.stop is set).
Status boot_kernel(Context& ctx, const BootRequest& req);

}  // namespace xb::cmd
