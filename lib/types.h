// Strong types for addresses and Xen handles, so a grant reference can never be
// passed where a frame number is expected.
#pragma once

#include <cstdint>

namespace xb {

template <typename Tag, typename Rep>
struct Strong {
    Rep raw;
    constexpr Strong() : raw() {}
    constexpr explicit Strong(Rep v) : raw(v) {}
    constexpr Rep value() const { return raw; }
    friend constexpr bool operator==(Strong a, Strong b) { return a.raw == b.raw; }
    friend constexpr auto operator<=>(Strong a, Strong b) { return a.raw <=> b.raw; }
};

inline constexpr std::uint64_t kPageSize = 4096;
inline constexpr unsigned kPageShift = 12;

struct PhysAddrTag {};
struct GfnTag {};
struct EvtchnPortTag {};
struct DomIdTag {};
struct GrantRefTag {};

using PhysAddr = Strong<PhysAddrTag, std::uint64_t>;
using Gfn = Strong<GfnTag, std::uint64_t>;  // guest frame number (4 KiB)
using EvtchnPort = Strong<EvtchnPortTag, std::uint32_t>;
using DomId = Strong<DomIdTag, std::uint16_t>;
using GrantRef = Strong<GrantRefTag, std::uint32_t>;

constexpr Gfn gfn_of(PhysAddr pa) { return Gfn(pa.raw >> kPageShift); }
constexpr PhysAddr addr_of(Gfn gfn) { return PhysAddr(gfn.raw << kPageShift); }

constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t a) { return v & ~(a - 1); }
constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) & ~(a - 1); }

// A half-open physical range [base, base + size).
struct Range {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
    constexpr std::uint64_t end() const { return base + size; }
    constexpr bool contains(std::uint64_t a) const { return a >= base && a - base < size; }
    constexpr bool contains(Range r) const {
        return r.base >= base && r.size <= size && r.base - base <= size - r.size;
    }
    constexpr bool overlaps(Range r) const { return r.size != 0 && size != 0 && r.base < end() && base < r.end(); }
};

}  // namespace xb
