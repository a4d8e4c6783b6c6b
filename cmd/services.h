// The drivers the shell can reach, wired up by board init. A service that
// failed to start is nullptr / absent; commands say so rather than crash.
#pragma once

#include <cstdint>

#include "lib/block_device.h"
#include "lib/console.h"
#include "lib/result.h"

namespace xb::xen {
class XenStore;
}
namespace xb::pvblock {
class PvBlockBus;
}

namespace xb::cmd {

struct Context;

inline constexpr unsigned kMaxBlockDevices = 16;

// The PV disks, in XenStore order (device/vbd/<id> sorted by id): "pvblock N".
struct BlockDevices {
    BlockDevice* dev[kMaxBlockDevices] = {};
    unsigned count = 0;
    unsigned current = 0;  // `pvblock dev N` selects
};

// The last step of booting: hand the machine to a kernel. Board init provides
// it (board/xenguest/handoff.cpp); booti is its only caller.
class Handoff {
  public:
    // Gives back every Xen resource xenboot took, in the order Linux needs to
    // find them (docs/architecture.md, "Hand-off"): PV frontends closed with the
    // reset dance, grants ended, their event channels closed, grant frames and
    // shared_info removed from the physmap, XenStore reset, console drained.
    // Problems are reported on `log` as warnings and the hand-off goes on (a
    // half-released Xen state cannot be taken back); returns how many there were.
    virtual unsigned release_xen(Console& log) = 0;
    // Cleans caches, turns the MMU off and jumps to `entry` with x0 = dtb.
    // Returns only on simulated platforms (tests).
    virtual void enter_kernel(std::uint64_t entry, std::uint64_t dtb) = 0;

  protected:
    ~Handoff() = default;
};

// Where boot time goes, for the breakdown booti prints before it jumps
// (microseconds; filled in by board init, load_file and booti).
struct BootTimes {
    std::uint64_t init_us = 0;     // entry to the end of board init (disks excluded)
    std::uint64_t disks_us = 0;    // connecting the PV disks
    std::uint64_t load_us = 0;     // file loads (summed)
    std::uint64_t inflate_us = 0;  // Image.gz inflation
};

struct Services {
    xen::XenStore* xenstore = nullptr;
    BlockDevices pvblock;                  // the disks as block devices (part, fs commands)
    pvblock::PvBlockBus* pvblock_bus = nullptr;  // the same disks, with PV details (pvblock command)
    Handoff* handoff = nullptr;            // booti's last step (nullptr: booting is not possible)
    BootTimes times;
    // `test -e IFACE DEV[:PART] PATH`: does the file exist? (nullptr: no
    // filesystems; test says so and fails). Errors (no such disk) are printed.
    Result<bool> (*file_exists)(Context& ctx, const char* iface, const char* devpart, const char* path) = nullptr;
};

}  // namespace xb::cmd
