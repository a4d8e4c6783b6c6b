// A network boot rig: the boot rig (tests/sim/boot_rig.h: simulated guest
// RAM, the standard *_addr_r layout, a recording hand-off) with a network
// port whose stack sits on one end of a simulated cable (tests/sim/
// tftp_server.h: a scripted DHCP server, 10.9.0.1, and a small TFTP server,
// 10.9.0.3, that records every file asked for, in order). The DHCP server
// names the TFTP server as next-server.
//
// Header-only test glue, as tests/sim/shell_rig.h.
#pragma once

#include "tests/sim/boot_rig.h"
#include "tests/sim/tftp_server.h"

namespace xb::sim {

struct PxeRig : BootRig, ServedNet {
    cmd::BootLayout layout;

    PxeRig() {
        peer.dhcp.siaddr = kServer;
        services.net = &devices;
        layout = set_layout();
    }
    ~PxeRig() { devices.stack().down(); }
};

}  // namespace xb::sim
