// The monotonic clock that deadlines and timings read. lib/ only declares it;
// the architecture implements it (arch/arm64: the generic timer's virtual
// counter; arch/host: the host tests' clock), as lib/fatal.h's hook is
// implemented by the board. Keeps lib/ free of includes from above.
#pragma once

#include <cstdint>

namespace xb {

std::uint64_t clock_ticks();  // ticks since an arbitrary start; never goes back
std::uint64_t clock_hz();     // ticks per second

}  // namespace xb
