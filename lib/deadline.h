// Deadlines on the monotonic clock (lib/clock.h). Every wait on another domain
// carries one.
#pragma once

#include <cstdint>

#include "lib/clock.h"

namespace xb {

class Deadline {
  public:
    // Saturates: a budget too large for the clock's range never expires
    // (`sleep 18446744.074` must not wrap round to "already expired").
    static Deadline after_ms(std::uint64_t ms) {
        const std::uint64_t hz = clock_hz();
        const std::uint64_t now = clock_ticks();
        const std::uint64_t whole = ms / 1000;
        if (whole != 0 && hz > UINT64_MAX / whole) return Deadline(UINT64_MAX, ms);
        const std::uint64_t ticks = whole * hz;
        const std::uint64_t rest = (ms % 1000) * hz / 1000;  // < hz: no overflow for any real clock
        if (ticks > UINT64_MAX - rest || ticks + rest > UINT64_MAX - now) return Deadline(UINT64_MAX, ms);
        return Deadline(now + ticks + rest, ms);
    }
    static Deadline never() { return Deadline(UINT64_MAX, UINT64_MAX); }

    bool is_never() const { return at_ == UINT64_MAX; }
    bool expired() const { return !is_never() && clock_ticks() >= at_; }
    std::uint64_t budget_ms() const { return budget_ms_; }  // what it was created with, for messages
    std::uint64_t at() const { return at_; }                // clock tick at which it expires

  private:
    Deadline(std::uint64_t at, std::uint64_t budget_ms) : at_(at), budget_ms_(budget_ms) {}
    std::uint64_t at_;
    std::uint64_t budget_ms_;
};

}  // namespace xb
