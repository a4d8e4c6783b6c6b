#include "drivers/pvblock/blk_queue.h"

#include <new>

#include "drivers/xen/hypercall.h"
#include "lib/format.h"
#include "lib/scope_guard.h"

namespace xb::pvblock {
namespace {
unsigned indirect_pages_for(unsigned segments) {
    return (segments + xen::kBlkifSegmentsPerIndirectPage - 1) / xen::kBlkifSegmentsPerIndirectPage;
}
}  // namespace

Status BlkQueue::init(xen::XenPort& xen, xen::EventChannels& events, xen::GrantTable& grants, Heap& heap, DomId backend,
                      QueueConfig config, const char* name) {
    xen_ = &xen;
    events_ = &events;
    grants_ = &grants;
    heap_ = &heap;
    backend_ = backend;
    format_to(name_, sizeof name_, "%s", name);
    if (config.ring_order > kMaxRingOrder) config.ring_order = kMaxRingOrder;
    if (config.max_segments > kMaxSegments) config.max_segments = kMaxSegments;
    if (config.max_segments < xen::kBlkifMaxSegmentsPerRequest) config.max_segments = xen::kBlkifMaxSegmentsPerRequest;
    config_ = config;
    // A fresh ring: nothing of an earlier connection's failures or counts applies.
    broken_ = false;
    in_flight_ = 0;
    stats_ = Stats{};

    // Every early return from here on (TRY included) gives back what the
    // steps before it took; teardown() knows how far they got.
    ScopeGuard undo([this] { (void)teardown(); });
    const unsigned pages = ring_pages();
    ring_mem_ = heap.alloc(pages * 4096u, 4096);
    if (ring_mem_ == nullptr) return Error::make(Errc::no_memory, "%s: no memory for a %u-page ring", name_, pages);
    ring_.init(ring_mem_, pages);
    slots_ = ring_.size() < config_.max_in_flight ? ring_.size() : config_.max_in_flight;
    if (slots_ == 0) slots_ = 1;
    shadow_ = static_cast<Shadow*>(heap.alloc(slots_ * sizeof(Shadow)));
    if (shadow_ == nullptr) return Error::make(Errc::no_memory, "%s: no memory for %u request slots", name_, slots_);
    for (unsigned i = 0; i < slots_; ++i) new (&shadow_[i]) Shadow();

    for (unsigned i = 0; i < pages; ++i) {
        void* page = static_cast<std::uint8_t*>(ring_mem_) + i * 4096u;
        ring_refs_[i] = TRY_CTX(grants.grant(backend, xen.gfn_of(page), false), "%s: granting ring page %u", name_, i);
        ring_granted_ = i + 1;
    }
    const bool indirect = config_.max_segments > xen::kBlkifMaxSegmentsPerRequest;
    const unsigned ipages = indirect ? indirect_pages_for(config_.max_segments) : 0;
    for (unsigned s = 0; s < slots_; ++s) {
        Shadow& sh = shadow_[s];
        sh.grefs = static_cast<GrantRef*>(heap.alloc(config_.max_segments * sizeof(GrantRef)));
        if (sh.grefs == nullptr) return Error::make(Errc::no_memory, "%s: no memory for request grants", name_);
        if (!indirect) continue;
        // Indirect pages are granted once and reused by every request in this
        // slot: only data pages are granted per request. Read-only, except
        // when persistent grants are offered: blkback then maps every grant
        // writable (a persistent mapping serves reads and writes alike).
        sh.indirect = static_cast<xen::BlkifSegment*>(heap.alloc(ipages * 4096u, 4096));
        if (sh.indirect == nullptr) return Error::make(Errc::no_memory, "%s: no memory for indirect pages", name_);
        for (unsigned p = 0; p < ipages; ++p) {
            sh.indirect_refs[p] =
                TRY_CTX(grants.grant(backend, xen.gfn_of(sh.indirect + p * xen::kBlkifSegmentsPerIndirectPage),
                                     config_.persistent_pages == 0),
                        "%s: granting an indirect page", name_);
            sh.indirect_granted = p + 1;
        }
    }
    if (config_.persistent_pages != 0) {
        const unsigned pool_pages = config_.persistent_pages > 0xffff ? 0xffff : config_.persistent_pages;
        // Nothing of the pool may survive a failure here (the guard sees to
        // it): a queue that offered feature-persistent must really have the
        // pool (see drop_persistent), and one that did not must not offer it.
        pool_ = static_cast<std::uint8_t*>(heap.alloc(std::size_t{pool_pages} * 4096, 4096));
        pool_refs_ = static_cast<GrantRef*>(heap.alloc(pool_pages * sizeof(GrantRef)));
        pool_free_ = static_cast<std::uint16_t*>(heap.alloc(pool_pages * sizeof(std::uint16_t)));
        if (pool_ == nullptr || pool_refs_ == nullptr || pool_free_ == nullptr) {
            return Error::make(Errc::no_memory, "%s: no memory for %u persistent pages", name_, pool_pages);
        }
        pool_pages_ = pool_pages;
        pool_free_count_ = 0;
        for (unsigned i = 0; i < pool_pages_; ++i) {
            pool_refs_[i] = TRY_CTX(grants.grant(backend, xen.gfn_of(pool_page(i)), false),
                                    "%s: granting the persistent pool", name_);
            pool_granted_ = i + 1;
            pool_free_[pool_free_count_++] = static_cast<std::uint16_t>(pool_pages_ - 1 - i);
        }
        for (unsigned s = 0; s < slots_; ++s) {
            shadow_[s].pool_pages =
                static_cast<std::uint16_t*>(heap.alloc(config_.max_segments * sizeof(std::uint16_t)));
            if (shadow_[s].pool_pages == nullptr)
                return Error::make(Errc::no_memory, "%s: no memory for request state", name_);
        }
    }
    port_ = TRY_CTX(xen::evtchn_alloc_unbound(xen, backend), "%s", name_);
    TRY(events.bind_polled(port_));
    undo.cancel();
    return ok();
}

namespace {
// Ends refs[0..count); true if every grant ended. The first failure goes to
// `first` (if it holds none yet). Ending is always safe: a grant the backend
// still maps fails with Errc::busy and stays as it is.
bool end_grants(xen::GrantTable& grants, const GrantRef* refs, unsigned count, Status& first) {
    bool all = true;
    for (unsigned i = 0; i < count; ++i) {
        Status s = grants.end(refs[i]);
        if (s.ok()) continue;
        all = false;
        if (first.ok()) first = s;
    }
    return all;
}
}  // namespace

Status BlkQueue::teardown() {
    Status first = ok();
    if (shadow_ != nullptr) {
        for (unsigned s = 0; s < slots_; ++s) {
            Shadow& sh = shadow_[s];
            if (sh.in_flight) {
                // The backend may still write into these pages: leave them
                // granted (and this slot's memory allocated) for good.
                if (first.ok()) first = Error::make(Errc::busy, "%s: request %u still in flight at teardown", name_, s);
                continue;
            }
            // An indirect page the backend still maps is leaked, not freed.
            if (end_grants(*grants_, sh.indirect_refs, sh.indirect_granted, first)) heap_->free(sh.indirect);
            sh.indirect_granted = 0;
            heap_->free(sh.grefs);
            heap_->free(sh.pool_pages);
        }
        heap_->free(shadow_);
        shadow_ = nullptr;
    }
    in_flight_ = 0;
    if (pool_ != nullptr || pool_refs_ != nullptr || pool_free_ != nullptr) {
        Status released = release_pool();
        if (!released.ok() && first.ok()) first = released;
    }
    if (ring_mem_ != nullptr) {
        // Ring pages the backend still maps are leaked, not freed.
        if (end_grants(*grants_, ring_refs_, ring_granted_, first)) heap_->free(ring_mem_);
        for (GrantRef& ref : ring_refs_) ref = GrantRef(0);
        ring_granted_ = 0;
        ring_mem_ = nullptr;
    }
    if (port_.value() != 0) {
        Status closed = xen::evtchn_close(*xen_, port_);
        if (!closed.ok() && first.ok()) first = closed;
        port_ = EvtchnPort(0);
    }
    return first;
}

Status BlkQueue::release_pool() {
    Status first = ok();
    // The pages go back to the heap only once no grant to them is left (the
    // backend maps persistent grants until it disconnects); the bookkeeping
    // arrays were never shared and always go.
    if (end_grants(*grants_, pool_refs_, pool_granted_, first)) heap_->free(pool_);
    heap_->free(pool_refs_);
    heap_->free(pool_free_);
    pool_ = nullptr;
    pool_refs_ = nullptr;
    pool_free_ = nullptr;
    pool_pages_ = pool_granted_ = pool_free_count_ = 0;
    return first;
}

Status BlkQueue::drop_persistent() {
    if (pool_ == nullptr) return ok();
    if (stats_.requests != 0) return Error::make(Errc::busy, "%s: persistent grants already in use", name_);
    for (unsigned s = 0; s < slots_; ++s) {
        heap_->free(shadow_[s].pool_pages);
        shadow_[s].pool_pages = nullptr;
    }
    return release_pool();
}

bool BlkQueue::can_submit() const {
    // Grants (or pool pages) are shared: when they run short, wait for
    // completions to return some (backpressure, not an error), unless nothing
    // is in flight to return them.
    if (in_flight_ == 0) return true;
    return persistent() ? pool_free_count_ >= config_.max_segments : grants_->available() >= config_.max_segments;
}

unsigned BlkQueue::free_slot() const {
    for (unsigned s = 0; s < slots_; ++s) {
        if (!shadow_[s].in_flight) return s;
    }
    return slots_;
}

Result<std::uint64_t> BlkQueue::submit_one(bool write, std::uint64_t sector, std::uint8_t* addr, std::uint64_t bytes) {
    const unsigned slot = free_slot();
    if (slot == slots_) return Error::make(Errc::busy, "%s: no free request slot", name_);
    Shadow& sh = shadow_[slot];
    const bool indirect_ok = config_.max_segments > xen::kBlkifMaxSegmentsPerRequest;
    xen::BlkifSegment plain[xen::kBlkifMaxSegmentsPerRequest];

    unsigned n = 0;
    std::uint64_t covered = 0;
    sh.dest = nullptr;
    while (persistent() && covered < bytes && n < config_.max_segments && pool_free_count_ != 0) {
        // Whole pool pages from offset 0; the copy makes the caller's alignment irrelevant.
        std::uint16_t page = pool_free_[--pool_free_count_];
        std::uint64_t chunk = bytes - covered < 4096 ? bytes - covered : 4096;
        if (write) std::memcpy(pool_page(page), addr + covered, chunk);
        sh.pool_pages[n] = page;
        xen::BlkifSegment seg{pool_refs_[page].value(), 0, static_cast<std::uint8_t>(chunk / 512 - 1), 0};
        if (n < xen::kBlkifMaxSegmentsPerRequest) plain[n] = seg;
        if (indirect_ok) sh.indirect[n] = seg;
        ++n;
        covered += chunk;
    }
    if (persistent()) {
        sh.dest = write ? nullptr : addr;
        if (n == 0) return Error::make(Errc::busy, "%s: no free persistent page", name_);
    }
    while (!persistent() && covered < bytes && n < config_.max_segments) {
        std::uint8_t* p = addr + covered;
        unsigned offset = static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(p) & 4095);
        std::uint64_t chunk = 4096u - offset;
        if (chunk > bytes - covered) chunk = bytes - covered;
        // Grant the caller's page itself: no copy. The backend writes it for a
        // read and only reads it for a write.
        Result<GrantRef> ref = grants_->grant(backend_, xen_->gfn_of(p), write);
        if (!ref.ok()) {
            for (unsigned i = 0; i < n; ++i) (void)grants_->end(sh.grefs[i]);
            return ref.error().prefix("%s", name_);
        }
        sh.grefs[n] = ref.value();
        xen::BlkifSegment seg{ref.value().value(), static_cast<std::uint8_t>(offset / 512),
                              static_cast<std::uint8_t>((offset + chunk) / 512 - 1), 0};
        if (n < xen::kBlkifMaxSegmentsPerRequest) plain[n] = seg;
        if (indirect_ok) sh.indirect[n] = seg;
        ++n;
        covered += chunk;
    }

