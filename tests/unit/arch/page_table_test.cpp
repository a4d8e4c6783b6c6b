#include <gtest/gtest.h>

#include <cstring>

#include <vector>

#include "arch/page_table.h"

namespace {

using xb::arch::MemType;
using xb::arch::PageTableBuilder;

// On the host the "physical address" of a table is its host address.
std::uint64_t host_phys(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

struct PageTableTest : ::testing::Test {
    std::vector<std::uint64_t> pool = std::vector<std::uint64_t>(16 * 512 + 512);
    std::uint64_t* aligned() {
        auto p = reinterpret_cast<std::uintptr_t>(pool.data());
        return reinterpret_cast<std::uint64_t*>((p + 4095) & ~std::uintptr_t{4095});
    }
    PageTableBuilder builder{aligned(), 16, host_phys};
};

TEST_F(PageTableTest, RamUsesBlocksAndIdentityMaps) {
    ASSERT_TRUE(builder.map(0x40000000, 1ULL << 30, MemType::normal).ok());
    auto w = builder.lookup(0x40123456);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w.value().pa, 0x40123456u);
    EXPECT_EQ(w.value().type, MemType::normal);
    EXPECT_EQ(w.value().level, 1u);  // one 1 GiB block
    EXPECT_EQ(builder.pages_used(), 1u);
    EXPECT_FALSE(builder.lookup(0x3fffffff).ok());
    EXPECT_FALSE(builder.lookup(0x80000000).ok());
}

TEST_F(PageTableTest, UnalignedEdgesUsePagesAndExactBounds) {
    // 64 MiB bank plus one odd page: 2 MiB blocks inside, a 4 KiB page at the edge.
    ASSERT_TRUE(builder.map(0x40000000, 64ULL << 20, MemType::normal).ok());
    ASSERT_TRUE(builder.map(0x39000000, 0x1000, MemType::normal).ok());
    ASSERT_TRUE(builder.map(0x03001000, 0x10000, MemType::device).ok());
    EXPECT_EQ(builder.lookup(0x40000000).value().level, 2u);
    EXPECT_EQ(builder.lookup(0x39000fff).value().level, 3u);
    EXPECT_FALSE(builder.lookup(0x39001000).ok());
    EXPECT_FALSE(builder.lookup(0x44000000).ok());
    auto dev = builder.lookup(0x03005000);
    ASSERT_TRUE(dev.ok());
    EXPECT_EQ(dev.value().type, MemType::device);
    EXPECT_FALSE(builder.lookup(0x03011000).ok());
}

TEST_F(PageTableTest, RefusesDoubleMappingAndOutOfRange) {
    ASSERT_TRUE(builder.map(0x40000000, 0x200000, MemType::normal).ok());
    EXPECT_FALSE(builder.map(0x40001000, 0x1000, MemType::normal).ok());
    EXPECT_FALSE(builder.map(1ULL << 40, 0x1000, MemType::normal).ok());
}

// W^X in the descriptors: only text is executable, and it is read-only;
// everything writable (RAM, shared pages, devices) is never executable.
TEST_F(PageTableTest, AttributesAreWriteXorExecute) {
    struct Case {
        MemType type;
        bool writable;
        bool executable;
    };
    const Case cases[] = {
        {MemType::normal, true, false},
        {MemType::text, false, true},
        {MemType::rodata, false, false},
        {MemType::device, true, false},
    };
    std::uint64_t base = 0x40000000;
    for (const Case& c : cases) {
        SCOPED_TRACE(static_cast<int>(c.type));
        ASSERT_TRUE(builder.map(base, 0x1000, c.type).ok());
        auto w = builder.lookup(base + 0x10);
        ASSERT_TRUE(w.ok());
        EXPECT_EQ(w.value().type, c.type);
        EXPECT_EQ(w.value().writable, c.writable);
        EXPECT_EQ(w.value().executable, c.executable);
        EXPECT_FALSE(w.value().writable && w.value().executable);
        base += 0x1000;
    }
}

// The descriptor bits themselves, as the MMU reads them (Arm ARM D8.3):
// AP[2] (bit 7) read-only, PXN (bit 53), UXN (bit 54), AF (bit 10).
TEST_F(PageTableTest, DescriptorBitsForTextAndData) {
    ASSERT_TRUE(builder.map(0x40000000, 0x1000, MemType::text).ok());
    ASSERT_TRUE(builder.map(0x40001000, 0x1000, MemType::normal).ok());
    // Root -> level 2 -> level 3: the two pages are entries 0 and 1 of the L3 table.
    const std::uint64_t* root = aligned();
    const auto* l2 = reinterpret_cast<const std::uint64_t*>(root[1] & 0x0000fffffffff000ULL);
    const auto* l3 = reinterpret_cast<const std::uint64_t*>(l2[0] & 0x0000fffffffff000ULL);
    constexpr std::uint64_t kRo = 1ULL << 7, kPxn = 1ULL << 53, kUxn = 1ULL << 54, kAf = 1ULL << 10;
    EXPECT_EQ(l3[0] & (kRo | kPxn | kUxn | kAf), kRo | kUxn | kAf);
    EXPECT_EQ(l3[1] & (kRo | kPxn | kUxn | kAf), kPxn | kUxn | kAf);
    EXPECT_EQ(l3[0] & 0x0000fffffffff000ULL, 0x40000000u);
    EXPECT_EQ(l3[0] & 3, 3u);  // page descriptor
}

TEST_F(PageTableTest, PoolExhaustionIsAnError) {
    // Each isolated page in a distinct 1 GiB region needs two new tables.
    xb::Status s = xb::ok();
    for (std::uint64_t gib = 0; gib < 20 && s.ok(); ++gib) s = builder.map(gib << 30 | 0x1000, 0x1000, MemType::normal);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), xb::Errc::no_memory);
}

}  // namespace
