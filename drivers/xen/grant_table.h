// Grant table v1 (public/grant_table.h; Arm supports v1 only). Maps grant
// frames into the /hypervisor grant-table window (XENMEM_add_to_physmap,
// XENMAPSPACE_grant_table), hands out references from a free list, grants a
// page to another domain, and ends access only once the other domain no longer
// reads or writes it (GTF_reading / GTF_writing clear). Frames are removed
// from the physmap again before hand-off (Xen >= 4.17 allows one mapping).
#pragma once

#include <cstdint>

#include "drivers/xen/abi.h"
#include "drivers/xen/grant_quarantine.h"
#include "drivers/xen/xen_port.h"
#include "lib/heap.h"
#include "lib/result.h"

namespace xb::xen {

class GrantTable {
  public:
    // window: the grant-table window from /hypervisor reg[0] (its last page is
    // kept free for shared_info). frames_wanted is capped by GNTTABOP_query_size
    // and the window. Bookkeeping comes from heap.
    Status init(XenPort& xen, Range window, unsigned frames_wanted, Heap& heap);

    Result<GrantRef> grant(DomId domid, Gfn gfn, bool readonly);
    // Fails (Errc::busy) if the grantee still maps the page: the reference
    // then stays granted, since reusing it could expose the page. Owners of
    // pages hand such references to quarantine() rather than forget them.
    Status end(GrantRef ref);
    // Removes the grant frames from the physmap (hand-off). Every grant must
    // have been ended: check in_use() first, since a grant the other side
    // still maps keeps its page shared whatever happens to the frames.
    Status unmap(XenPort& xen);

    // Grants whose end() failed, with the memory they grant (see the header).
    GrantQuarantine& quarantine() { return quarantine_; }
    const GrantQuarantine& quarantine() const { return quarantine_; }

    unsigned frames() const { return frames_; }
    unsigned capacity() const { return capacity_; }
    unsigned in_use() const { return capacity_ - free_count_; }
    unsigned available() const { return free_count_; }
    unsigned max_frames() const { return max_frames_; }
    bool ready() const { return entries_ != nullptr; }

  private:
    GrantEntryV1* entries_ = nullptr;
    std::uint32_t* free_ = nullptr;  // stack of free references
    unsigned free_count_ = 0;
    unsigned capacity_ = 0;  // usable references (reserved ones excluded)
    unsigned frames_ = 0;
    unsigned max_frames_ = 0;
    Gfn first_gfn_{};
    GrantQuarantine quarantine_;
};

}  // namespace xb::xen
