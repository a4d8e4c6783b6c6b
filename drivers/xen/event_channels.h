// 2-level event channels in polled mode. xenboot never takes interrupts: every
// port it uses is masked (so Xen raises no upcall), and it learns of events by
// testing and clearing the port's pending bit in shared_info. To sleep it asks
// Xen to poll the port (SCHEDOP_poll), which wakes on a pending 0->1 edge even
// for a masked port.
#pragma once

#include "drivers/xen/abi.h"
#include "lib/deadline.h"
#include "drivers/xen/xen_port.h"
#include "lib/result.h"

namespace xb::xen {

class EventChannels {
  public:
    EventChannels(XenPort& xen, SharedInfo* shared) : xen_(xen), shared_(shared) {}

    // Masks the port and clears a stale pending bit. Fails for ports outside the
    // 2-level range.
    Status bind_polled(EvtchnPort port);
    // Atomically clears the pending bit; true if it was set.
    bool consume(EvtchnPort port);
    Status notify(EvtchnPort port);
    // Sleeps until the port may have an event or `until` passes (the virtual
    // timer wakes SCHEDOP_poll; see arch::set_wakeup). Callers consume() first
    // and re-check their condition after, so no event is lost in between; they
    // also re-check the deadline, since any wake-up may come early.
    Status block_on(EvtchnPort port, Deadline until = Deadline::never());
    // Hand-off: unmask nothing (Linux resets 2-level state itself) but leave no
    // pending bit or selector set, so the next kernel starts from a clean page.
    void clear_all_pending();
    // Hand-off: shared_info is about to leave the physmap; from now on waits
    // fall back to yielding (as without shared_info at all).
    void forget_shared_info() { shared_ = nullptr; }

    XenPort& xen() { return xen_; }
    bool has_shared_info() const { return shared_ != nullptr; }

  private:
    XenPort& xen_;
    SharedInfo* shared_;
};

}  // namespace xb::xen
