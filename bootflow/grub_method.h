// The GRUB boot method: a grub.cfg (an ESP stub or the menu grub-mkconfig
// wrote, BLS entries through `blscfg`) is run by xenboot's own interpreter
// (loader/grub, no GRUB binary), over the disks as GRUB names them
// (bootflow/grub_disks.h). The menu is shown (bootflow/boot_menu.h), the
// chosen or default entry evaluated as GRUB would at boot, and its kernel and
// initrds (several are loaded back to back, as GRUB concatenates them) are
// loaded to $kernel_addr_r and $ramdisk_addr_r; its command line becomes
// $bootargs; booti's engine does the rest.
#pragma once

#include "bootflow/bootflows.h"
#include "bootflow/fs_access.h"
#include "fs/filesystem.h"
#include "shell/command.h"

namespace xb::cmd {

// Runs the config and records its menu in flow (for `bootflow list`).
Status list_grub(Context& ctx, fs::Filesystem& fs, const Volume& v, const char* path, Bootflow& flow);

// Runs the config, shows the menu and boots the chosen entry. Returns only on
// failure (or on a simulated platform, with ctx.stop set).
Status boot_grub(Context& ctx, fs::Filesystem& fs, const Volume& v, const char* path, Bootflow& flow);

}  // namespace xb::cmd
