// Power control for a Xen guest: SCHEDOP_shutdown, then PSCI as a fallback.
#pragma once

#include "drivers/xen/xen_port.h"
#include "lib/power.h"

namespace xb::board {

class XenPower final : public PowerControl {
  public:
    explicit XenPower(xen::XenPort& xen) : xen_(xen) {}
    Status power_off() override;
    Status reset() override;

  private:
    xen::XenPort& xen_;
};

}  // namespace xb::board
