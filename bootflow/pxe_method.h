// The network boot method, as U-Boot's `pxe get` / `pxe boot` (cmd/pxe.c,
// boot/pxe_utils.c; doc/usage/cmd/pxe.rst) and its "pxe" bootmeth in
// `bootflow scan` (boot/bootmeth_pxe.c):
//   pxe get    tries the pxelinux.cfg names of net/pxe_paths.h in order on the
//              TFTP server ($tftpserverip, else $serverip), printing
//              "Retrieving file: NAME" for each, and leaves the first that
//              exists at $pxefile_addr_r, NUL-terminated, with $filesize;
//   pxe boot   reads the file at an address (default $pxefile_addr_r) in the
//              extlinux format (loader/extlinux.h, the same parser and fuzz
//              target as extlinux.conf on a disk) and boots it through the
//              extlinux method, its kernel, initrd and fdt fetched by TFTP
//              straight to $kernel_addr_r, $ramdisk_addr_r and $fdt_addr_r,
//              each capped at the next area as on a disk. Names are relative
//              to the same folder as the config (net/pxe_paths.h
//              pxe_directory), absolute ones too, as U-Boot's pxe does.
//   scan       after the disks, on a guest with a network port: DHCP unless
//              the stack has an address already, then `pxe get`; a config
//              found is a bootflow of method "pxe" on "eth0".
// TFTP has no seek and no size before the transfer (tsize is optional), so
// the files are not a fs::Filesystem: each is one transfer into the free RAM
// from its address to the next area, which tftp_read never writes past.
#pragma once

#include <cstdint>

#include "bootflow/bootflows.h"
#include "bootflow/scan.h"
#include "shell/command.h"

namespace xb::cmd {

// `pxe get`. Errors name the server and how many names were tried
// ("no pxelinux.cfg file found on 10.9.0.1 (tried 12 names)"), or the first
// transfer that failed other than with "file not found" (no answer, Ctrl-C).
// `found` receives the name (at most Bootflow::path's size).
Status pxe_get(Context& ctx, char (&found)[sizeof Bootflow::path]);

// `pxe boot`: boots the file at `addr`; returns only on failure (or on a
// simulated platform, with ctx.stop set). `flow` receives its labels.
Status pxe_boot(Context& ctx, std::uint64_t addr, Bootflow& flow);

// bootflow scan's network step, after every disk: nothing (not_found, no
// line in `tried`) when the guest has no network port. Lists (-l) or boots
// (-b) what it finds as the disk methods do; DHCP or TFTP failures become a
// line in `tried`. ok() only if something booted (with -b) or was found.
Status scan_network(Context& ctx, const ScanOptions& opts, Bootflows* flows, ScanAttempts& tried);

// `bootflow boot` of a pxe bootflow: fetches its config again to
// $pxefile_addr_r, then boots it.
Status boot_pxe_flow(Context& ctx, Bootflow& flow);

}  // namespace xb::cmd
