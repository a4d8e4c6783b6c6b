#include "arch/page_table.h"

#include <cstring>

namespace xb::arch {
namespace {

constexpr std::uint64_t kValid = 1;
constexpr std::uint64_t kTableOrPage = 2;  // bit 1: table (levels 1-2) or page (level 3)
constexpr std::uint64_t kAf = 1ULL << 10;
constexpr std::uint64_t kShInner = 3ULL << 8;
constexpr std::uint64_t kApReadOnly = 1ULL << 7;  // AP[2]: EL1 read-only (AP[1] = 0: no EL0 access)
constexpr std::uint64_t kPxn = 1ULL << 53;
constexpr std::uint64_t kUxn = 1ULL << 54;
constexpr std::uint64_t kOaMask = 0x0000fffffffff000ULL;

constexpr unsigned shift_of(unsigned level) { return 39 - 9 * level; }  // L1: 30, L2: 21, L3: 12

std::uint64_t leaf_attrs(MemType type) {
    // EL0 gets nothing executable (UXN) and no access (AP[1] = 0).
    constexpr std::uint64_t kNormal = kAf | kShInner | (kMairIdxNormal << 2) | kUxn;
    switch (type) {
        case MemType::normal: return kNormal | kPxn;
        case MemType::text: return kNormal | kApReadOnly;
        case MemType::rodata: return kNormal | kApReadOnly | kPxn;
        case MemType::device: return kAf | (kMairIdxDevice << 2) | kPxn | kUxn;
    }
    return kNormal | kApReadOnly | kPxn;  // not reached: the most restrictive
}

MemType type_of(std::uint64_t desc) {
    if (((desc >> 2) & 7) == kMairIdxDevice) return MemType::device;
    if ((desc & kApReadOnly) == 0) return MemType::normal;
    return (desc & kPxn) != 0 ? MemType::rodata : MemType::text;
}

}  // namespace

PageTableBuilder::PageTableBuilder(std::uint64_t* pool, std::size_t pages, std::uint64_t (*phys_of)(const void*))
    : pool_(pool), pages_(pages), used_(pages > 0 ? 1 : 0), phys_of_(phys_of) {
    if (pages > 0) memset(pool_, 0, 4096);
}

std::uint64_t* PageTableBuilder::table_at(std::uint64_t phys) const {
    for (std::size_t i = 0; i < used_; ++i) {
        if (phys_of_(pool_ + i * 512) == phys) return pool_ + i * 512;
    }
    return nullptr;
}

Result<std::uint64_t*> PageTableBuilder::next_table(std::uint64_t* table, unsigned index, unsigned level) {
    std::uint64_t desc = table[index];
    if ((desc & kValid) != 0) {
        if ((desc & kTableOrPage) == 0) {
            return Error::make(Errc::busy, "page tables: level-%u block already maps this range", level);
        }
        return table_at(desc & kOaMask);
    }
    if (used_ == pages_) return Error::make(Errc::no_memory, "page tables: pool of %zu pages exhausted", pages_);
    std::uint64_t* fresh = pool_ + used_ * 512;
    ++used_;
    memset(fresh, 0, 4096);
    table[index] = phys_of_(fresh) | kTableOrPage | kValid;
    return fresh;
}

Status PageTableBuilder::map(std::uint64_t base, std::uint64_t size, MemType type) {
    if (pages_ == 0) return Error::make(Errc::no_memory, "page tables: no pool");
    std::uint64_t start = base & ~0xfffULL;
    std::uint64_t end = (base + size + 0xfff) & ~0xfffULL;
    if (end < start || end > kVaLimit) {
        return Error::make(Errc::unsupported, "page tables: 0x%lx+0x%lx is beyond the %u-bit address space", base, size,
                           kVaBits);
    }
    std::uint64_t attrs = leaf_attrs(type);
    for (std::uint64_t va = start; va < end;) {
        std::uint64_t* table = pool_;
        for (unsigned level = 1;; ++level) {
            std::uint64_t block = std::uint64_t{1} << shift_of(level);
            auto index = static_cast<unsigned>((va >> shift_of(level)) & 511);
            bool leaf_fits = (va & (block - 1)) == 0 && end - va >= block;
            if (level == 3 || (leaf_fits && (table[index] & kValid) == 0)) {
                if ((table[index] & kValid) != 0) {
                    return Error::make(Errc::busy, "page tables: 0x%lx is already mapped", va);
                }
                table[index] = va | attrs | (level == 3 ? kTableOrPage : 0) | kValid;
                va += block;
                break;
            }
            table = TRY(next_table(table, index, level));
            if (table == nullptr) return Error::make(Errc::bad_data, "page tables: dangling table descriptor");
        }
    }
    return ok();
}

Result<PageTableBuilder::Walk> PageTableBuilder::lookup(std::uint64_t va) const {
    if (va >= kVaLimit) return Error::make(Errc::not_found, "va 0x%lx beyond the VA range", va);
    const std::uint64_t* table = pool_;
    for (unsigned level = 1; level <= 3; ++level) {
        std::uint64_t desc = table[(va >> shift_of(level)) & 511];
        if ((desc & kValid) == 0) {
            return Error::make(Errc::not_found, "va 0x%lx unmapped at level %u", va, level);
        }
        bool table_desc = level < 3 && (desc & kTableOrPage) != 0;
        if (!table_desc) {
            std::uint64_t mask = (std::uint64_t{1} << shift_of(level)) - 1;
            return Walk{(desc & kOaMask & ~mask) | (va & mask), type_of(desc), level, (desc & kApReadOnly) == 0,
                        (desc & kPxn) == 0};
        }
        table = table_at(desc & kOaMask);
        if (table == nullptr) return Error::make(Errc::bad_data, "dangling table descriptor");
    }
    return Error::make(Errc::bad_data, "walk fell through");
}

}  // namespace xb::arch
