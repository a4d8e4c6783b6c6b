#include "tests/sim/sim_xen.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arch/host/virtual_clock.h"
#include "tests/sim/guest_ram.h"

namespace xb::sim {

using namespace xen;

SimXen::SimXen() {
    // Xen 4.17 marks the console and xenstore ports pending before the guest
    // runs; a fresh domain's shared_info has every port unmasked.
}

SimXen::~SimXen() {
    if (arm_hook_installed_) arch::virtual_clock::set_arm_hook(nullptr, nullptr);
}

void SimXen::fire_alarms_before_poll(unsigned times) {
    early_alarms_ = times;
    if (!arm_hook_installed_) {
        arch::virtual_clock::set_arm_hook(&SimXen::on_alarm_armed, this);
        arm_hook_installed_ = true;
    }
}

void SimXen::on_alarm_armed(void* self, std::uint64_t counter_value) {
    auto& xen = *static_cast<SimXen*>(self);
    if (xen.early_alarms_ == 0) {
        xen.masked_alarm_.reset();  // a fresh alarm: Xen's IMASK is gone with the guest's CTL write
        return;
    }
    --xen.early_alarms_;
    ++xen.alarms_fired_early_;
    arch::virtual_clock::advance_to(counter_value);
    xen.masked_alarm_ = counter_value;
}

Page& SimXen::add_page(Gfn gfn) {
    auto& slot = pages_[gfn.value()];
    if (!slot) slot = std::make_unique<Page>();
    return *slot;
}

void* SimXen::frame(Gfn gfn) {
    if (shared_info_gfn_ && *shared_info_gfn_ == gfn) return shared_info_page_.bytes;
    auto g = grant_frame_at_.find(gfn.value());
    if (g != grant_frame_at_.end()) {
        // Grant frames mapped at consecutive gfns are one virtually contiguous
        // table in the firmware; the sim keeps them contiguous too.
        return grant_frames_[g->second].bytes;
    }
    auto it = pages_.find(gfn.value());
    if (it != pages_.end()) return it->second->bytes;
    void* p = reinterpret_cast<void*>(addr_of(gfn).value());
    return GuestRam::get().contains(p, 4096) ? p : nullptr;
}

Gfn SimXen::gfn_of(const void* p) {
    if (!GuestRam::get().contains(p)) {
        std::fprintf(stderr, "sim: %p is not guest RAM (allocate shared buffers from GuestRam)\n", p);
        std::abort();
    }
    return Gfn(reinterpret_cast<std::uintptr_t>(p) >> kPageShift);
}

unsigned SimXen::grant_frames_mapped() const { return static_cast<unsigned>(grant_frame_at_.size()); }

xen::GrantEntryV1* SimXen::grant_entry(std::uint32_t ref) {
    if (!grant_frames_ || ref >= grant_frame_at_.size() * kGrantEntriesPerFrame) return nullptr;
    return reinterpret_cast<GrantEntryV1*>(grant_frames_[0].bytes) + ref;
}

void* SimXen::map_grant(std::uint32_t ref, std::uint16_t backend, bool write) {
    GrantEntryV1* e = grant_entry(ref);
    if (e == nullptr) return nullptr;
    std::uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
    if ((flags & kGtfPermitAccess) == 0 || e->domid != backend) return nullptr;
    if (write && (flags & kGtfReadonly) != 0) return nullptr;
    __atomic_fetch_or(&e->flags, write ? kGtfWriting : kGtfReading, __ATOMIC_SEQ_CST);
    return frame(Gfn(e->frame));
}

void SimXen::unmap_grant(std::uint32_t ref, bool write) {
    if (GrantEntryV1* e = grant_entry(ref)) {
        __atomic_fetch_and(&e->flags, static_cast<std::uint16_t>(~(write ? kGtfWriting : kGtfReading)),
                           __ATOMIC_SEQ_CST);
    }
}

unsigned SimXen::live_grants() const {
    if (!grant_frames_) return 0;
    unsigned live = 0;
    for (const auto& [gfn, frame] : grant_frame_at_) {
        const auto* entries = reinterpret_cast<const GrantEntryV1*>(grant_frames_[frame].bytes);
        for (unsigned i = 0; i < kGrantEntriesPerFrame; ++i) {
            if ((__atomic_load_n(&entries[i].flags, __ATOMIC_ACQUIRE) & kGtfPermitAccess) != 0) ++live;
        }
    }
    return live;
}

int SimXen::unbound_remote(EvtchnPort port) const {
    auto it = unbound_.find(port.value());
    return it == unbound_.end() ? -1 : it->second;
}

void SimXen::connect(EvtchnPort guest_port, std::function<void()> on_notify) {
    backends_[guest_port.value()] = std::move(on_notify);
}

void SimXen::raise(EvtchnPort port) {
    SharedInfo& si = shared_info();
    const unsigned word = port.value() / 64;
    const std::uint64_t bit = std::uint64_t{1} << (port.value() % 64);
    if (__atomic_fetch_or(&si.evtchn_pending[word], bit, __ATOMIC_SEQ_CST) & bit) return;
    if ((__atomic_load_n(&si.evtchn_mask[word], __ATOMIC_SEQ_CST) & bit) == 0) {
        __atomic_fetch_or(&si.vcpu_info[0].evtchn_pending_sel, std::uint64_t{1} << word, __ATOMIC_SEQ_CST);
        __atomic_store_n(&si.vcpu_info[0].evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    }
}

bool SimXen::pending(EvtchnPort port) {
    const std::uint64_t bit = std::uint64_t{1} << (port.value() % 64);
    return (__atomic_load_n(&shared_info().evtchn_pending[port.value() / 64], __ATOMIC_SEQ_CST) & bit) != 0;
}

void SimXen::inject_error(Hypercall op, unsigned subop, int xen_errno, int times) {
    faults_[{static_cast<unsigned>(op), subop}] = {xen_errno, times};
}

unsigned SimXen::notifications(EvtchnPort port) const {
    auto it = notifications_.find(port.value());
    return it == notifications_.end() ? 0 : it->second;
}

void SimXen::run_idle() {
    for (auto& hook : idle_hooks_) hook();
}

long SimXen::hypercall(Hypercall op, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2) {
    auto fault = faults_.find({static_cast<unsigned>(op), static_cast<unsigned>(a0)});
    if (fault != faults_.end() && fault->second.second > 0) {
        --fault->second.second;
        return -fault->second.first;
    }
    switch (op) {
        case Hypercall::memory_op: return memory_op(static_cast<unsigned>(a0), a1);
        case Hypercall::event_channel_op: return event_channel_op(static_cast<unsigned>(a0), a1);
        case Hypercall::sched_op: return sched_op(static_cast<unsigned>(a0), a1);
        case Hypercall::hvm_op: return hvm_op(static_cast<unsigned>(a0), a1);
        case Hypercall::xen_version: return xen_version(static_cast<unsigned>(a0), a1);
        case Hypercall::console_io: return -kEPERM;  // as on Debian's release Xen
        case Hypercall::grant_table_op: return grant_table_op(static_cast<unsigned>(a0), a1, a2);
        default: return -kENOSYS;
    }
}

long SimXen::memory_op(unsigned cmd, std::uint64_t arg) {
    if (cmd == kXenmemAddToPhysmap) {
        auto* a = reinterpret_cast<AddToPhysmap*>(arg);
        if (a->domid != kDomidSelf) return -kEINVAL;
        if (a->space == kMapspaceGrantTable) {
            if (a->idx >= max_grant_frames_) return -kEINVAL;
            // One contiguous backing store, so the firmware's view (consecutive
            // gfns, identity-mapped) matches: allocate all frames up front.
            if (!grant_frames_) grant_frames_.reset(new Page[max_grant_frames_]);
            for (auto& [gfn, idx] : grant_frame_at_) {
                if (idx == a->idx) return -kEBUSY;  // Xen 4.17: one mapping per frame
            }
            grant_frame_at_[a->gpfn] = static_cast<unsigned>(a->idx);
            return 0;
        }
        if (a->space != kMapspaceSharedInfo) return -kEINVAL;
        // Xen >= 4.17: shared_info may be mapped at one GFN only.
        if (shared_info_gfn_) return -kEBUSY;
        shared_info_gfn_ = Gfn(a->gpfn);
        return 0;
    }
    if (cmd == kXenmemRemoveFromPhysmap) {
        auto* a = reinterpret_cast<RemoveFromPhysmap*>(arg);
        if (a->domid != kDomidSelf) return -kEINVAL;
        if (shared_info_gfn_ && shared_info_gfn_->value() == a->gpfn) {
            shared_info_gfn_.reset();
            return 0;
        }
        if (grant_frame_at_.erase(a->gpfn) != 0) return 0;
        return -kENOENT;
    }
    return -kENOSYS;
}

long SimXen::grant_table_op(unsigned cmd, std::uint64_t arg, std::uint64_t count) {
    if (cmd != kGnttabopQuerySize || count != 1) return -kENOSYS;
    auto* q = reinterpret_cast<GnttabQuerySize*>(arg);
    q->nr_frames = static_cast<std::uint32_t>(grant_frame_at_.size());
    q->max_nr_frames = max_grant_frames_;
    q->status = 0;
    return 0;
}

long SimXen::event_channel_op(unsigned cmd, std::uint64_t arg) {
    if (cmd == kEvtchnopAllocUnbound) {
        auto* u = reinterpret_cast<EvtchnAllocUnbound*>(arg);
        if (u->dom != kDomidSelf) return -kEPERM;
        u->port = next_port_++;
        unbound_[u->port] = u->remote_dom;
        return 0;
    }
    auto* a = reinterpret_cast<EvtchnPortArg*>(arg);
    auto it = backends_.find(a->port);
    if (cmd == kEvtchnopSend) {
        if (it == backends_.end()) return -kEINVAL;
        ++notifications_[a->port];
        it->second();
        return 0;
    }
    if (cmd == kEvtchnopClose) {
        bool was_unbound = unbound_.erase(a->port) != 0;
        if (it == backends_.end()) return was_unbound ? 0 : -kEINVAL;
        backends_.erase(it);
        return 0;
    }
    return -kENOSYS;
}

long SimXen::sched_op(unsigned cmd, std::uint64_t arg) {
    if (cmd == kSchedopYield) {
        // Other vCPUs (the backends) get the CPU for a time slice.
        ++yields_;
        run_idle();
        arch::virtual_clock::advance(kYieldTicks);
        return 0;
    }
    if (cmd == kSchedopPoll) {
        ++polls_;
        auto* a = reinterpret_cast<SchedPoll*>(arg);
        auto* ports = reinterpret_cast<const std::uint32_t*>(a->ports);
        if (a->nr_ports == 0 || a->nr_ports > 128) return -kEINVAL;
        auto any_pending = [&] {
            for (unsigned i = 0; i < a->nr_ports; ++i) {
                if (pending(EvtchnPort(ports[i]))) return true;
            }
            return false;
        };
        if (any_pending()) return 0;
        run_idle();
        if (any_pending()) return 0;
        std::optional<std::uint64_t> alarm = arch::virtual_clock::wakeup();
        // An alarm that fired before the poll was masked by Xen and its
        // interrupt is ignored while PSTATE.I is set (fire_alarms_before_poll):
        // for this poll there is no alarm at all.
        if (alarm && masked_alarm_ == alarm) alarm.reset();
        if (!alarm) {
            ++starved_polls_;
            return -kEDEADLK;
        }
        // The vCPU sleeps until an event or its virtual-timer alarm, whose
        // injection ends the poll. Virtual time passes in steps with the
        // backends (and the tests' idle hooks) running at each, so an event
        // that comes "later" wakes the guest when it comes.
        ++sleeps_;
        for (std::uint64_t now = arch::virtual_clock::now(); now < *alarm; now = arch::virtual_clock::now()) {
            arch::virtual_clock::advance(std::min(kSleepStepTicks, *alarm - now));
            run_idle();
            if (any_pending()) return 0;
        }
        return 0;
    }
    if (cmd == kSchedopShutdown) {
        shutdown_ = static_cast<ShutdownReason>(reinterpret_cast<SchedShutdown*>(arg)->reason);
        return 0;
    }
    return -kENOSYS;
}

long SimXen::hvm_op(unsigned cmd, std::uint64_t arg) {
    if (cmd != kHvmopGetParam) return -kENOSYS;
    auto* a = reinterpret_cast<HvmParamArg*>(arg);
    if (a->domid != kDomidSelf) return -kEINVAL;  // a guest may only read its own
    auto it = params_.find(a->index);
    if (it == params_.end()) return -kEINVAL;
    a->value = it->second;
    return 0;
}

long SimXen::xen_version(unsigned cmd, std::uint64_t arg) {
    if (cmd == kXenverVersion) return (4 << 16) | 17;
    if (cmd == kXenverExtraversion) {
        std::memset(reinterpret_cast<char*>(arg), 0, 16);
        std::memcpy(reinterpret_cast<char*>(arg), ".7-sim", 6);
        return 0;
    }
    return -kENOSYS;
}

}  // namespace xb::sim
