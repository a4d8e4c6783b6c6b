// The blkif shared ring: drivers/xen/front_ring.h with blkif's slot size (the
// union of a request and its response).
#pragma once

#include "drivers/xen/abi.h"
#include "drivers/xen/front_ring.h"

namespace xb::pvblock {

using xen::SringHeader;

inline constexpr std::size_t kSlotSize = sizeof(xen::BlkifRequest);  // the union of request and response
static_assert(kSlotSize >= sizeof(xen::BlkifResponse) && kSlotSize >= sizeof(xen::BlkifRequestIndirect));

// Slots in a blkif ring of `pages` pages.
constexpr unsigned ring_slots(unsigned pages) { return xen::ring_slots(pages, kSlotSize); }
static_assert(ring_slots(1) == 32 && ring_slots(16) == 512);

class FrontRing : public xen::FrontRing {
  public:
    void init(void* shared, unsigned pages) { xen::FrontRing::init(shared, pages, kSlotSize); }
};

}  // namespace xb::pvblock
