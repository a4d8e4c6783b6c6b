// The boot flow's last step and its timing: board init provides the Handoff
// (board/xenguest/handoff.cpp); booti (bootflow/boot_kernel.cpp) is its only
// caller. Declared here, below the board, so the boot flow never includes board/.
#pragma once

#include <cstdint>

#include "lib/console.h"
#include "lib/result.h"

namespace xb::cmd {

// The last step of booting: hand the machine to a kernel. Board init provides
// it (board/xenguest/handoff.cpp); booti is its only caller.
class Handoff {
  public:
    // Gives back every Xen resource xenboot took, in the order Linux needs to
    // find them (docs/architecture.md, "Hand-off"): PV frontends closed with the
    // reset dance, grants ended, their event channels closed, grant frames and
    // shared_info removed from the physmap, XenStore reset, console drained.
    // An error means booting must stop: a grant is still in use once the
    // disks are closed (a backend still maps a page the kernel would get).
    // Nothing irreversible has happened then: the caller returns the error and
    // the shell goes on (the disks reconnect with `pvblock reconnect`). Later
    // problems are reported on `log` as warnings and the hand-off goes on (a
    // half-released Xen state cannot be taken back); returns how many there were.
    virtual Result<unsigned> release_xen(Console& log) = 0;
    // Cleans caches, turns the MMU off and jumps to `entry` with x0 = dtb.
    // Returns only on simulated platforms (tests).
    virtual void enter_kernel(std::uint64_t entry, std::uint64_t dtb) = 0;

  protected:
    ~Handoff() = default;
};

// Where boot time goes, for the breakdown booti prints before it jumps
// (microseconds; filled in by board init, load_file and booti).
struct BootTimes {
    std::uint64_t init_us = 0;     // entry to the prompt (board init)
    std::uint64_t disks_us = 0;    // listing the PV disks and vifs (after the prompt)
    std::uint64_t config_us = 0;   // reading and running boot configs (extlinux.conf, grub.cfg; menu waits excluded)
    std::uint64_t load_us = 0;     // file loads (summed)
    std::uint64_t inflate_us = 0;  // Image.gz inflation
};

}  // namespace xb::cmd
