// What xenboot reads from the device tree Xen gives it: every RAM bank, the
// /hypervisor node (grant-table window and extended regions, event-channel
// interrupt) and /chosen/bootargs. The blob is untrusted input: it is checked
// in full (fdt_check_full) before any query, and every property length is
// validated before use.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lib/result.h"
#include "lib/types.h"

namespace xb::fdt {

inline constexpr unsigned kMaxBanks = 8;
inline constexpr unsigned kMaxHypervisorRegs = 8;

struct MemoryBanks {
    std::array<Range, kMaxBanks> bank{};
    unsigned count = 0;
    std::uint64_t total() const;
    // The bank that holds addr, or nullptr.
    const Range* find(std::uint64_t addr) const;
};

struct HypervisorNode {
    char compatible[48] = {};  // e.g. "xen,xen-4.17"
    // reg[0] is the grant-table window; reg[1..] are extended regions.
    std::array<Range, kMaxHypervisorRegs> reg{};
    unsigned reg_count = 0;
    bool has_interrupt = false;
    std::array<std::uint32_t, 3> interrupt{};  // GIC cells: type, number, flags
};

// Checks the header and the whole structure block. max_size bounds totalsize
// (the bytes the caller knows are readable at blob).
Result<std::size_t> validate(const void* blob, std::size_t max_size);

// Each requires a blob that passed validate().
Result<MemoryBanks> memory_banks(const void* blob);
Result<HypervisorNode> hypervisor(const void* blob);
// /chosen/bootargs, or an empty string when absent. Points into the blob.
Result<const char*> bootargs(const void* blob);

// Copies a validated blob to dst, giving it dst_size bytes of room to grow.
Status copy_to(const void* blob, void* dst, std::size_t dst_size);

}  // namespace xb::fdt
