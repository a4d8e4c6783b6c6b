// Powering the guest off or resetting it. The firmware asks Xen
// (SCHEDOP_shutdown) and falls back to PSCI; a call that returns has failed.
// Host tests implement it to record the request.
#pragma once

#include "lib/result.h"

namespace xb {

class PowerControl {
  public:
    virtual Status power_off() = 0;
    virtual Status reset() = 0;

  protected:
    ~PowerControl() = default;
};

}  // namespace xb
