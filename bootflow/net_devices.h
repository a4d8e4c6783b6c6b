// The network ports board init found, as the commands and the network boot
// method see them: a net::Link per port (drivers/pvnet connects a vif on first
// use, so asking for a link may fail), and the one IP stack that runs on
// port 0. The board implements it; host tests put a fake link behind it.
#pragma once

#include "lib/result.h"
#include "net/link.h"
#include "net/stack.h"

namespace xb::cmd {

class NetDevices {
  public:
    // Port `index` ("eth<index>"), connected. Errors say why not (no such
    // port, the backend did not connect).
    virtual Result<net::Link*> link(unsigned index) = 0;
    // The stack the network commands share (up on port 0 after the first
    // `dhcp`, kept with its address for `ping` and the transfers after it).
    virtual net::Stack& stack() = 0;

  protected:
    ~NetDevices() = default;
};

}  // namespace xb::cmd
