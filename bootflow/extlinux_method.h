// The extlinux.conf boot method (U-Boot's bootmeth_extlinux / pxe_utils):
// the menu is listed and the default label booted (or the one $extlinux_label
// names, which an operator can set from the xl cmdline); when it fails the
// other labels are tried in file order. Files load to the *_addr_r addresses
// (bootflow/boot_layout.h); `append` becomes $bootargs; `fdt`/`fdtdir` (with
// $fdtfile) load a device tree from disk, otherwise the kernel gets the tree
// Xen gave (with /chosen fixed up).
#pragma once

#include "bootflow/bootflows.h"
#include "fs/filesystem.h"
#include "shell/command.h"

namespace xb::cmd {

// Parses the file and records its labels in flow (for `bootflow list`).
Status list_extlinux(Context& ctx, fs::Filesystem& fs, const char* conf_path, Bootflow& flow);

// Boots from it; returns only on failure (or on a simulated platform, with
// ctx.stop set).
Status boot_extlinux(Context& ctx, fs::Filesystem& fs, const char* conf_path, Bootflow& flow);

}  // namespace xb::cmd
