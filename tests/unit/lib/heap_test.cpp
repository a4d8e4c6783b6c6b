#include <gtest/gtest.h>

#include <cstring>

#include <cstdint>
#include <random>
#include <vector>

#include "lib/heap.h"

namespace {

struct HeapTest : ::testing::Test {
    alignas(64) std::uint8_t arena[64 * 1024];
    xb::Heap heap;
    void SetUp() override { heap.init(arena, sizeof arena); }
};

TEST_F(HeapTest, AllocatesAlignedDisjointBlocks) {
    void* a = heap.alloc(100);
    void* b = heap.alloc(100, 4096);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 16, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 4096, 0u);
    auto pa = reinterpret_cast<std::uintptr_t>(a), pb = reinterpret_cast<std::uintptr_t>(b);
    EXPECT_TRUE(pa + 100 <= pb || pb + 100 <= pa);
    std::memset(a, 0xaa, 100);
    std::memset(b, 0xbb, 100);
    EXPECT_EQ(static_cast<std::uint8_t*>(a)[99], 0xaa);
}

TEST_F(HeapTest, FreeCoalescesBackToOneBlock) {
    auto initial = heap.stats();
    std::vector<void*> blocks;
    for (int i = 0; i < 20; ++i) blocks.push_back(heap.alloc(1000));
    for (int i = 0; i < 20; i += 2) heap.free(blocks[i]);
    for (int i = 1; i < 20; i += 2) heap.free(blocks[i]);
    auto after = heap.stats();
    EXPECT_EQ(after.in_use, 0u);
    EXPECT_EQ(after.allocations, 0u);
    EXPECT_EQ(after.largest_free, initial.largest_free);
}

TEST_F(HeapTest, FreePoisonsThePayload) {
    auto* a = static_cast<std::uint8_t*>(heap.alloc(300));
    void* keep = heap.alloc(16);  // a neighbour, so the freed block is not merged into the tail
    ASSERT_NE(a, nullptr);
    std::memset(a, 0x5a, 300);
    heap.free(a);
    // The heap owns the arena, so reading the freed block is defined here; in
    // the firmware this is what a use after free would see.
    for (int i = 0; i < 300; ++i) ASSERT_EQ(a[i], xb::Heap::kPoison) << "byte " << i;
    heap.free(keep);
}

TEST_F(HeapTest, ExhaustionReturnsNull) {
    EXPECT_EQ(heap.alloc(sizeof arena), nullptr);
    EXPECT_EQ(heap.alloc(0), nullptr);
    EXPECT_EQ(heap.alloc(16, 3), nullptr);  // not a power of two
    void* big = heap.alloc(sizeof arena / 2);
    EXPECT_NE(big, nullptr);
    EXPECT_EQ(heap.alloc(sizeof arena / 2 + 1024), nullptr);
}

TEST_F(HeapTest, RandomWorkloadKeepsContents) {
    std::mt19937 rng(1234);
    struct Block {
        std::uint8_t* p;
        std::size_t n;
        std::uint8_t tag;
    };
    std::vector<Block> live;
    for (int step = 0; step < 4000; ++step) {
        if (live.empty() || rng() % 3 != 0) {
            std::size_t n = 1 + rng() % 700;
            std::size_t align = std::size_t{16} << (rng() % 6);
            auto* p = static_cast<std::uint8_t*>(heap.alloc(n, align));
            if (p == nullptr) continue;
            ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u);
            auto tag = static_cast<std::uint8_t>(rng());
            std::memset(p, tag, n);
            live.push_back({p, n, tag});
        } else {
            std::size_t i = rng() % live.size();
            for (std::size_t k = 0; k < live[i].n; ++k) ASSERT_EQ(live[i].p[k], live[i].tag);
            heap.free(live[i].p);
            live.erase(live.begin() + static_cast<long>(i));
        }
    }
    for (auto& b : live) heap.free(b.p);
    EXPECT_EQ(heap.stats().in_use, 0u);
}

TEST_F(HeapTest, DoubleFreeIsCaught) {
    void* a = heap.alloc(64);
    heap.free(a);
    EXPECT_DEATH(heap.free(a), "corrupted or foreign");
}

}  // namespace
