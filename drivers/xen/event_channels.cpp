#include "drivers/xen/event_channels.h"

#include "arch/arch.h"
#include "drivers/xen/hypercall.h"
#include "drivers/xen/shared_memory.h"

namespace xb::xen {
namespace {
constexpr unsigned word_of(EvtchnPort p) { return p.value() / 64; }
constexpr std::uint64_t bit_of(EvtchnPort p) { return std::uint64_t{1} << (p.value() % 64); }
}  // namespace

Status EventChannels::bind_polled(EvtchnPort port) {
    if (port.value() == 0 || port.value() >= kEvtchnPorts2L) {
        return Error::make(Errc::bad_data, "event channel %u is outside the 2-level range", port.value());
    }
    if (shared_ == nullptr) return ok();  // no shared_info: callers fall back to yielding
    fetch_or_shared(shared_->evtchn_mask[word_of(port)], bit_of(port));
    consume(port);
    return ok();
}

bool EventChannels::consume(EvtchnPort port) {
    if (shared_ == nullptr) return true;  // cannot tell: assume something happened
    std::uint64_t old = fetch_and_shared(shared_->evtchn_pending[word_of(port)], ~bit_of(port));
    // Masked ports never set the selector or upcall flag, but ports that fired
    // before we masked them did: clear those so Xen's view stays tidy.
    store_shared(shared_->vcpu_info[0].evtchn_upcall_pending, std::uint8_t{0});
    return (old & bit_of(port)) != 0;
}

Status EventChannels::notify(EvtchnPort port) { return evtchn_send(xen_, port); }

// Why the timer is looked at after arming. xenboot runs with PSTATE.I set and
// sleeps in SCHEDOP_poll with the virtual timer as its alarm. If the alarm
// fires while the vCPU still runs (between set_wakeup and the trap, or while
// Xen has it preempted there), Xen's vtimer_interrupt / virt_timer_expired
// (xen/arch/arm/time.c, vtimer.c) set CNTV_CTL.IMASK and inject the timer PPI;
// that injection's vcpu_kick finds the vCPU running and wakes nothing. do_poll
// (xen/common/sched/core.c) then marks the vCPU blocked and returns early only
// for a pending polled port or local_events_need_delivery(), which on Arm is
// false while PSTATE.I is set (xen/arch/arm/include/asm/event.h), and
// virt_timer_save arms no software timer for a masked vtimer: the poll would
// sleep until the next event on the port, for ever on a silent backend.
// So after arming we ask the timer whether its condition is already met
// (ISTATUS) and skip the poll if so. What is left is the few instructions
// between that look and Xen setting _VPF_blocked in do_poll; an alarm that
// fires after the vCPU is marked blocked unblocks it (vcpu_kick), as usual.
// Closing that last window would need IRQs unmasked around the poll (a GIC
// driver) or SCHEDOP_poll's own timeout, which is in Xen system time that an
// Arm guest cannot read (update_vcpu_system_time is empty on Arm).
Status EventChannels::block_on(EvtchnPort port, Deadline until) {
    if (shared_ == nullptr) return sched_yield(xen_);
    if (until.is_never()) return sched_poll(xen_, &port, 1);
    if (until.expired()) return ok();
    arch::set_wakeup(until.at());
    if (arch::wakeup_due() || until.expired()) {
        // Due already (perhaps fired and masked by Xen in the window): a
        // poll would not end for it. Callers re-check the deadline.
        arch::clear_wakeup();
        return ok();
    }
    Status s = sched_poll(xen_, &port, 1);
    arch::clear_wakeup();
    return s;
}

void EventChannels::clear_all_pending() {
    if (shared_ == nullptr) return;
    for (auto& word : shared_->evtchn_pending) store_shared(word, std::uint64_t{0});
    store_shared(shared_->vcpu_info[0].evtchn_pending_sel, std::uint64_t{0});
    store_shared(shared_->vcpu_info[0].evtchn_upcall_pending, std::uint8_t{0});
}

}  // namespace xb::xen
