// Deadlines from the generic timer. Every wait on another domain carries one.
#pragma once

#include <cstdint>

#include "arch/arch.h"

namespace xb {

class Deadline {
  public:
    static Deadline after_ms(std::uint64_t ms) { return Deadline(arch::counter() + ms * arch::counter_hz() / 1000, ms); }
    static Deadline never() { return Deadline(UINT64_MAX, UINT64_MAX); }

    bool is_never() const { return at_ == UINT64_MAX; }
    bool expired() const { return !is_never() && arch::counter() >= at_; }
    std::uint64_t budget_ms() const { return budget_ms_; }  // what it was created with, for messages
    std::uint64_t at() const { return at_; }                // generic-timer count at which it expires

  private:
    Deadline(std::uint64_t at, std::uint64_t budget_ms) : at_(at), budget_ms_(budget_ms) {}
    std::uint64_t at_;
    std::uint64_t budget_ms_;
};

}  // namespace xb
