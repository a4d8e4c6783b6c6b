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

TEST_F(PageTableTest, PoolExhaustionIsAnError) {
    // Each isolated page in a distinct 1 GiB region needs two new tables.
    xb::Status s = xb::ok();
    for (std::uint64_t gib = 0; gib < 20 && s.ok(); ++gib) s = builder.map(gib << 30 | 0x1000, 0x1000, MemType::normal);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), xb::Errc::no_memory);
}

}  // namespace
