// The standard load-address variables (U-Boot's doc/develop/bootstd: the
// *_addr_r convention), chosen at start-up from the RAM xenboot found free,
// since a Xen guest's RAM size is whatever its xl config says:
//   kernel_addr_r       start of free RAM (2 MiB-aligned: an Image can run in place)
//   kernel_comp_addr_r  where an Image.gz is copied before inflating to kernel_addr_r
//   kernel_comp_size    the room there (the largest Image.gz booti takes)
//   ramdisk_addr_r      initrd
//   fdt_addr_r          a device tree loaded from disk (the one from Xen needs none)
//   scriptaddr, pxefile_addr_r   boot.scr and extlinux.conf
//   loadaddr            = kernel_addr_r (load's default)
// All written with 0x, as U-Boot boards' default environments have them.
// And, as U-Boot's board code sets them (env_set_hex: bare hex):
//   fdtcontroladdr, fdt_addr   xenboot's copy of the device tree Xen gave
// Variables already set (defaults from configs/, `name=value` in the xl
// cmdline) are kept.
#pragma once

#include "shell/environment.h"
#include "lib/memory_map.h"

namespace xb::cmd {

struct BootLayout {
    std::uint64_t kernel = 0, kernel_comp = 0, kernel_comp_size = 0, ramdisk = 0, fdt = 0, script = 0, pxefile = 0;
};

// The layout for the largest free RAM range (not_found when there is none of
// at least 16 MiB). Within a free range [lo, hi) of N bytes (2 MiB-aligned):
// kernel at lo (up to 3/8 N for the inflated Image and its bss), the Image.gz
// copy at lo + 3/8 N (1/8 N), the initrd at lo + N/2 (up to 1/2 N - 4 MiB),
// then the device tree, boot.scr and extlinux.conf in the top 4 MiB.
Result<BootLayout> choose_boot_layout(const MemoryMap& mem);

// Sets the variables above that are not set yet.
Status set_boot_layout_vars(Environment& env, const BootLayout& layout);
// Sets fdtcontroladdr and fdt_addr to dtb_copy (SystemInfo::dtb_copy) where
// they are not set yet; nothing when there is no copy (0).
Status set_fdt_vars(Environment& env, std::uint64_t dtb_copy);

}  // namespace xb::cmd
