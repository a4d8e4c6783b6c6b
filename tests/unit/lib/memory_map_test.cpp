#include <gtest/gtest.h>

#include <cstring>

#include "lib/memory_map.h"

namespace {

using xb::MemoryMap;
using xb::Range;

TEST(MemoryMap, FreeRangesSubtractReservations) {
    MemoryMap m;
    m.add_ram({0x40000000, 0x4000000});
    m.reserve({0x43f00000, 0x100000}, "xenboot");
    m.reserve({0x43e00000, 0x100000}, "heap");
    std::array<Range, MemoryMap::kMaxRanges> out{};
    ASSERT_EQ(m.free_ranges(out), 1u);
    EXPECT_EQ(out[0].base, 0x40000000u);
    EXPECT_EQ(out[0].size, 0x3e00000u);
    EXPECT_TRUE(m.is_free({0x40080000, 0x1000000}));
    EXPECT_FALSE(m.is_free({0x43d00000, 0x200000}));
}

TEST(MemoryMap, ReservationsInTheMiddleAndOverlappingAndOutside) {
    MemoryMap m;
    m.add_ram({0x1000, 0x9000});
    m.add_ram({0x100000, 0x1000});
    m.reserve({0x3000, 0x2000}, "a");
    m.reserve({0x4000, 0x2000}, "b");          // overlaps a
    m.reserve({0x0, 0x2000}, "c");             // starts before the bank
    m.reserve({0x200000, 0x1000}, "outside");  // no effect
    std::array<Range, MemoryMap::kMaxRanges> out{};
    ASSERT_EQ(m.free_ranges(out), 3u);
    EXPECT_EQ(out[0].base, 0x2000u);
    EXPECT_EQ(out[0].size, 0x1000u);
    EXPECT_EQ(out[1].base, 0x6000u);
    EXPECT_EQ(out[1].end(), 0xa000u);
    EXPECT_EQ(out[2].base, 0x100000u);
}

TEST(Range, ContainsHandlesEdgesWithoutOverflow) {
    Range r{0xfffffffffffff000ULL, 0x1000};
    EXPECT_TRUE(r.contains(0xffffffffffffffffULL));
    EXPECT_FALSE(r.contains(Range{0xfffffffffffff800ULL, 0x1000}));
    EXPECT_TRUE(r.contains(Range{0xfffffffffffff800ULL, 0x800}));
    EXPECT_FALSE(Range({0, 0}).overlaps(Range{0, 10}));
}

}  // namespace

// Found by fuzz_image_header: a reservation whose end wraps past 2^64 made
// free_ranges loop for ever. Ranges are clamped to the top of the address space.
TEST(MemoryMap, RangesThatWrapAreClampedAndNeverHang) {
    xb::MemoryMap m;
    m.add_ram(xb::Range{0x40000000, 0x10000000});
    m.reserve(xb::Range{0x48000000, ~std::uint64_t{0}}, "wraps");
    std::array<xb::Range, xb::MemoryMap::kMaxRanges> out{};
    ASSERT_EQ(m.free_ranges(out), 1u);
    EXPECT_EQ(out[0].base, 0x40000000u);
    EXPECT_EQ(out[0].size, 0x8000000u);
    xb::MemoryMap top;
    top.add_ram(xb::Range{0xfffffffffff00000ULL, 0x200000});  // runs past 2^64
    top.reserve(xb::Range{0xfffffffffff80000ULL, 0x100000}, "also wraps");
    ASSERT_EQ(top.free_ranges(out), 1u);
    EXPECT_EQ(out[0].base, 0xfffffffffff00000ULL);
    EXPECT_EQ(out[0].size, 0x80000u);
}
