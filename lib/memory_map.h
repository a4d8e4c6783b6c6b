// RAM banks minus reserved ranges = free RAM. Used by bdinfo now and by every
// load/write check later (nothing may be written outside free RAM).
#pragma once

#include <array>

#include "lib/result.h"
#include "lib/types.h"

namespace xb {

class MemoryMap {
  public:
    static constexpr unsigned kMaxRanges = 24;

    void add_ram(Range r);
    // Marks a range as used by xenboot (or anything a load must not touch).
    void reserve(Range r, const char* what);

    struct Reserved {
        Range range;
        const char* what;
    };
    unsigned ram_count() const { return ram_count_; }
    const Range& ram(unsigned i) const { return ram_[i]; }
    unsigned reserved_count() const { return reserved_count_; }
    const Reserved& reserved(unsigned i) const { return reserved_[i]; }

    // Free ranges in address order (RAM minus reservations); returns how many
    // were written to out.
    unsigned free_ranges(std::array<Range, kMaxRanges>& out) const;
    // True if [r] lies entirely in free RAM.
    bool is_free(Range r) const;
    // ok() if [r] lies entirely in free RAM; otherwise an error that says why:
    // "refusing to write 0x...-0x... (what): overlaps xenboot's heap 0x...-0x..."
    // or "...: not in RAM".
    Status require_free(Range r, const char* what) const;
    // ok() if [r] lies entirely in RAM (reading xenboot's own memory is allowed).
    Status require_ram(Range r, const char* what) const;

  private:
    std::array<Range, kMaxRanges> ram_{};
    unsigned ram_count_ = 0;
    std::array<Reserved, kMaxRanges> reserved_{};
    unsigned reserved_count_ = 0;
};

}  // namespace xb
