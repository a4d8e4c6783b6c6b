// The host's generic timer is virtual: a counter that moves only when the code
// under test waits, so a 10 s deadline expires after a few simulated steps
// instead of 10 s of real time, and every run sees the same times.
//
// Who moves it: the simulated Xen (tests/sim/sim_xen.cpp) when the guest
// sleeps in SCHEDOP_poll or yields, cpu_relax() a little, and every read of
// arch::counter() by one tick, so that even a loop that only watches the
// counter reaches its deadline. It never goes backwards and is never reset
// (deadlines made in one test stay meaningful in the next).
#pragma once

#include <cstdint>
#include <optional>

namespace xb::arch::virtual_clock {

// The counter now, without moving it (for the simulator and test assertions).
std::uint64_t now();
// Moves time forward by `ticks` (1 tick = 1 us, as counter_hz() says).
void advance(std::uint64_t ticks);
// Moves time forward to `counter_value` (no-op if that is already past).
void advance_to(std::uint64_t counter_value);
// The wake-up armed by arch::set_wakeup(), if any: where a sleeping vCPU's
// alarm fires.
std::optional<std::uint64_t> wakeup();
// Runs right after arch::set_wakeup() has armed an alarm, as if time passed
// between arming and the next instruction: the simulated Xen uses it to let
// the alarm fire in the window before the guest blocks (SimXen::
// fire_alarms_before_poll). nullptr removes it.
using ArmHook = void (*)(void* context, std::uint64_t counter_value);
void set_arm_hook(ArmHook hook, void* context);

}  // namespace xb::arch::virtual_clock
