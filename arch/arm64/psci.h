// PSCI calls through the hypervisor (SMCCC over `hvc #0`), which Xen emulates
// for its guests. Used when SCHEDOP_shutdown is refused.
#pragma once

#include <cstdint>

namespace xb::arm64 {

inline constexpr std::uint32_t kPsciSystemOff = 0x84000008;
inline constexpr std::uint32_t kPsciSystemReset = 0x84000009;

inline long psci_call(std::uint32_t function) {
    register std::uint64_t x0 asm("x0") = function;
    register std::uint64_t x1 asm("x1") = 0;
    register std::uint64_t x2 asm("x2") = 0;
    register std::uint64_t x3 asm("x3") = 0;
    asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return static_cast<long>(x0);
}

}  // namespace xb::arm64
