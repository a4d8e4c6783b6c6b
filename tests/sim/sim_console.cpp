#include "tests/sim/sim_console.h"

namespace xb::sim {

SimConsoleBackend::SimConsoleBackend(SimXen& xen) : xen_(xen), page_(xen.add_page(kPfn)) {
    xen_.set_param(xen::HvmParam::console_pfn, kPfn.value());
    xen_.set_param(xen::HvmParam::console_evtchn, kPort.value());
    xen_.connect(kPort, [this] { service(); });
    xen_.on_idle([this] { service(); });
}

void SimConsoleBackend::service() {
    xen::ConsoleInterface& r = ring();
    bool progressed = false;
    if (!stalled_) {
        std::uint32_t cons = __atomic_load_n(&r.out_cons, __ATOMIC_ACQUIRE);
        std::uint32_t prod = __atomic_load_n(&r.out_prod, __ATOMIC_ACQUIRE);
        if (prod - cons > sizeof r.out) return;  // guest bug: the real daemon gives up too
        for (; cons != prod; ++cons) output_ += r.out[cons % sizeof r.out];
        if (__atomic_exchange_n(&r.out_cons, cons, __ATOMIC_RELEASE) != cons) progressed = true;
    }
    if (!queued_input_.empty()) {
        std::uint32_t cons = __atomic_load_n(&r.in_cons, __ATOMIC_ACQUIRE);
        std::uint32_t prod = __atomic_load_n(&r.in_prod, __ATOMIC_ACQUIRE);
        std::size_t n = 0;
        while (n < queued_input_.size() && prod - cons < sizeof r.in) {
            r.in[prod % sizeof r.in] = queued_input_[n++];
            ++prod;
        }
        if (n != 0) {
            queued_input_.erase(0, n);
            __atomic_store_n(&r.in_prod, prod, __ATOMIC_RELEASE);
            progressed = true;
        }
    }
    if (progressed) xen_.raise(kPort);
}

}  // namespace xb::sim
