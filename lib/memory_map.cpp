#include "lib/memory_map.h"

#include "lib/panic.h"

namespace xb {
namespace {

// A range that would run past 2^64 ends at the top of the address space, so
// that end() never wraps (free_ranges relies on end() > base).
Range clamp(Range r) {
    if (r.size > UINT64_MAX - r.base) r.size = UINT64_MAX - r.base;
    return r;
}

}  // namespace

void MemoryMap::add_ram(Range r) {
    r = clamp(r);
    if (r.size == 0) return;
    if (ram_count_ == kMaxRanges) panic("memory map: too many RAM ranges");
    ram_[ram_count_++] = r;
}

void MemoryMap::reserve(Range r, const char* what) {
    r = clamp(r);
    if (r.size == 0) return;
    if (reserved_count_ == kMaxRanges) panic("memory map: too many reserved ranges");
    reserved_[reserved_count_++] = Reserved{r, what};
}

unsigned MemoryMap::free_ranges(std::array<Range, kMaxRanges>& out) const {
    unsigned n = 0;
    for (unsigned b = 0; b < ram_count_; ++b) {
        // Walk the bank from its base, each time skipping to the end of the
        // lowest reservation that starts at or before the cursor.
        std::uint64_t cursor = ram_[b].base;
        const std::uint64_t end = ram_[b].end();
        while (cursor < end) {
            std::uint64_t next_reserved = end;
            bool blocked = false;
            std::uint64_t skip_to = cursor;
            for (unsigned i = 0; i < reserved_count_; ++i) {
                const Range& r = reserved_[i].range;
                if (r.contains(cursor)) {
                    blocked = true;
                    if (r.end() > skip_to) skip_to = r.end();
                } else if (r.base > cursor && r.base < next_reserved) {
                    next_reserved = r.base;
                }
            }
            if (blocked) {
                cursor = skip_to;
                continue;
            }
            if (n < kMaxRanges) out[n++] = Range{cursor, next_reserved - cursor};
            cursor = next_reserved;
        }
    }
    // Banks are added in address order; sort anyway so callers can rely on it.
    for (unsigned i = 1; i < n; ++i) {
        for (unsigned j = i; j > 0 && out[j].base < out[j - 1].base; --j) {
            Range t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    }
    return n;
}

bool MemoryMap::is_free(Range r) const {
    if (r.size == 0) return true;
    std::array<Range, kMaxRanges> free{};
    unsigned n = free_ranges(free);
    for (unsigned i = 0; i < n; ++i) {
        if (free[i].contains(r)) return true;
    }
    return false;
}

Status MemoryMap::require_free(Range r, const char* what) const {
    if (r.size != 0 && r.base + r.size < r.base) {
        return Error::make(Errc::invalid_argument, "refusing %s at 0x%lx: size 0x%lx wraps around", what, r.base,
                           r.size);
    }
    if (is_free(r)) return ok();
    for (unsigned i = 0; i < reserved_count_; ++i) {
        if (reserved_[i].range.overlaps(r)) {
            return Error::make(Errc::invalid_argument, "refusing %s at 0x%lx-0x%lx: overlaps xenboot's %s 0x%lx-0x%lx",
                               what, r.base, r.end(), reserved_[i].what, reserved_[i].range.base,
                               reserved_[i].range.end());
        }
    }
    return Error::make(Errc::invalid_argument, "refusing %s at 0x%lx-0x%lx: not in RAM", what, r.base, r.end());
}

Status MemoryMap::require_ram(Range r, const char* what) const {
    for (unsigned i = 0; i < ram_count_; ++i) {
        if (ram_[i].contains(r)) return ok();
    }
    return Error::make(Errc::invalid_argument, "refusing %s at 0x%lx (+0x%lx): not in RAM", what, r.base, r.size);
}

}  // namespace xb
