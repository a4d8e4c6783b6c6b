// Builds AArch64 stage-1 translation tables (4 KiB granule, 39-bit VA starting
// at level 1, identity map) into a caller-provided pool of table pages. Uses
// 1 GiB and 2 MiB blocks wherever alignment allows. Every mapping is W^X:
// writable ones are never executable. Architecture-neutral code: the host
// tests walk the tables it writes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/result.h"

namespace xb::arch {

// Stage-1 attributes (Arm ARM D8.3, VMSAv8-64 descriptors: AP[2] = read-only,
// PXN = not executable at EL1, UXN always set: xenboot has no EL0).
enum class MemType : std::uint8_t {
    normal,  // Normal Inner/Outer Write-Back, Inner-Shareable, read/write, never executable:
             // RAM and every page shared with Xen
    text,    // Normal, read-only, executable at EL1: xenboot's code
    rodata,  // Normal, read-only, never executable: constants, relocated pointers
    device,  // Device-nGnRnE, read/write, never executable
};

// MAIR_EL1 attribute slots used by the descriptors below.
inline constexpr unsigned kMairIdxNormal = 0;
inline constexpr unsigned kMairIdxDevice = 1;
inline constexpr std::uint64_t kMairValue = 0xffULL << (8 * kMairIdxNormal) | 0x00ULL << (8 * kMairIdxDevice);

inline constexpr unsigned kVaBits = 39;
inline constexpr std::uint64_t kVaLimit = std::uint64_t{1} << kVaBits;

class PageTableBuilder {
  public:
    // pool: table pages, 4 KiB aligned; the first becomes the root (level 1).
    // phys_of converts a pool pointer to the physical address the MMU walks
    // (identity in the firmware).
    PageTableBuilder(std::uint64_t* pool, std::size_t pages, std::uint64_t (*phys_of)(const void*));

    Status map(std::uint64_t base, std::uint64_t size, MemType type);

    std::uint64_t root_phys() const { return phys_of_(pool_); }
    std::size_t pages_used() const { return used_; }

    // Looks a VA up the way the MMU would: the output address and type, or an
    // error if unmapped. For tests and for `bdinfo`-style checks.
    struct Walk {
        std::uint64_t pa;
        MemType type;
        unsigned level;  // 1: 1 GiB block, 2: 2 MiB block, 3: 4 KiB page
        bool writable;
        bool executable;
    };
    Result<Walk> lookup(std::uint64_t va) const;

  private:
    Result<std::uint64_t*> next_table(std::uint64_t* table, unsigned index, unsigned level);
    std::uint64_t* table_at(std::uint64_t phys) const;

    std::uint64_t* pool_;
    std::size_t pages_;
    std::size_t used_;
    std::uint64_t (*phys_of_)(const void*);
};

}  // namespace xb::arch
