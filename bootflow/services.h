// The drivers the boot flow and the commands can reach, wired up by board init. A service that
// failed to start is nullptr / absent; commands say so rather than crash.
#pragma once

#include <cstdint>

#include "bootflow/handoff.h"
#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::xen {
class XenStore;
}
namespace xb::pvblock {
class PvBlockBus;
}
namespace xb::pvnet {
class PvNetBus;
}

namespace xb::cmd {

struct Context;
class NetDevices;
struct Bootflows;

inline constexpr unsigned kMaxBlockDevices = 16;

// The PV disks, in XenStore order (device/vbd/<id> sorted by id): "pvblock N".
struct BlockDevices {
    BlockDevice* dev[kMaxBlockDevices] = {};
    unsigned count = 0;
    unsigned current = 0;  // `pvblock dev N` selects
};

struct Services {
    xen::XenStore* xenstore = nullptr;
    BlockDevices pvblock;                        // the disks as block devices (part, fs commands)
    pvblock::PvBlockBus* pvblock_bus = nullptr;  // the same disks, with PV details (pvblock command)
    pvnet::PvNetBus* pvnet_bus = nullptr;        // the PV network interfaces (connected on first use)
    Handoff* handoff = nullptr;                  // booti's last step (nullptr: booting is not possible)
    BootTimes times;
    Bootflows* bootflows = nullptr;  // what the last `bootflow scan` found (bootflow/scan.h allocates it)
    // `test -e IFACE DEV[:PART] PATH`: does the file exist? (nullptr: no
    // filesystems; test says so and fails). Errors (no such disk) are printed.
    Result<bool> (*file_exists)(Context& ctx, const char* iface, const char* devpart, const char* path) = nullptr;
    NetDevices* net = nullptr;  // network ports and the IP stack (bootflow/net_devices.h); nullptr: none
};

}  // namespace xb::cmd