    const std::uint8_t data_op = write ? xen::kBlkifOpWrite : xen::kBlkifOpRead;
    void* slot_mem = ring_.next_request();
    if (n <= xen::kBlkifMaxSegmentsPerRequest) {
        xen::BlkifRequest req{};
        req.operation = data_op;
        req.nr_segments = static_cast<std::uint8_t>(n);
        req.handle = 0;
        req.id = slot;
        req.sector_number = sector;
        for (unsigned i = 0; i < n; ++i) req.seg[i] = plain[i];
        std::memcpy(slot_mem, &req, sizeof req);
        sh.operation = data_op;
    } else {
        xen::BlkifRequestIndirect req{};
        req.operation = xen::kBlkifOpIndirect;
        req.indirect_op = data_op;
        req.nr_segments = static_cast<std::uint16_t>(n);
        req.id = slot;
        req.sector_number = sector;
        req.handle = 0;
        for (unsigned p = 0; p < indirect_pages_for(n); ++p) req.indirect_grefs[p] = sh.indirect_refs[p].value();
        std::memcpy(slot_mem, &req, sizeof req);
        sh.operation = xen::kBlkifOpIndirect;
        ++stats_.indirect_requests;
    }
    sh.in_flight = true;
    sh.data_op = data_op;
    sh.sector = sector;
    sh.bytes = covered;
    sh.nsegs = n;
    ++in_flight_;
    ++stats_.requests;
    if (in_flight_ > stats_.max_in_flight) stats_.max_in_flight = in_flight_;
    return covered;
}

