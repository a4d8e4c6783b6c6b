// Access to AArch64 system registers by name.
#pragma once

#include <cstdint>

#define XB_READ_SYSREG(name)                                 \
    ({                                                       \
        std::uint64_t xb_sysreg_v_;                          \
        asm volatile("mrs %0, " #name : "=r"(xb_sysreg_v_)); \
        xb_sysreg_v_;                                        \
    })
#define XB_WRITE_SYSREG(name, v) asm volatile("msr " #name ", %0" ::"r"(static_cast<std::uint64_t>(v)) : "memory")

namespace xb::arm64 {
inline void isb() { asm volatile("isb" ::: "memory"); }
inline void dsb_sy() { asm volatile("dsb sy" ::: "memory"); }
inline void dsb_ish() { asm volatile("dsb ish" ::: "memory"); }
}  // namespace xb::arm64
