// The extlinux.conf boot method (U-Boot's bootmeth_extlinux / pxe_utils):
// the menu is listed and the default label booted (or the one $extlinux_label
// names, which an operator can set from the xl cmdline); when it fails the
// other labels are tried in file order. Files load to the *_addr_r addresses
// (bootflow/boot_layout.h); `append` becomes $bootargs; `fdt`/`fdtdir` (with
// $fdtfile) load a device tree from disk, otherwise the kernel gets the tree
// Xen gave (with /chosen fixed up).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "bootflow/bootflows.h"
#include "fs/filesystem.h"
#include "shell/command.h"

namespace xb::cmd {

// Where the method's kernel, initrd and device tree come from: a filesystem
// (sysboot, bootflow scan on a disk; paths relative to the conf file's
// folder), or a TFTP server (pxe; paths relative to the boot file's folder,
// bootflow/pxe_method.h).
class ExtlinuxFiles {
  public:
    // The file to load for `path` as the config writes it, with `leaf` (when
    // not empty) appended as one more component (fdtdir + $fdtfile).
    virtual Status resolve(std::string_view path, std::string_view leaf, std::span<char> out) = 0;
    // Loads as bootflow/method_files.h's load_to does: to $<addr_var>, never
    // into the area of $<limit_var>, $filesize set; returns the size.
    virtual Result<std::uint64_t> load(Context& ctx, const char* what, const char* path, const char* addr_var,
                                       const char* limit_var) = 0;

  protected:
    ~ExtlinuxFiles() = default;
};

// The config already read (`name` names it in messages): records its labels in flow.
Status list_extlinux_text(const char* name, const char* text, Bootflow& flow);

// Boots from a config already read (`conf_path` names it in messages),
// loading through `files`; returns only on failure (or on a simulated
// platform, with ctx.stop set).
Status boot_extlinux_text(Context& ctx, ExtlinuxFiles& files, const char* conf_path, const char* text, Bootflow& flow);

// Parses the file and records its labels in flow (for `bootflow list`).
Status list_extlinux(Context& ctx, fs::Filesystem& fs, const char* conf_path, Bootflow& flow);

// Boots from it; returns only on failure (or on a simulated platform, with
// ctx.stop set).
Status boot_extlinux(Context& ctx, fs::Filesystem& fs, const char* conf_path, Bootflow& flow);

}  // namespace xb::cmd
