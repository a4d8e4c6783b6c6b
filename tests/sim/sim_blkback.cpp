#include "tests/sim/sim_blkback.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "drivers/pvblock/front_ring.h"

namespace xb::sim {

using pvblock::SringHeader;

SimBlkback::SimBlkback(SimXen& xen, std::vector<std::uint8_t> disk, Options options)
    : xen_(xen), disk_(std::move(disk)), options_(options) {
    xen_.on_idle([this] { service(); });
}

void SimBlkback::attach(const std::uint32_t* ring_refs, unsigned ring_pages, EvtchnPort frontend_port) {
    ring_refs_.assign(ring_refs, ring_refs + ring_pages);
    std::uint8_t* first = nullptr;
    for (unsigned i = 0; i < ring_pages; ++i) {
        auto* page = static_cast<std::uint8_t*>(xen_.map_grant(ring_refs[i], options_.domid, true));
        if (page == nullptr) {
            std::fprintf(stderr, "sim blkback: ring grant %u not mappable\n", ring_refs[i]);
            std::abort();
        }
        if (i == 0) first = page;
        else if (page != first + i * 4096) {
            std::fprintf(stderr, "sim blkback: ring pages are not contiguous in guest RAM\n");
            std::abort();
        }
    }
    ring_ = first;
    slots_ = pvblock::ring_slots(ring_pages);
    port_ = frontend_port;
    req_cons_ = 0;
    rsp_prod_pvt_ = 0;
    // Notifications from the frontend: real blkback wakes its thread; here the
    // work happens when the frontend next yields (see service()).
    xen_.connect(frontend_port, [] {});
}

std::uint8_t* SimBlkback::map(std::uint32_t ref, bool backend_writes) {
    if (!persistent_) return static_cast<std::uint8_t*>(xen_.map_grant(ref, options_.domid, backend_writes));
    auto it = pcache_.find(ref);
    if (it != pcache_.end()) return it->second;
    auto* page = static_cast<std::uint8_t*>(xen_.map_grant(ref, options_.domid, true));
    if (page != nullptr) pcache_[ref] = page;
    return page;
}

void SimBlkback::unmap(std::uint32_t ref, bool backend_writes) {
    if (!persistent_) xen_.unmap_grant(ref, backend_writes);
}

void SimBlkback::detach() {
    if (linger_) {
        // Keep the mappings (and ring_, to answer late); let_go() drops them.
        for (auto& [ref, page] : pcache_) lingering_.push_back(ref);
        pcache_.clear();
        lingering_.insert(lingering_.end(), ring_refs_.begin(), ring_refs_.end());
        ring_refs_.clear();
        return;
    }
    for (auto& [ref, page] : pcache_) xen_.unmap_grant(ref, true);
    pcache_.clear();
    for (std::uint32_t ref : ring_refs_) xen_.unmap_grant(ref, true);
    ring_refs_.clear();
    ring_ = nullptr;
}

void SimBlkback::let_go() {
    linger_ = false;
    for (std::uint32_t ref : lingering_) xen_.unmap_grant(ref, true);
    lingering_.clear();
    if (ring_refs_.empty()) ring_ = nullptr;  // the lingering ring, not a new one
}

void SimBlkback::service() {
    if (ring_ == nullptr || stalled_) return;
    auto* sring = reinterpret_cast<SringHeader*>(ring_);
    const std::uint32_t old = __atomic_load_n(&sring->rsp_prod, __ATOMIC_RELAXED);
    bool any = false;
    if (!delay_ && !delayed_.empty()) {
        finish_delayed();
        any = true;
    }
    std::uint32_t prod = __atomic_load_n(&sring->req_prod, __ATOMIC_ACQUIRE);
    if (prod - req_cons_ > slots_) {
        std::fprintf(stderr, "sim blkback: frontend overflowed the ring\n");
        std::abort();
    }
    unsigned batch = prod - req_cons_;
    if (batch > stats_.max_batch) stats_.max_batch = batch;
    for (; req_cons_ != prod; ++req_cons_) {
        if (close_at_ && stats_.requests >= *close_at_) {
            stalled_ = true;  // gone: the remaining requests are never answered
            close_at_.reset();
            if (on_close_) on_close_();
            break;
        }
        std::uint8_t slot[pvblock::kSlotSize];
        std::memcpy(slot, ring_ + sizeof(SringHeader) + (req_cons_ & (slots_ - 1)) * pvblock::kSlotSize, sizeof slot);
        if (delay_) {
            delay(slot);
            continue;
        }
        std::uint8_t op = 0;
        std::uint64_t id = 0;
        std::int16_t status = handle(slot, op, id);
        if (bogus_id_) {
            id += 1000;
            bogus_id_ = false;
        }
        respond(id, op, status);
        if (duplicate_) {
            respond(id, op, status);
            duplicate_ = false;
        }
        any = true;
    }
    if (any) publish_responses(old);
}

void SimBlkback::publish_responses(std::uint32_t old) {
    auto* sring = reinterpret_cast<SringHeader*>(ring_);
    std::uint32_t now = corrupt_index_ ? rsp_prod_pvt_ + 1000 : rsp_prod_pvt_;
    corrupt_index_ = false;
    __atomic_store_n(&sring->rsp_prod, now, __ATOMIC_RELEASE);
    std::uint32_t event = __atomic_load_n(&sring->rsp_event, __ATOMIC_SEQ_CST);
    if (static_cast<std::uint32_t>(now - event) < static_cast<std::uint32_t>(now - old)) xen_.raise(port_);
}

void SimBlkback::delay(const std::uint8_t* slot) {
    // Plain and indirect requests of valid shape only (what the tests send).
    Delayed d;
    if (slot[0] == xen::kBlkifOpIndirect) {
        xen::BlkifRequestIndirect req;
        std::memcpy(&req, slot, sizeof req);
        d.id = req.id;
        d.op = req.indirect_op;
        d.write = req.indirect_op == xen::kBlkifOpWrite;
        d.sector = req.sector_number;
        if (!read_indirect_segments(req, d.segs)) std::abort();
    } else {
        xen::BlkifRequest req;
        std::memcpy(&req, slot, sizeof req);
        d.id = req.id;
        d.op = req.operation;
        d.write = req.operation == xen::kBlkifOpWrite;
        d.sector = req.sector_number;
        d.segs.assign(req.seg, req.seg + req.nr_segments);
    }
    for (const xen::BlkifSegment& seg : d.segs) d.pages.push_back(map(seg.gref, !d.write));
    delayed_.push_back(std::move(d));
}

void SimBlkback::finish_delayed() {
    for (Delayed& d : delayed_) {
        std::uint64_t at = d.sector * 512;
        std::int16_t status = xen::kBlkifRspOkay;
        for (std::size_t i = 0; i < d.segs.size(); ++i) {
            std::uint8_t* page = d.pages[i];
            if (page == nullptr) {
                status = xen::kBlkifRspError;
                continue;
            }
            std::size_t off = d.segs[i].first_sect * 512u;
            std::size_t len = (d.segs[i].last_sect - d.segs[i].first_sect + 1u) * 512u;
            if (at + len <= disk_.size()) {
                if (d.write) std::memcpy(&disk_[at], page + off, len);
                else std::memcpy(page + off, &disk_[at], len);  // a late write into the frontend's page
            }
            at += len;
            unmap(d.segs[i].gref, !d.write);
        }
        ++stats_.requests;
        respond(d.id, d.op, status);
    }
    delayed_.clear();
}

void SimBlkback::respond(std::uint64_t id, std::uint8_t op, std::int16_t status) {
    xen::BlkifResponse r{id, op, 0, status, 0};
    std::memcpy(ring_ + sizeof(SringHeader) + (rsp_prod_pvt_ & (slots_ - 1)) * pvblock::kSlotSize, &r, sizeof r);
    ++rsp_prod_pvt_;
}

std::int16_t SimBlkback::handle(const std::uint8_t* slot, std::uint8_t& op_out, std::uint64_t& id_out) {
    std::uint8_t op = slot[0];
    op_out = op;
    if (op == xen::kBlkifOpIndirect) {
        xen::BlkifRequestIndirect req;
        std::memcpy(&req, slot, sizeof req);
        id_out = req.id;
        op_out = req.indirect_op;  // as Linux blkback answers
        unsigned n = req.nr_segments;
        unsigned pages = (n + xen::kBlkifSegmentsPerIndirectPage - 1) / xen::kBlkifSegmentsPerIndirectPage;
        if (options_.max_indirect_segments == 0 || n == 0 || n > options_.max_indirect_segments ||
            pages > xen::kBlkifMaxIndirectPagesPerRequest ||
            (req.indirect_op != xen::kBlkifOpRead && req.indirect_op != xen::kBlkifOpWrite)) {
            ++stats_.invalid;
            return xen::kBlkifRspError;
        }
        std::vector<xen::BlkifSegment> segs;
        if (!read_indirect_segments(req, segs)) {
            ++stats_.invalid;
            return xen::kBlkifRspError;
        }
        ++stats_.indirect_requests;
        return transfer(req.indirect_op == xen::kBlkifOpWrite, req.sector_number, segs.data(), n);
    }
    xen::BlkifRequest req;
    std::memcpy(&req, slot, sizeof req);
    id_out = req.id;
    if ((op != xen::kBlkifOpRead && op != xen::kBlkifOpWrite) || req.nr_segments == 0 ||
        req.nr_segments > xen::kBlkifMaxSegmentsPerRequest) {
        ++stats_.invalid;
        return op == xen::kBlkifOpRead || op == xen::kBlkifOpWrite ? xen::kBlkifRspError : xen::kBlkifRspEopnotsupp;
    }
    return transfer(op == xen::kBlkifOpWrite, req.sector_number, req.seg, req.nr_segments);
}

bool SimBlkback::read_indirect_segments(const xen::BlkifRequestIndirect& req, std::vector<xen::BlkifSegment>& segs) {
    const unsigned n = req.nr_segments;
    const unsigned pages = (n + xen::kBlkifSegmentsPerIndirectPage - 1) / xen::kBlkifSegmentsPerIndirectPage;
    segs.resize(n);
    for (unsigned p = 0; p < pages; ++p) {
        auto* page = map(req.indirect_grefs[p], false);
        if (page == nullptr) return false;
        unsigned count = std::min(n - p * xen::kBlkifSegmentsPerIndirectPage, xen::kBlkifSegmentsPerIndirectPage);
        std::memcpy(&segs[p * xen::kBlkifSegmentsPerIndirectPage], page, count * sizeof(xen::BlkifSegment));
        unmap(req.indirect_grefs[p], false);
    }
    return true;
}

std::int16_t SimBlkback::transfer(bool write, std::uint64_t sector, const xen::BlkifSegment* segs, unsigned n) {
    ++stats_.requests;
    if (n > stats_.max_segments) stats_.max_segments = n;
    if (write && options_.read_only) return xen::kBlkifRspError;
    std::uint64_t nsec = 0;
    const unsigned per_logical = options_.sector_size / 512;
    for (unsigned i = 0; i < n; ++i) {
        if (segs[i].last_sect >= 8 || segs[i].last_sect < segs[i].first_sect) {
            ++stats_.invalid;
            return xen::kBlkifRspError;
        }
        unsigned segsec = segs[i].last_sect - segs[i].first_sect + 1u;
        if (segsec % per_logical != 0) {  // blkback: "Misaligned I/O request"
            ++stats_.invalid;
            return xen::kBlkifRspError;
        }
        nsec += segsec;
    }
    if (sector % per_logical != 0 || sector + nsec > sectors()) {
        ++stats_.invalid;
        return xen::kBlkifRspError;
    }
    if (fail_sector_ && *fail_sector_ >= sector && *fail_sector_ < sector + nsec) return fail_status_;
    std::uint64_t at = sector * 512;
    for (unsigned i = 0; i < n; ++i) {
        auto* page = map(segs[i].gref, !write);
        if (page == nullptr) {  // not granted to us, or read-only for a read
            ++stats_.invalid;
            return xen::kBlkifRspError;
        }
        std::size_t off = segs[i].first_sect * 512u;
        std::size_t len = (segs[i].last_sect - segs[i].first_sect + 1u) * 512u;
        if (!write && overrun_) std::memset(page, 0xee, 4096);  // the fault: the whole page
        if (write) std::memcpy(&disk_[at], page + off, len);
        else std::memcpy(page + off, &disk_[at], len);
        at += len;
        stats_.bytes += len;
        if (hold_grants_) continue;  // the fault: "forget" to unmap
        unmap(segs[i].gref, !write);
    }
    hold_grants_ = false;
    return xen::kBlkifRspOkay;
}

}  // namespace xb::sim
