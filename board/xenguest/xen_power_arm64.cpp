#include "arch/arm64/psci.h"
#include "board/xenguest/xen_power.h"
#include "drivers/xen/hypercall.h"

namespace xb::board {
namespace {
Status shut_down(xen::XenPort& xen, xen::ShutdownReason reason, std::uint32_t psci_function) {
    Status s = xen::sched_shutdown(xen, reason);
    long psci = arm64::psci_call(psci_function);  // reached only if Xen refused
    return Error::make(Errc::hypercall, "%s; PSCI 0x%x returned %ld",
                       s.ok() ? "SCHEDOP_shutdown returned" : s.error().message(), psci_function, psci);
}
}  // namespace

Status XenPower::power_off() { return shut_down(xen_, xen::ShutdownReason::poweroff, arm64::kPsciSystemOff); }
Status XenPower::reset() { return shut_down(xen_, xen::ShutdownReason::reboot, arm64::kPsciSystemReset); }

}  // namespace xb::board
