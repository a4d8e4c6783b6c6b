// The boot.scr method (U-Boot's bootmeth_script): the script (mkimage -T
// script) is loaded to $scriptaddr and run with `source`, with devtype, devnum,
// distro_bootpart and prefix set as U-Boot's distro scripts expect.
#pragma once

#include "bootflow/fs_access.h"
#include "fs/filesystem.h"
#include "shell/command.h"

namespace xb::cmd {

// Returns only when the script did not boot (or, on a simulated platform,
// after a boot with ctx.stop set).
Status boot_script(Context& ctx, fs::Filesystem& fs, const Volume& v, const char* path);

}  // namespace xb::cmd
