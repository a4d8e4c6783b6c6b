// The board's network ports behind cmd::NetDevices: the vifs that
// drivers/pvnet listed at init (each connects on first use) and the one IP
// stack the network commands share. The hand-off takes the stack down before
// the vifs close, so no lwIP timer or pbuf refers to a link that is gone.
#pragma once

#include "bootflow/net_devices.h"
#include "drivers/pvnet/pvnet_bus.h"
#include "net/stack.h"

namespace xb::board {

class NetPorts final : public cmd::NetDevices {
  public:
    explicit NetPorts(pvnet::PvNetBus& vifs) : vifs_(vifs) {}

    Result<net::Link*> link(unsigned index) override;
    net::Stack& stack() override { return stack_; }

  private:
    pvnet::PvNetBus& vifs_;
    net::Stack stack_;
};

}  // namespace xb::board