Result<unsigned> BlkQueue::complete_responses(std::uint64_t& done, Error* first_error, bool& failed) {
    xen::BlkifResponse rsp[32];
    unsigned n = TRY_CTX(ring_.take_responses(rsp, 32), "%s", name_);
    for (unsigned i = 0; i < n; ++i) {
        const xen::BlkifResponse& r = rsp[i];
        if (r.id >= slots_ || !shadow_[r.id].in_flight) {
            return Error::make(Errc::bad_data, "%s: backend answered request id %lu, which is not in flight", name_,
                               r.id);
        }
        Shadow& sh = shadow_[r.id];
        // blkback answers an indirect request with either operation code.
        if (r.operation != sh.operation && r.operation != sh.data_op) {
            return Error::make(Errc::bad_data, "%s: response to request %lu has operation %u, expected %u", name_, r.id,
                               r.operation, sh.operation);
        }
        Status ended = ok();
        if (persistent()) {
            for (unsigned g = 0; g < sh.nsegs; ++g) {
                std::uint64_t off = std::uint64_t{g} * 4096;
                std::uint64_t chunk = sh.bytes - off < 4096 ? sh.bytes - off : 4096;
                if (sh.dest != nullptr && r.status == xen::kBlkifRspOkay)
                    std::memcpy(sh.dest + off, pool_page(sh.pool_pages[g]), chunk);
                pool_free_[pool_free_count_++] = sh.pool_pages[g];
            }
        }
        for (unsigned g = 0; !persistent() && g < sh.nsegs; ++g) {
            Status e = grants_->end(sh.grefs[g]);
            if (!e.ok() && ended.ok()) ended = e;
        }
        sh.in_flight = false;
        --in_flight_;
        if (!ended.ok()) return ended.error().prefix("%s: after request at sector %lu", name_, sh.sector);
        if (r.status != xen::kBlkifRspOkay) {
            if (!failed) {
                *first_error =
                    Error::make(Errc::io, "%s: %s of %lu bytes at sector %lu failed: backend status %d (%s)", name_,
                                sh.data_op == xen::kBlkifOpWrite ? "write" : "read", sh.bytes, sh.sector, r.status,
                                r.status == xen::kBlkifRspEopnotsupp ? "not supported" : "I/O error");
            }
            failed = true;
        } else {
            done += sh.bytes;
        }
    }
    return n;
}

