#include <gtest/gtest.h>

#include <vector>

#include "arch/image_map.h"

namespace {

using xb::Range;
using xb::arch::ImageAwareMapper;
using xb::arch::ImageSymbols;
using xb::arch::MemType;
using xb::arch::PageTableBuilder;

std::uint64_t host_phys(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

// A firmware-like image at the top of a 64 MiB bank: 0x43790000, code 0xaa000,
// read-only data to 0xce000, data/BSS to 0x117000, then the stacks as
// boot/entry.S lays them out (guard, 64 KiB, guard, 16 KiB, guard, 8 KiB).
constexpr std::uint64_t kBase = 0x43790000;
constexpr ImageSymbols kImage{kBase,
                              kBase + 0xaa000,
                              kBase + 0xce000,
                              kBase + 0x117000,
                              kBase + 0x128000,
                              kBase + 0x12d000,
                              kBase + 0x130000,
                              kBase + 0x130000};
constexpr Range kBank{0x40000000, 64ULL << 20};

struct ImageMapTest : ::testing::Test {
    std::vector<std::uint64_t> pool = std::vector<std::uint64_t>(32 * 512 + 512);
    std::uint64_t* aligned() {
        auto p = reinterpret_cast<std::uintptr_t>(pool.data());
        return reinterpret_cast<std::uint64_t*>((p + 4095) & ~std::uintptr_t{4095});
    }
    PageTableBuilder builder{aligned(), 32, host_phys};
    std::array<xb::arch::ImageRegion, xb::arch::kImageRegions> regions = xb::arch::image_regions(kImage);
    ImageAwareMapper mapper{builder, regions};

    void expect_at(std::uint64_t va, MemType type, bool writable, bool executable) {
        SCOPED_TRACE(testing::Message() << "va 0x" << std::hex << va);
        auto w = builder.lookup(va);
        ASSERT_TRUE(w.ok()) << w.error().message();
        EXPECT_EQ(w.value().pa, va);
        EXPECT_EQ(w.value().type, type);
        EXPECT_EQ(w.value().writable, writable);
        EXPECT_EQ(w.value().executable, executable);
    }
};

TEST_F(ImageMapTest, RegionsAreContiguousAndPageAligned) {
    std::uint64_t at = kImage.image_start;
    for (const auto& r : regions) {
        EXPECT_EQ(r.range.base, at);
        EXPECT_EQ(r.range.base % 4096, 0u);
        EXPECT_EQ(r.range.size % 4096, 0u);
        at = r.range.end();
    }
    EXPECT_EQ(at, kImage.image_end);
}

TEST_F(ImageMapTest, BankAroundTheImageIsWriteXorExecute) {
    ASSERT_TRUE(mapper.map(kBank, MemType::normal).ok());
    // RAM outside the image: read/write, never executable, in 2 MiB blocks
    // where aligned (the first 2 MiB of the bank) and pages next to the image.
    expect_at(0x40000000, MemType::normal, true, false);
    EXPECT_EQ(builder.lookup(0x40000000).value().level, 2u);
    expect_at(kBase - 0x1000, MemType::normal, true, false);
    EXPECT_EQ(builder.lookup(kBase - 0x1000).value().level, 3u);
    expect_at(0x43ffffff & ~0xfffULL, MemType::normal, true, false);
    // The image, part by part.
    expect_at(kBase, MemType::text, false, true);
    expect_at(kImage.text_end - 0x1000, MemType::text, false, true);
    expect_at(kImage.text_end, MemType::rodata, false, false);
    expect_at(kImage.rodata_end - 0x1000, MemType::rodata, false, false);
    expect_at(kImage.rodata_end, MemType::normal, true, false);
    expect_at(kImage.stack_guard + 0x1000, MemType::normal, true, false);  // bottom of the stack
    expect_at(kImage.stack_top - 0x10, MemType::normal, true, false);
    expect_at(kImage.exc_top - 0x10, MemType::normal, true, false);
    expect_at(kImage.nested_top - 0x10, MemType::normal, true, false);
    expect_at(kImage.image_end, MemType::normal, true, false);  // the heap above
    // Nothing in the bank but the code is executable.
    for (std::uint64_t va = kBank.base; va < kBank.end(); va += 0x1000) {
        auto w = builder.lookup(va);
        if (w.ok() && w.value().executable) {
            ASSERT_TRUE(va >= kImage.image_start && va < kImage.text_end) << std::hex << va;
            ASSERT_FALSE(w.value().writable);
        }
    }
}

TEST_F(ImageMapTest, GuardPagesBelowEachStackAreUnmapped) {
    ASSERT_TRUE(mapper.map(kBank, MemType::normal).ok());
    for (std::uint64_t guard : {kImage.stack_guard, kImage.stack_top, kImage.exc_top}) {
        SCOPED_TRACE(testing::Message() << "guard 0x" << std::hex << guard);
        EXPECT_FALSE(builder.lookup(guard).ok());
        EXPECT_FALSE(builder.lookup(guard + 0xfff).ok());
        EXPECT_TRUE(builder.lookup(guard - 1).ok());
        EXPECT_TRUE(builder.lookup(guard + 0x1000).ok());
    }
}

TEST_F(ImageMapTest, ImageMappedOnceAcrossRanges) {
    // Without a usable RAM description the board maps the image and the heap
    // on their own (board.cpp): the image by parts, the heap as data.
    ASSERT_TRUE(mapper.map(Range{kImage.image_start, kImage.image_end - kImage.image_start}, MemType::normal).ok());
    ASSERT_TRUE(mapper.map(Range{kImage.image_end, 8ULL << 20}, MemType::normal).ok());
    expect_at(kBase, MemType::text, false, true);
    expect_at(kImage.image_end + 0x1000, MemType::normal, true, false);
    EXPECT_FALSE(builder.lookup(kImage.stack_guard).ok());
    EXPECT_FALSE(builder.lookup(kBase - 0x1000).ok());
    // A second range over the image neither fails nor maps it twice.
    EXPECT_TRUE(mapper.map(Range{kBase, 0x1000}, MemType::normal).ok());
    expect_at(kBase, MemType::text, false, true);
}

TEST_F(ImageMapTest, RangesAwayFromTheImageKeepTheirType) {
    ASSERT_TRUE(mapper.map(Range{0x39000000, 0x2000}, MemType::normal).ok());
    ASSERT_TRUE(mapper.map(Range{0x03001000, 0x1000}, MemType::device).ok());
    expect_at(0x39001000, MemType::normal, true, false);
    expect_at(0x03001000, MemType::device, true, false);
    EXPECT_FALSE(builder.lookup(kBase).ok());  // the image is mapped only with a range that covers it
}

}  // namespace
