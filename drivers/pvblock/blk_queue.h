// The I/O engine of the PV block frontend: one shared ring with a shadow entry
// per slot. A transfer becomes a pipeline of requests that keeps the ring full:
// each request grants the destination (or source) pages themselves, up to the
// backend's indirect-segment limit (256 segments = 1 MiB) or 11 segments
// without indirect descriptors. Only whole, page-aligned pages of the caller's
// buffer are granted; a partial first or last page goes through one of two
// bounce pages that hold nothing else, so a backend that writes outside a
// segment's sectors cannot reach the caller's neighbouring data (a stack or
// heap object). Responses are validated (id in range, slot in flight,
// operation matching), grants are ended only once the backend has let go of
// the page, and an error status fails the whole transfer with the sector and
// status. No response for `stall_timeout_ms` while requests are in flight is
// an error too: a backend that stalls never hangs xenboot.
//
// Page lifetime: a page granted to the backend goes back to the heap only
// once its grant has ended. A grant that cannot be ended (the backend still
// maps the page) goes to the grant table's quarantine with its page
// (drivers/xen/grant_quarantine.h), which ends it and frees the page later.
#pragma once

#include <cstddef>
#include <cstdint>

#include "drivers/pvblock/front_ring.h"
#include "drivers/xen/event_channels.h"
#include "drivers/xen/grant_table.h"
#include "lib/heap.h"

namespace xb::pvblock {

struct QueueConfig {
    unsigned ring_order = 0;     // 2^order ring pages (max-ring-page-order)
    unsigned max_segments = 11;  // > 11: indirect descriptors (feature-max-indirect-segments)
    std::uint64_t stall_timeout_ms = 10000;
    // feature-persistent: data goes through a pool of pages granted once, which
    // blkback maps once and keeps (up to 1056 per ring in Linux), instead of a
    // map and unmap per request; costs a copy. 0 pages: grant the caller's pages.
    unsigned persistent_pages = 0;
    // Requests in flight at most (each costs an indirect page and bookkeeping);
    // grants or the persistent pool limit useful depth well below 512 anyway.
    unsigned max_in_flight = 64;
};

// Called after each completed request with the bytes done so far; returning
// false stops the transfer (Ctrl-C) once in-flight requests are drained.
struct Progress {
    virtual bool update(std::uint64_t done, std::uint64_t total) = 0;

  protected:
    ~Progress() = default;
};

class BlkQueue {
  public:
    static constexpr unsigned kMaxRingOrder = 4;
    static constexpr unsigned kMaxSegments = 256;
    // Linux blkback maps at most max_persistent_grants (default 1056) grants
    // per ring persistently; past that it maps and unmaps per request and
    // its LRU purge (every 100 ms, 5%) unmaps persistent ones to make room.
    // Indirect pages are mapped the same way as data pages, so pool and
    // indirect pages together stay within it.
    static constexpr unsigned kBackendPersistentGrants = 1056;

    // Allocates and grants the ring and the indirect pages, allocates the event
    // channel. name appears in errors ("vbd 51712"). On failure nothing is
    // left: what was taken is released again (as by teardown()).
    Status init(xen::XenPort& xen, xen::EventChannels& events, xen::GrantTable& grants, Heap& heap, DomId backend,
                QueueConfig config, const char* name);
    // Ends every grant, closes the event channel, frees memory. Safe on a
    // queue that was never (or only partly) set up, and twice. A page whose
    // grant cannot be ended (the backend still maps it) goes to the grant
    // quarantine, never back to the heap: the heap would hand it out again
    // while another domain writes it. So do the grants of requests still in
    // flight, which may point into the caller's memory (see
    // left_caller_pages_granted()).
    Status teardown();
    // The last teardown left grants to pages of a caller's buffer in the
    // quarantine (requests in flight): that buffer must not be freed.
    bool left_caller_pages_granted() const { return caller_pages_held_; }

    unsigned ring_pages() const { return 1u << config_.ring_order; }
    GrantRef ring_ref(unsigned page) const { return ring_refs_[page]; }
    EvtchnPort port() const { return port_; }
    const QueueConfig& config() const { return config_; }
    unsigned persistent_pages() const { return pool_ != nullptr ? pool_pages_ : 0; }
    // The backend did not take up feature-persistent: end the pool's grants
    // and free it; requests then grant the caller's pages. Only before the
    // first transfer (blkback caches persistent mappings by reference, so the
    // two modes must never mix on one ring).
    Status drop_persistent();

    // blkback maps a persistent grant the first time a request uses it
    // (Linux 6.1 xen-blkback xen_blkbk_map: a page from its free pool or a
    // new ballooned one, a map hypercall per 11 grants, an rb-tree insert),
    // which made the first 4 MiB read after a connect several times slower
    // than later ones. This reads sector 0 (data discarded) through every
    // pool page and every slot's indirect page once, in requests spread over
    // all slots, so that cost is paid now (e.g. while the prompt waits for
    // input). `sectors`: the disk's size in 512-byte units. Sends at most
    // `max_requests` requests and waits for them (so a caller polling for
    // input stays responsive), then returns whether every page has been used
    // (call again until true). True at once without a pool.
    Result<bool> warm_pool(std::uint64_t sectors, unsigned max_requests);

