// A simulated PV disk end to end: the XenStore nodes libxl and blkback write
// (device/vbd/<id> for the guest, backend/vbd/<domid>/<id> for dom0), blkback's
// side of the XenBus state machine (InitWait; Connected once the frontend is
// Initialised, with feature-persistent written then, as Linux does; Closing,
// Closed and back to InitWait on the reset dance), and a SimBlkback on the ring.
// Faults: a backend that never reaches InitWait or Connected, or never
// answers the frontend's Closing. Slow backends: InitWait and Connected may
// come a while (virtual time) after the vbd is made or the frontend says
// Initialised, as a loaded dom0's hotplug script and blkback thread do, and
// each close step a while after the frontend's write.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/sim/sim_blkback.h"
#include "tests/sim/sim_xenstore.h"

namespace xb::sim {

class SimVbd {
  public:
    struct Options {
        unsigned vdev = 51712;
        bool persistent = true;        // blkback takes up feature-persistent
        bool offer_ring_order = true;  // max-ring-page-order = 4
        bool never_init_wait = false;
        bool never_connect = false;
        bool never_close = false;              // ignores the frontend's Closing/Closed (dead at hand-off)
        std::uint64_t init_wait_after_ms = 0;  // InitWait this long after construction
        std::uint64_t connect_after_ms = 0;    // Connected this long after Initialised
        // Each close step (Closing, Closed, InitWait) answered only this long
        // (virtual time) after the frontend's write, as a loaded dom0's blkback does.
        std::uint64_t close_step_ms = 0;
        SimBlkback::Options blkback{};

        // A disk whose blkback answers each close step after step_ms (and, if
        // dead, never answers Closing/Closed): the hand-off tests' disks.
        static Options slow_close(unsigned vdev, std::uint64_t step_ms, bool dead = false) {
            Options o;
            o.vdev = vdev;
            o.close_step_ms = step_ms;
            o.never_close = dead;
            return o;
        }
    };

    SimVbd(SimXen& xen, SimXenstore& store, std::vector<std::uint8_t> disk, Options options);

    SimBlkback& blkback() { return back_; }
    // blkback serves n more requests, then goes to Closing and stops answering.
    void close_after_requests(std::uint64_t n) {
        back_.close_after_requests(n, [this] { store_.set(backend_ + "/state", "5"); });
    }
    std::string frontend() const { return frontend_; }
    std::string backend() const { return backend_; }
    std::vector<std::string> state_log() const { return states_; }  // frontend states seen

  private:
    void frontend_changed(const std::string& value);
    void answer_close(const std::string& value);
    void connect_ring();
    // Runs on every yield and poll: delayed state changes that are due.
    void tick();

    SimXen& xen_;
    SimXenstore& store_;
    Options options_;
    SimBlkback back_;
    std::string frontend_;
    std::string backend_;
    std::vector<std::string> states_;
    std::uint64_t init_wait_due_ = 0;  // counter value; 0: none pending
    std::uint64_t connect_due_ = 0;
    std::string close_pending_;  // a close step waiting for close_step_ms ("" none)
    std::uint64_t close_due_ = 0;
};

}  // namespace xb::sim
