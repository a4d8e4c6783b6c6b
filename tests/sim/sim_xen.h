// A simulated Xen for host tests. It decodes hypercalls the way Xen 4.17 on
// Arm does (same argument structures, same errno values), owns the pages a
// guest shares with Xen (shared_info, the console ring), implements 2-level
// event channels, and runs simulated backends whenever the guest notifies,
// yields or polls. Faults can be injected per hypercall.
//
// Time is virtual (arch/host/virtual_clock.h) and passes only here: a yield
// costs kYieldTicks, and a poll with nothing pending sleeps until the alarm
// the guest armed (arch::set_wakeup), in steps of kSleepStepTicks with the
// backends running at each step.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "drivers/xen/abi.h"
#include "drivers/xen/xen_port.h"

namespace xb::sim {

struct Page {
    alignas(4096) std::uint8_t bytes[4096] = {};
};

class SimXen final : public xen::XenPort {
  public:
    SimXen();
    ~SimXen();
    SimXen(const SimXen&) = delete;
    SimXen& operator=(const SimXen&) = delete;

    long hypercall(xen::Hypercall op, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2) override;
    void* frame(Gfn gfn) override;
    Gfn gfn_of(const void* p) override;

    // --- set-up -----------------------------------------------------------
    void set_param(xen::HvmParam param, std::uint64_t value) { params_[static_cast<std::uint32_t>(param)] = value; }
    // Gives the guest a page at gfn (a magic page such as the console ring).
    Page& add_page(Gfn gfn);
    // A backend listening on the other end of the guest's port.
    void connect(EvtchnPort guest_port, std::function<void()> on_notify);
    // Called on every yield and poll: backends make progress here.
    void on_idle(std::function<void()> hook) { idle_hooks_.push_back(std::move(hook)); }

    // --- backend side ---------------------------------------------------------
    // Marks the guest's port pending, exactly as Xen's 2-level code does.
    void raise(EvtchnPort guest_port);

    // --- grant tables (the backend side) -----------------------------------------
    void set_max_grant_frames(unsigned n) { max_grant_frames_ = n; }
    unsigned grant_frames_mapped() const;
    // What a backend in domain `backend` gets when it maps ref: the guest page,
    // or nullptr if the entry does not grant it (wrong domain, not permitted,
    // read-only for a write). Sets GTF_reading/GTF_writing until unmap_grant.
    void* map_grant(std::uint32_t ref, std::uint16_t backend, bool write);
    void unmap_grant(std::uint32_t ref, bool write);
    xen::GrantEntryV1* grant_entry(std::uint32_t ref);
    // Remote end of a port allocated by EVTCHNOP_alloc_unbound (or -1).
    int unbound_remote(EvtchnPort port) const;
    // Entries in the mapped grant frames that grant access (GTF_permit_access
    // set): what a guest has not ended, as Xen sees it.
    unsigned live_grants() const;
    // Ports allocated by EVTCHNOP_alloc_unbound and not closed since.
    unsigned open_ports() const { return static_cast<unsigned>(unbound_.size()); }

    // --- fault injection -------------------------------------------------------
    // The next `times` calls of (op, subop) fail with -xen_errno.
    void inject_error(xen::Hypercall op, unsigned subop, int xen_errno, int times = 1);
    // The lost wake-up of Xen on Arm with the guest's PSTATE.I set (as xenboot
    // keeps it): the next `times` alarms the guest arms (arch::set_wakeup) fire
    // at once, in the window before it blocks, as if its vCPU was preempted
    // there until the alarm time. Xen's vtimer_interrupt then sets
    // CNTV_CTL.IMASK and queues the virtual interrupt, whose kick finds the vCPU
    // running, and do_poll ignores the queued interrupt
    // (local_events_need_delivery() is false while PSTATE.I is set): a poll
    // entered after that does not end for this alarm, and with nothing else
    // pending it starves (starved_polls()).
    void fire_alarms_before_poll(unsigned times);
    unsigned alarms_fired_before_poll() const { return alarms_fired_early_; }

    // --- observations -----------------------------------------------------------
    xen::SharedInfo& shared_info() { return *reinterpret_cast<xen::SharedInfo*>(shared_info_page_.bytes); }
    std::optional<Gfn> shared_info_gfn() const { return shared_info_gfn_; }
    std::optional<xen::ShutdownReason> shutdown_reason() const { return shutdown_; }
    unsigned notifications(EvtchnPort port) const;
    unsigned yields() const { return yields_; }
    unsigned polls() const { return polls_; }
    // A poll with nothing pending and no backend able to make progress: a real
    // guest would sleep forever. The sim fails the call (-EDEADLK) and counts it.
    unsigned starved_polls() const { return starved_polls_; }
    // Polls that slept (nothing pending, an alarm armed) in virtual time.
    unsigned sleeps() const { return sleeps_; }

    static constexpr std::uint64_t kYieldTicks = 1000;      // 1 ms
    static constexpr std::uint64_t kSleepStepTicks = 1000;  // 1 ms

  private:
    long memory_op(unsigned cmd, std::uint64_t arg);
    long event_channel_op(unsigned cmd, std::uint64_t arg);
    long sched_op(unsigned cmd, std::uint64_t arg);
    long hvm_op(unsigned cmd, std::uint64_t arg);
    long xen_version(unsigned cmd, std::uint64_t arg);
    long grant_table_op(unsigned cmd, std::uint64_t arg, std::uint64_t count);
    void run_idle();
    bool pending(EvtchnPort port);

    Page shared_info_page_;
    std::optional<Gfn> shared_info_gfn_;
    std::unique_ptr<Page[]> grant_frames_;              // max_grant_frames_ pages, contiguous
    std::map<std::uint64_t, unsigned> grant_frame_at_;  // gfn -> frame index
    unsigned max_grant_frames_ = 64;
    std::map<std::uint32_t, std::uint16_t> unbound_;  // port -> remote domain
    std::uint32_t next_port_ = 10;
    std::map<std::uint64_t, std::unique_ptr<Page>> pages_;
    std::map<std::uint32_t, std::uint64_t> params_;
    std::map<std::uint32_t, std::function<void()>> backends_;
    std::map<std::uint32_t, unsigned> notifications_;
    std::vector<std::function<void()>> idle_hooks_;
    std::map<std::pair<unsigned, unsigned>, std::pair<int, int>> faults_;
    std::optional<xen::ShutdownReason> shutdown_;
    unsigned yields_ = 0;
    unsigned polls_ = 0;
    unsigned starved_polls_ = 0;
    unsigned sleeps_ = 0;
    unsigned early_alarms_ = 0;
    unsigned alarms_fired_early_ = 0;
    bool arm_hook_installed_ = false;
    std::optional<std::uint64_t> masked_alarm_;  // fired before the poll: Xen masked it
    static void on_alarm_armed(void* self, std::uint64_t counter_value);
};

inline constexpr int kEDEADLK = 35;

}  // namespace xb::sim
