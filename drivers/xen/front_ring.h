// The frontend side of a Xen shared ring (public/io/ring.h), for any
// protocol: a 64-byte header (req_prod, req_event, rsp_prod, rsp_event,
// padding) followed by 2^k slots of one size that each hold a request or its
// response (blkif, netif TX, netif RX). Indices are free-running 32-bit
// counters. Barriers follow ring.h's macros:
//   RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: wmb; req_prod = pvt; mb; notify if
//       the backend's req_event lies in (old, new];
//   consuming: read rsp_prod; rmb; read the responses (copied out before use);
//   RING_FINAL_CHECK_FOR_RESPONSES: rsp_event = rsp_cons + 1; mb; re-check.
// A producer index that claims more responses than requests are outstanding
// is an error: the backend is broken, and nothing past it is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "arch/arch.h"
#include "drivers/xen/shared_memory.h"
#include "lib/result.h"

namespace xb::xen {

struct SringHeader {
    std::uint32_t req_prod, req_event;
    std::uint32_t rsp_prod, rsp_event;
    std::uint8_t pad[48];
};
static_assert(sizeof(SringHeader) == 64);

// Slots in a ring of `pages` pages with slots of `slot_size` bytes: the
// largest power of two that fits (ring.h __RING_SIZE).
constexpr unsigned ring_slots(unsigned pages, std::size_t slot_size) {
    unsigned n = static_cast<unsigned>((pages * 4096u - sizeof(SringHeader)) / slot_size);
    unsigned p = 1;
    while (p * 2 <= n) p *= 2;
    return p;
}

class FrontRing {
  public:
    // shared: zeroed, page-aligned memory of `pages` pages (SHARED_RING_INIT).
    void init(void* shared, unsigned pages, std::size_t slot_size) {
        sring_ = static_cast<SringHeader*>(shared);
        std::memset(shared, 0, pages * 4096u);
        store_shared(sring_->req_event, 1u);
        store_shared(sring_->rsp_event, 1u);
        slot_size_ = slot_size;
        slots_ = ring_slots(pages, slot_size);
        req_prod_pvt_ = 0;
        rsp_cons_ = 0;
    }

    unsigned size() const { return slots_; }
    // Requests produced but not yet answered (RING_FULL when == size()).
    unsigned outstanding() const { return req_prod_pvt_ - rsp_cons_; }
    bool full() const { return outstanding() >= slots_; }
    // Free-running indices: the next request's, the next response's.
    std::uint32_t req_prod_pvt() const { return req_prod_pvt_; }
    std::uint32_t rsp_cons() const { return rsp_cons_; }
    unsigned slot_index(std::uint32_t index) const { return index & (slots_ - 1); }

    // The next free slot for a request; valid until push().
    void* next_request() { return slot(req_prod_pvt_++); }

    // Publishes the produced requests; true if the backend asked to be notified.
    bool push() {
        std::uint32_t old = load_shared(sring_->req_prod);
        std::uint32_t now = req_prod_pvt_;
        arch::barrier_stores();  // requests before the index that publishes them
        store_shared(sring_->req_prod, now);
        arch::barrier_full();  // the new index before reading req_event
        std::uint32_t event = load_shared(sring_->req_event);
        return static_cast<std::uint32_t>(now - event) < static_cast<std::uint32_t>(now - old);
    }

    // Copies out the responses the backend has published (at most `max`, each
    // sizeof(Response) bytes from the start of its slot) and consumes them.
    // An impossible producer index is an error.
    template <typename Response>
    Result<unsigned> take_responses(Response* out, unsigned max) {
        static_assert(sizeof(Response) <= 4096 - sizeof(SringHeader));
        std::uint32_t avail = TRY(available());
        unsigned n = 0;
        for (; n < avail && n < max; ++n) std::memcpy(&out[n], slot(rsp_cons_ + n), sizeof(Response));
        // Finish reading the responses before the slots can be reused.
        arch::barrier_full();
        rsp_cons_ += n;
        return n;
    }

    // Copies the response `ahead` slots past the next one without consuming
    // it (ahead < available()): a protocol whose packets span several slots
    // (netif RX) looks at a whole packet before taking any of it.
    template <typename Response>
    void peek_response(unsigned ahead, Response* out) {
        static_assert(sizeof(Response) <= 4096 - sizeof(SringHeader));
        std::memcpy(out, slot(rsp_cons_ + ahead), sizeof(Response));
    }
    // Consumes `n` responses looked at with peek_response (n <= available()).
    void consume_responses(unsigned n) {
        arch::barrier_full();  // finish reading them before the slots can be reused
        rsp_cons_ += n;
    }

    // Responses published and not yet consumed; an impossible producer index
    // is an error.
    Result<unsigned> available() const {
        std::uint32_t prod = load_shared(sring_->rsp_prod);
        arch::barrier_loads();  // the index before the responses it covers
        std::uint32_t avail = prod - rsp_cons_;
        if (avail > req_prod_pvt_ - rsp_cons_) {
            return Error::make(Errc::bad_data, "backend published response index %u with only %u requests outstanding",
                               prod, req_prod_pvt_ - rsp_cons_);
        }
        return avail;
    }

    // Asks for a notification on the next response; true if one already came.
    // With `seen` responses already looked at (the start of a packet whose
    // rest is still to come), on the one after those instead.
    bool arm_response_event(unsigned seen = 0) {
        store_shared(sring_->rsp_event, rsp_cons_ + seen + 1);
        arch::barrier_full();  // rsp_event before re-reading rsp_prod
        return load_shared(sring_->rsp_prod) - rsp_cons_ > seen;
    }

  private:
    void* slot(std::uint32_t index) {
        return reinterpret_cast<std::uint8_t*>(sring_) + sizeof(SringHeader) + slot_index(index) * slot_size_;
    }
    SringHeader* sring_ = nullptr;
    std::size_t slot_size_ = 0;
    unsigned slots_ = 0;
    std::uint32_t req_prod_pvt_ = 0;
    std::uint32_t rsp_cons_ = 0;
};

}  // namespace xb::xen
