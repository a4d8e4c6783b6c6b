#include "drivers/xen/grant_table.h"

#include "arch/arch.h"
#include "drivers/xen/hypercall.h"
#include "drivers/xen/shared_memory.h"
#include "lib/scope_guard.h"

namespace xb::xen {

Status GrantTable::init(XenPort& xen, Range window, unsigned frames_wanted, Heap& heap) {
    if (ready()) return Error::make(Errc::busy, "grant table already initialised");
    GnttabQuerySize q{kDomidSelf, 0, 0, 0};
    long rc = xen.hypercall(Hypercall::grant_table_op, kGnttabopQuerySize, reinterpret_cast<std::uintptr_t>(&q), 1);
    if (rc < 0 || q.status != 0) {
        int e = rc < 0 ? static_cast<int>(-rc) : kEINVAL;
        return Error::xen(e, Errc::hypercall, "grant_table_op query_size: %s (status %d)", errno_name(e), q.status);
    }
    max_frames_ = q.max_nr_frames;
    std::uint64_t window_pages = window.size / kPageSize;
    unsigned frames = frames_wanted;
    if (frames > max_frames_) frames = max_frames_;
    if (window_pages < 2)
        return Error::make(Errc::bad_data, "grant-table window of %lu bytes is too small", window.size);
    if (frames > window_pages - 1) frames = static_cast<unsigned>(window_pages - 1);  // last page: shared_info
    if (frames == 0)
        return Error::make(Errc::unsupported, "Xen allows no grant frames (max_nr_frames %u)", max_frames_);

    first_gfn_ = gfn_of(PhysAddr(window.base));
    // A half-initialised table must not keep frames in the physmap: Xen 4.17
    // allows one mapping per frame, so a retry (or the next kernel) could
    // not map them again. frames_ counts what the undo has to remove.
    ScopeGuard undo([&] { (void)unmap(xen); });
    frames_ = 0;
    for (unsigned i = 0; i < frames; ++i) {
        TRY_CTX(add_to_physmap(xen, kMapspaceGrantTable, i, Gfn(first_gfn_.value() + i)),
                "mapping grant frame %u of %u", i, frames);
        frames_ = i + 1;
    }
    capacity_ = frames * kGrantEntriesPerFrame - kGrantReservedEntries;
    free_ = static_cast<std::uint32_t*>(heap.alloc(capacity_ * sizeof(std::uint32_t)));
    if (free_ == nullptr) return Error::make(Errc::no_memory, "no heap for %u grant references", capacity_);
    TRY(quarantine_.init(heap, capacity_));
    undo.cancel();
    // Hand out low references first (a stack: push the highest first).
    free_count_ = 0;
    for (unsigned r = frames * kGrantEntriesPerFrame; r-- > kGrantReservedEntries;) free_[free_count_++] = r;
    entries_ = static_cast<GrantEntryV1*>(xen.frame(first_gfn_));
    return ok();
}

Result<GrantRef> GrantTable::grant(DomId domid, Gfn gfn, bool readonly) {
    if (!ready()) return Error::make(Errc::invalid_argument, "grant table not initialised");
    if (gfn.value() > UINT32_MAX) {
        return Error::make(Errc::unsupported, "gfn 0x%lx does not fit a v1 grant entry", gfn.value());
    }
    if (free_count_ == 0) return Error::make(Errc::no_space, "all %u grant references are in use", capacity_);
    std::uint32_t ref = free_[--free_count_];
    GrantEntryV1& e = entries_[ref];
    store_shared(e.domid, domid.value());
    store_shared(e.frame, static_cast<std::uint32_t>(gfn.value()));
    // domid and frame must be visible before the flags make the entry valid
    // (grant_table.h: "write the flags last").
    arch::barrier_stores();
    store_shared(e.flags, static_cast<std::uint16_t>(kGtfPermitAccess | (readonly ? kGtfReadonly : 0)));
    return GrantRef(ref);
}

Status GrantTable::end(GrantRef ref) {
    std::uint32_t r = ref.value();
    if (!ready() || r < kGrantReservedEntries || r >= frames_ * kGrantEntriesPerFrame) {
        return Error::make(Errc::invalid_argument, "grant reference %u is not ours", r);
    }
    // Clear the flags only if the grantee is not reading or writing: a
    // compare-and-swap, since Xen sets those bits concurrently (v1 protocol).
    std::uint16_t flags = load_shared(entries_[r].flags);
    // Only we set or clear GTF_permit_access. Without it the reference is not
    // granted (never, or already ended): putting it on the free list again
    // would hand the same reference out twice.
    if ((flags & kGtfPermitAccess) == 0) return Error::make(Errc::invalid_argument, "grant %u is not in use", r);
    do {
        if ((flags & (kGtfReading | kGtfWriting)) != 0) {
            return Error::make(Errc::busy, "grant %u is still %s by domain %u", r,
                               (flags & kGtfWriting) != 0 ? "written" : "read", load_shared(entries_[r].domid));
        }
    } while (!__atomic_compare_exchange_n(&entries_[r].flags, &flags, std::uint16_t{0}, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    free_[free_count_++] = r;
    return ok();
}

Status GrantTable::unmap(XenPort& xen) {
    Status first = ok();
    for (unsigned i = frames_; i-- > 0;) {
        Status s = remove_from_physmap(xen, Gfn(first_gfn_.value() + i));
        if (!s.ok() && first.ok()) first = s;
    }
    frames_ = 0;
    entries_ = nullptr;
    return first;
}

}  // namespace xb::xen
