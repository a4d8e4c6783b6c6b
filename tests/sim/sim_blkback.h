// A simulated blkback (the ring side): maps the frontend's ring and data
// grants through SimXen exactly as dom0 would, validates requests the way
// Linux blkback does (segment counts, sector ranges, 4 KiB-sector alignment),
// serves a disk image held in memory, and answers on the frontend's event
// channel. Requests are served when the frontend yields or polls (like a
// backend on another CPU), so several can be in flight.
// Faults: error status for a sector, stall, unknown or duplicated response
// ids, grants held after the response, a stale response index, a backend that
// keeps its mappings (and keeps answering) after Closed until it lets go, and
// reads that write a whole page past a segment's sectors.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "tests/sim/sim_xen.h"

namespace xb::sim {

class SimBlkback {
  public:
    struct Options {
        std::uint16_t domid = 0;               // the backend's domain (dom0)
        unsigned max_indirect_segments = 256;  // 0: no feature-max-indirect-segments
        unsigned max_ring_order = 4;
        std::uint32_t sector_size = 512;  // logical sector size of the disk
        bool read_only = false;
    };

    SimBlkback(SimXen& xen, std::vector<std::uint8_t> disk, Options options);
    SimBlkback(SimXen& xen, std::vector<std::uint8_t> disk) : SimBlkback(xen, std::move(disk), Options{}) {}

    // Persistent grants negotiated: like Linux blkback, map each reference
    // writable on first use, keep it mapped, and reuse the mapping whenever
    // the reference comes again (a frontend that reuses a reference for
    // another page gets its data written to the old page).
    void set_persistent(bool on) { persistent_ = on; }
    std::size_t persistent_mappings() const { return pcache_.size(); }

    // Connects to a frontend ring (what blkback does on reading ring-ref*).
    void attach(const std::uint32_t* ring_refs, unsigned ring_pages, EvtchnPort frontend_port);
    void detach();

    // Serves every request on the ring now (also runs on the frontend's yields).
    void service();

    std::vector<std::uint8_t>& disk() { return disk_; }
    const Options& options() const { return options_; }
    std::uint64_t sectors() const { return disk_.size() / 512; }

    // Faults.
    void fail_sector(std::uint64_t sector, std::int16_t status = -1) {
        fail_sector_ = sector;
        fail_status_ = status;
    }
    void set_stalled(bool stalled) { stalled_ = stalled; }
    void answer_with_bogus_id_once() { bogus_id_ = true; }
    void duplicate_next_response() { duplicate_ = true; }
    void hold_grants_once() { hold_grants_ = true; }
    void corrupt_response_index_once() { corrupt_index_ = true; }
    // detach() (Closed) keeps every mapping (ring, persistent grants) and the
    // ring keeps being served: late responses land in the old ring and data
    // pages, and GrantTable::end fails for them until let_go().
    void set_linger(bool on) { linger_ = on; }
    void let_go();
    unsigned lingering_mappings() const { return static_cast<unsigned>(lingering_.size()); }
    // Reads fill the whole page of every segment (0xee outside the segment's
    // sectors, the disk's bytes inside), as a backend ignoring first_sect and
    // last_sect would.
    void set_overrun(bool on) { overrun_ = on; }
    // A slow disk: requests that arrive are taken off the ring and their data
    // pages mapped at once (as blkback does before submitting the I/O), but
    // the I/O and the response happen only once delay is turned off again
    // (then at the next service()), even after the frontend gave up.
    void set_delayed(bool on) { delay_ = on; }
    std::size_t delayed_requests() const { return delayed_.size(); }
    // After serving n more requests, stop answering and call on_close (the
    // XenStore side then says Closing): a backend going away mid-transfer.
    void close_after_requests(std::uint64_t n, std::function<void()> on_close) {
        close_at_ = stats_.requests + n;
        on_close_ = std::move(on_close);
    }

    struct Stats {
        std::uint64_t requests = 0;
        std::uint64_t indirect_requests = 0;
        std::uint64_t bytes = 0;
        unsigned max_batch = 0;  // most requests found waiting at once
        unsigned max_segments = 0;
        std::uint64_t invalid = 0;  // requests refused as malformed
    };
    const Stats& stats() const { return stats_; }

  private:
    std::int16_t handle(const std::uint8_t* slot, std::uint8_t& op_out, std::uint64_t& id_out);
    std::int16_t transfer(bool write, std::uint64_t sector, const xen::BlkifSegment* segs, unsigned n);
    // Copies an indirect request's segments out of its indirect pages (of
    // valid count); false if a page's grant cannot be mapped.
    bool read_indirect_segments(const xen::BlkifRequestIndirect& req, std::vector<xen::BlkifSegment>& segs);
    // Maps a grant as blkback would in the current mode; nullptr if refused.
    std::uint8_t* map(std::uint32_t ref, bool backend_writes);
    void unmap(std::uint32_t ref, bool backend_writes);
    void respond(std::uint64_t id, std::uint8_t op, std::int16_t status);
    // Takes a request off the ring and maps its data pages for later.
    void delay(const std::uint8_t* slot);
    void finish_delayed();
    void publish_responses(std::uint32_t old_prod);

    struct Delayed {
        std::uint64_t id = 0;
        std::uint8_t op = 0;
        bool write = false;
        std::uint64_t sector = 0;
        std::vector<xen::BlkifSegment> segs;
        std::vector<std::uint8_t*> pages;
    };
    std::vector<Delayed> delayed_;
    bool delay_ = false;

    SimXen& xen_;
    std::vector<std::uint8_t> disk_;
    Options options_;
    std::uint8_t* ring_ = nullptr;
    unsigned slots_ = 0;
    std::vector<std::uint32_t> ring_refs_;
    EvtchnPort port_{};
    std::uint32_t req_cons_ = 0;
    std::uint32_t rsp_prod_pvt_ = 0;
    std::optional<std::uint64_t> fail_sector_;
    std::int16_t fail_status_ = -1;
    bool stalled_ = false;
    bool bogus_id_ = false;
    bool duplicate_ = false;
    bool hold_grants_ = false;
    bool corrupt_index_ = false;
    bool persistent_ = false;
    bool linger_ = false;
    bool overrun_ = false;
    std::vector<std::uint32_t> lingering_;  // refs mapped writable, kept after detach
    std::optional<std::uint64_t> close_at_;
    std::function<void()> on_close_;
    std::map<std::uint32_t, std::uint8_t*> pcache_;
    Stats stats_{};
};

}  // namespace xb::sim