    // Reads or writes `bytes` (a multiple of 512) at 512-byte sector `sector`.
    // buf must be 512-aligned (callers bounce other buffers) and lie in memory
    // the backend may be granted.
    Status transfer(bool write, std::uint64_t sector, void* buf, std::uint64_t bytes, Progress* progress);

    struct Stats {
        std::uint64_t requests = 0;
        std::uint64_t indirect_requests = 0;
        std::uint64_t max_in_flight = 0;
        std::uint64_t notifications = 0;
        std::uint64_t bounced = 0;  // segments that went through a bounce page
    };
    const Stats& stats() const { return stats_; }

  private:
    static constexpr unsigned kBouncePages = 2;  // a transfer has at most a partial first and last page

    struct Bounce {
        unsigned seg = 0;              // which segment of the request
        unsigned page = 0;             // which bounce page
        std::uint8_t* dest = nullptr;  // reads: the caller's bytes
        unsigned offset = 0;           // within the page (as in the caller's page)
        unsigned bytes = 0;
    };
    struct Shadow {
        bool in_flight = false;
        std::uint8_t* dest = nullptr;         // persistent reads: where the data goes
        std::uint16_t* pool_pages = nullptr;  // persistent: the pool pages used
        std::uint8_t operation = 0;           // what was sent (read/write or indirect)
        std::uint8_t data_op = 0;             // read or write
        std::uint64_t sector = 0;
        std::uint64_t bytes = 0;
        unsigned nsegs = 0;
        GrantRef* grefs = nullptr;              // kMaxSegments data grants
        xen::BlkifSegment* indirect = nullptr;  // this slot's indirect page(s)
        GrantRef* indirect_refs = nullptr;      // this slot's part of indirect_refs_
        Bounce bounce[kBouncePages];
        unsigned nbounce = 0;
    };

    // Builds one request for [buf+pos, ...) in a free slot; returns bytes covered.
    // `from`: the first slot to look at (warm_pool goes round every slot).
    Result<std::uint64_t> submit_one(bool write, std::uint64_t sector, std::uint8_t* addr, std::uint64_t bytes,
                                     unsigned from = 0);
    // Enough grants (or pool pages) left for a full request, or nothing in flight.
    bool can_submit() const;
    bool persistent() const { return pool_ != nullptr; }
    std::uint8_t* pool_page(unsigned i) const { return pool_ + std::size_t{i} * 4096; }
    // Takes and checks the responses that have arrived; returns how many.
    Result<unsigned> complete_responses(std::uint64_t& done, Error* first_error, bool& failed);
    unsigned free_slot(unsigned from = 0) const;
    Status wait_for_responses();
    // Pushes what was produced, then waits for and takes every response.
    Status drain(std::uint64_t& done, Error* first_error, bool& failed);
    // Ends the pool's grants and frees it (the pages only if every grant
    // ended); the queue has no pool afterwards either way.
    Status release_pool();
    // Ends a request's data grants at completion; one the backend still maps
    // goes to the quarantine (a bounce page with it, out of service).
    Status end_data_grants(Shadow& sh, Status first);
    // A free bounce page, or kBouncePages.
    unsigned take_bounce();

    xen::XenPort* xen_ = nullptr;
    xen::EventChannels* events_ = nullptr;
    xen::GrantTable* grants_ = nullptr;
    Heap* heap_ = nullptr;
    DomId backend_{};
    QueueConfig config_{};
    char name_[32] = {};
    FrontRing ring_;
    void* ring_mem_ = nullptr;
    GrantRef ring_refs_[1u << kMaxRingOrder] = {};
    unsigned ring_granted_ = 0;  // ring_refs_[0..n) are live grants
    EvtchnPort port_{};
    Shadow* shadow_ = nullptr;
    std::uint8_t* indirect_mem_ = nullptr;  // every slot's indirect pages, one block
    GrantRef* indirect_refs_ = nullptr;
    unsigned indirect_granted_ = 0;  // indirect_refs_[0..n) are live grants
    std::uint8_t* bounce_[kBouncePages] = {};
    bool bounce_busy_[kBouncePages] = {};
    bool caller_pages_held_ = false;
    unsigned slots_ = 0;
    unsigned in_flight_ = 0;
    bool broken_ = false;
    std::uint8_t* pool_ = nullptr;  // persistent pages
    GrantRef* pool_refs_ = nullptr;
    std::uint16_t* pool_free_ = nullptr;  // stack of free pool page indices
    unsigned pool_pages_ = 0;
    unsigned pool_granted_ = 0;  // pool_refs_[0..n) are live grants
    unsigned pool_free_count_ = 0;
    unsigned warm_next_ = 0;  // warm_pool: pool pages [0, n) have been used
    unsigned warm_slot_ = 0;  // warm_pool: the slot its next request takes
    Stats stats_{};
};

}  // namespace xb::pvblock
