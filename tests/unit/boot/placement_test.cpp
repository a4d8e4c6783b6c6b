#include <gtest/gtest.h>

#include <cstring>

#include "boot/placement.h"

namespace {

using xb::Range;
using xb::boot::choose_home;
using xb::boot::PlacementInput;

constexpr std::uint64_t MiB = 1 << 20;

TEST(Placement, HeapGrowsWithRam) {
    EXPECT_EQ(xb::boot::heap_size_for(64 * MiB), 8 * MiB);
    EXPECT_EQ(xb::boot::heap_size_for(255 * MiB), 8 * MiB);
    EXPECT_EQ(xb::boot::heap_size_for(256 * MiB), 32 * MiB);
    EXPECT_EQ(xb::boot::heap_size_for(3072 * MiB), 32 * MiB);
}

TEST(Placement, MovesToTopOfBankWhenDtbIsAtRamPlus128M) {
    PlacementInput in{{0x40000000, 1024 * MiB}, 0x40000000, 9 * MiB, {0x48000000, 0x2000}};
    std::uint64_t home = choose_home(in);
    EXPECT_EQ(home, 0x80000000 - 9 * MiB);
    EXPECT_EQ(home % xb::boot::kHomeAlign, 0u);
}

TEST(Placement, StaysBelowDtbAtTheEndOfTheBank) {
    // libxenguest puts the DTB at the end of a small guest's bank 0 (measured: 0x47fff000).
    PlacementInput in{{0x40000000, 128 * MiB}, 0x40000000, 9 * MiB, {0x47fff000, 0x1000}};
    std::uint64_t home = choose_home(in);
    EXPECT_LE(home + 9 * MiB, 0x47fff000u);
    EXPECT_GT(home, 0x40000000u + 100 * MiB);
}

TEST(Placement, IdempotentOnceAtHome) {
    PlacementInput in{{0x40000000, 64 * MiB}, 0x40000000, 9 * MiB, {0x43fff000, 0x1000}};
    std::uint64_t home = choose_home(in);
    ASSERT_NE(home, 0x40000000u);
    in.image_base = home;
    EXPECT_EQ(choose_home(in), home);
}

TEST(Placement, StaysWhenTheBankIsTooSmallOrTheCopyWouldOverlap) {
    EXPECT_EQ(choose_home({{0x40000000, 8 * MiB}, 0x40000000, 9 * MiB, {}}), 0x40000000u);
    EXPECT_EQ(choose_home({{0x40000000, 12 * MiB}, 0x40000000, 9 * MiB, {}}), 0x40000000u);
    // Not in the bank at all (bad input): stay.
    EXPECT_EQ(choose_home({{0x80000000, 64 * MiB}, 0x40000000, 1 * MiB, {}}), 0x40000000u);
    EXPECT_EQ(choose_home({{0x40000000, 64 * MiB}, 0x40000000, 0, {}}), 0x40000000u);
}

TEST(Placement, NeverOverlapsTheDtb) {
    for (std::uint64_t dtb = 0x40000000 + 16 * MiB; dtb < 0x44000000; dtb += 3 * MiB + 0x1000) {
        PlacementInput in{{0x40000000, 64 * MiB}, 0x40000000, 9 * MiB, {dtb, 0x10000}};
        std::uint64_t home = choose_home(in);
        EXPECT_FALSE((Range{home, 9 * MiB}.overlaps(in.dtb))) << std::hex << dtb;
        EXPECT_TRUE(in.bank.contains(Range{home, 9 * MiB}));
    }
}

}  // namespace