Status BlkQueue::wait_for_responses() {
    // Sleep, do not spin: dom0's blkback needs the CPU we would burn (under
    // QEMU this was 36 -> 243 MiB/s with persistent grants). Clear the event,
    // look at the ring, then sleep until the next event or the stall deadline.
    Deadline stall = Deadline::after_ms(config_.stall_timeout_ms);
    for (;;) {
        events_->consume(port_);
        if (ring_.arm_response_event()) return ok();
        if (stall.expired()) {
            return Error::make(Errc::timeout, "%s: no response for %lu ms (%u requests in flight)", name_,
                               config_.stall_timeout_ms, in_flight_);
        }
        if (!events_->block_on(port_, stall).ok()) (void)xen::sched_yield(*xen_);
    }
}

Status BlkQueue::transfer(bool write, std::uint64_t sector, void* buf, std::uint64_t bytes, Progress* progress) {
    if (shadow_ == nullptr) return Error::make(Errc::io, "%s: not connected", name_);
    if (broken_) {
        return Error::make(Errc::io, "%s: the ring is unusable after an earlier backend failure (reconnect needed)",
                           name_);
    }
    if (bytes % 512 != 0 || (!persistent() && reinterpret_cast<std::uintptr_t>(buf) % 512 != 0)) {
        return Error::make(Errc::invalid_argument, "%s: transfer of %lu bytes at %p is not 512-byte aligned", name_,
                           bytes, buf);
    }
    auto* base = static_cast<std::uint8_t*>(buf);
    std::uint64_t submitted = 0;
    std::uint64_t done = 0;
    bool failed = false;
    bool stopped = false;
    Error first_error = Error::make(Errc::io, "%s: no error", name_);

    for (;;) {
        bool produced = false;
        while (!failed && !stopped && submitted < bytes && !ring_.full() && in_flight_ < slots_ && can_submit()) {
            Result<std::uint64_t> covered =
                submit_one(write, sector + submitted / 512, base + submitted, bytes - submitted);
            if (!covered.ok()) {
                first_error = covered.error();
                failed = true;
                break;
            }
            submitted += covered.value();
            produced = true;
        }
        if (produced && ring_.push()) {
            ++stats_.notifications;
            TRY_CTX(events_->notify(port_), "%s: notifying the backend", name_);
        }
        if (in_flight_ == 0) break;

        Status waited = wait_for_responses();
        Result<unsigned> completed =
            waited.ok() ? complete_responses(done, &first_error, failed) : Result<unsigned>(waited.error());
        if (!completed.ok()) {
            // In-flight requests keep their grants: the backend may still use
            // those pages, so nothing is reused until a reconnect.
            broken_ = true;
            return completed.error();
        }
        if (progress != nullptr && !progress->update(done, bytes)) stopped = true;
    }
    if (failed) return first_error;
    if (stopped) return Error::make(Errc::interrupted, "%s: interrupted after %lu of %lu bytes", name_, done, bytes);
    return ok();
}

}  // namespace xb::pvblock
