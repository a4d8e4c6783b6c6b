#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "lib/memory_map.h"
#include "loader/arm64_image.h"

namespace {

using xb::Errc;
using xb::MemoryMap;
using xb::Range;
using xb::loader::arm64_image_footprint;
using xb::loader::Arm64Image;
using xb::loader::choose_kernel_address;
using xb::loader::parse_arm64_image;

constexpr std::uint64_t MiB = 1ULL << 20;

void put_le64(std::vector<std::uint8_t>& h, std::size_t at, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) h[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A header as booting.rst lays it out: code0 = "MZ" + branch (as EFI-stub
// kernels have it), text_offset, image_size, flags, magic at 0x38.
std::vector<std::uint8_t> header(std::uint64_t text_offset, std::uint64_t image_size, std::uint64_t flags) {
    std::vector<std::uint8_t> h(64, 0);
    h[0] = 'M';
    h[1] = 'Z';
    put_le64(h, 8, text_offset);
    put_le64(h, 16, image_size);
    put_le64(h, 24, flags);
    h[0x38] = 'A';
    h[0x39] = 'R';
    h[0x3a] = 'M';
    h[0x3b] = 0x64;
    return h;
}

std::string message(const xb::Error& e) { return e.message(); }

TEST(Arm64Image, ParsesAModernHeader) {
    auto h = header(0, 0x2a30000, 0xa);  // LE, 4 KiB pages, anywhere: what Linux 5.8+ writes
    auto r = parse_arm64_image(h, 0x2400000);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value().text_offset, 0u);
    EXPECT_EQ(r.value().image_size, 0x2a30000u);
    EXPECT_TRUE(r.value().size_known);
    EXPECT_EQ(r.value().page_size_kib, 4u);
    EXPECT_TRUE(r.value().anywhere);
}

TEST(Arm64Image, PageSizeAndPlacementFlags) {
    const unsigned want[] = {0, 4, 16, 64};
    for (unsigned code = 0; code < 4; ++code) {
        for (unsigned anywhere = 0; anywhere < 2; ++anywhere) {
            auto h =
                header(0x80000, 0x1000000, (code << 1) | (anywhere << 3) | (0xf0ULL << 56));  // reserved bits ignored
            auto r = parse_arm64_image(h, 0x800000);
            ASSERT_TRUE(r.ok()) << r.error().message();
            EXPECT_EQ(r.value().page_size_kib, want[code]);
            EXPECT_EQ(r.value().anywhere, anywhere == 1);
            EXPECT_EQ(r.value().text_offset, 0x80000u);
        }
    }
}

TEST(Arm64Image, LegacyHeaderWithoutImageSize) {
    // Before 3.17: image_size 0, text_offset of unknown endianness, no flags.
    auto h = header(0x0000080000000000ULL, 0, 0x1 /* would be big-endian */);
    auto r = parse_arm64_image(h, 5 * MiB + 123);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value().text_offset, 0x80000u);
    EXPECT_FALSE(r.value().size_known);
    EXPECT_FALSE(r.value().anywhere);
    EXPECT_EQ(arm64_image_footprint(r.value(), 5 * MiB + 123), 6 * MiB + xb::loader::kArm64LegacyBssAllowance);
}

TEST(Arm64Image, RefusesShortData) {
    auto h = header(0, MiB, 0xa);
    auto r = parse_arm64_image(std::span(h).first(63), 63);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data);
    EXPECT_NE(message(r.error()).find("only 63 bytes"), std::string::npos) << r.error().message();
    // The span is long enough but the file is not.
    auto r2 = parse_arm64_image(h, 40);
    ASSERT_FALSE(r2.ok());
    EXPECT_NE(message(r2.error()).find("only 40 bytes"), std::string::npos) << r2.error().message();
    EXPECT_FALSE(parse_arm64_image({}, 0).ok());
}

TEST(Arm64Image, RefusesBadMagicAndSaysWhatItSaw) {
    auto h = header(0, MiB, 0xa);
    h[0x3b] = 0x65;
    auto r = parse_arm64_image(h, MiB);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data);
    EXPECT_NE(message(r.error()).find("bad magic at 0x38 (got 41 52 4d 65"), std::string::npos) << r.error().message();
    EXPECT_EQ(message(r.error()).find("gzip"), std::string::npos);

    std::vector<std::uint8_t> gz(64, 0);
    gz[0] = 0x1f;
    gz[1] = 0x8b;
    gz[2] = 0x08;
    auto g = parse_arm64_image(gz, 4 * MiB);
    ASSERT_FALSE(g.ok());
    EXPECT_NE(message(g.error()).find("gzip data: inflate it first"), std::string::npos) << g.error().message();
}

TEST(Arm64Image, RefusesBigEndianKernels) {
    auto r = parse_arm64_image(header(0, MiB, 0xb), MiB);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::unsupported);
    EXPECT_NE(message(r.error()).find("big-endian"), std::string::npos);
}

TEST(Arm64Image, RefusesAbsurdSizesAndOffsets) {
    const std::uint64_t max = xb::loader::kArm64MaxImageSize;
    EXPECT_TRUE(parse_arm64_image(header(0, max, 0xa), MiB).ok());
    auto big = parse_arm64_image(header(0, max + 1, 0xa), MiB);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code(), Errc::bad_data);
    EXPECT_NE(message(big.error()).find("image_size 0x40000001"), std::string::npos) << big.error().message();
    EXPECT_FALSE(parse_arm64_image(header(0, ~0ULL, 0xa), MiB).ok());
    EXPECT_FALSE(parse_arm64_image(header(0, MiB, 0xa), max + 1).ok());
    EXPECT_FALSE(parse_arm64_image(header(0, 0, 0), max + 1).ok());

    EXPECT_TRUE(parse_arm64_image(header(2 * MiB - 4096, MiB, 0xa), MiB).ok());
    for (std::uint64_t bad : std::array<std::uint64_t, 4>{2 * MiB, 0x80001, 0x800, ~0ULL - 4095}) {
        auto r = parse_arm64_image(header(bad, MiB, 0xa), MiB);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(message(r.error()).find("text_offset"), std::string::npos);
    }
}

TEST(Arm64Image, FootprintCoversImageSizeAndTheFile) {
    Arm64Image img;
    img.size_known = true;
    img.image_size = 30 * MiB;
    EXPECT_EQ(arm64_image_footprint(img, 20 * MiB), 30 * MiB);
    // A signed kernel: the signature appended to the file lies past image_size.
    EXPECT_EQ(arm64_image_footprint(img, 30 * MiB + 0x2000), 30 * MiB + 0x2000);
}

// 256 MiB of RAM at 0x40000000 with xenboot and its heap in the first 2 MiB.
MemoryMap guest_ram() {
    MemoryMap m;
    m.add_ram({0x40000000, 256 * MiB});
    m.reserve({0x40000000, 2 * MiB}, "xenboot");
    return m;
}

Arm64Image modern(std::uint64_t text_offset, std::uint64_t size, bool anywhere) {
    Arm64Image img;
    img.text_offset = text_offset;
    img.image_size = size;
    img.size_known = true;
    img.anywhere = anywhere;
    return img;
}

TEST(Arm64Placement, KeepsASuitableCurrentAddress) {
    const MemoryMap m = guest_ram();
    auto r = choose_kernel_address(modern(0, 40 * MiB, true), 0x48000000, 30 * MiB, m, {});
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value(), 0x48000000u);
    auto t = choose_kernel_address(modern(0x80000, 40 * MiB, true), 0x48080000, 30 * MiB, m, {});
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value(), 0x48080000u);
}

TEST(Arm64Placement, MovesAMisalignedKernelToTheLowestPlace) {
    const MemoryMap m = guest_ram();
    auto r = choose_kernel_address(modern(0, 40 * MiB, true), 0x48001000, 30 * MiB, m, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 0x40200000u);
    // text_offset counts from the 2 MiB-aligned base.
    auto t = choose_kernel_address(modern(0x80000, 40 * MiB, true), 0x48000000, 30 * MiB, m, {});
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value(), 0x40280000u);
}

TEST(Arm64Placement, FixedPlacementKernelsGoAsLowAsPossible) {
    const MemoryMap m = guest_ram();
    // flags bit 3 clear: a suitable current address is not enough.
    auto r = choose_kernel_address(modern(0x80000, 40 * MiB, false), 0x48080000, 30 * MiB, m, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 0x40280000u);
    auto same = choose_kernel_address(modern(0x80000, 40 * MiB, false), 0x40280000, 30 * MiB, m, {});
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same.value(), 0x40280000u);
}

TEST(Arm64Placement, StaysClearOfKeepOutRanges) {
    const MemoryMap m = guest_ram();
    const Range keep[] = {{0x40300000, 0x100000} /* fdt */, {0x41000000, 0x800000} /* initrd */};
    // 16 MiB from 0x40200000 hits the fdt; from 0x40400000 it hits the
    // initrd; after the initrd the next base is 0x41800000.
    auto r = choose_kernel_address(modern(0, 16 * MiB, true), 0x50000001, 10 * MiB, m, keep);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 0x41800000u);
    // A 1 MiB kernel fits below the fdt.
    auto small = choose_kernel_address(modern(0, MiB, true), 0x50000001, MiB, m, keep);
    ASSERT_TRUE(small.ok());
    EXPECT_EQ(small.value(), 0x40200000u);
    // A suitable current address that overlaps the initrd is not kept.
    auto cur = choose_kernel_address(modern(0, 16 * MiB, true), 0x40800000, 10 * MiB, m, keep);
    ASSERT_TRUE(cur.ok());
    EXPECT_EQ(cur.value(), 0x41800000u);
    EXPECT_EQ(choose_kernel_address(modern(0, 16 * MiB, true), 0x44000000, 10 * MiB, m, keep).value_or(0), 0x44000000u);
}

TEST(Arm64Placement, CurrentAddressInReservedMemoryIsNotKept) {
    MemoryMap m = guest_ram();
    m.reserve({0x48000000, 4 * MiB}, "heap");
    auto r = choose_kernel_address(modern(0, 8 * MiB, true), 0x47c00000, 8 * MiB, m, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 0x40200000u);
}

TEST(Arm64Placement, UsesTheNextBankWhenTheFirstIsFull) {
    MemoryMap m;
    m.add_ram({0x40000000, 16 * MiB});
    m.add_ram({0x200000000ULL, 1024 * MiB});
    m.reserve({0x40000000, 2 * MiB}, "xenboot");
    auto r = choose_kernel_address(modern(0, 64 * MiB, false), 0x40200000, 10 * MiB, m, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 0x200000000u);
}

TEST(Arm64Placement, NoRoomIsAClearError) {
    const MemoryMap m = guest_ram();
    auto r = choose_kernel_address(modern(0, 300 * MiB, true), 0x40200000, 10 * MiB, m, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::no_space);
    EXPECT_NE(message(r.error()).find("0x12c00000 bytes"), std::string::npos) << r.error().message();
    EXPECT_FALSE(choose_kernel_address(modern(0, MiB, true), 0, xb::loader::kArm64MaxImageSize + 1, m, {}).ok());
}

TEST(Arm64Placement, AnywhereMeansBelow48Bits) {
    MemoryMap m;
    const std::uint64_t top = 1ULL << 48;
    m.add_ram({top - 4 * MiB, 64 * MiB});
    auto r = choose_kernel_address(modern(0, 8 * MiB, true), top - 4 * MiB, 8 * MiB, m, {});
    ASSERT_FALSE(r.ok());
    auto fits = choose_kernel_address(modern(0, 4 * MiB, true), top - 2 * MiB, 4 * MiB, m, {});
    ASSERT_TRUE(fits.ok());
    EXPECT_EQ(fits.value(), top - 4 * MiB);
}

TEST(Arm64Placement, HostileRangesNearTheTopOfTheAddressSpace) {
    MemoryMap m;
    const std::uint64_t bank = 0ULL - 16 * MiB;  // 8 MiB ending 8 MiB below 2^64
    m.add_ram({bank, 8 * MiB});
    const Range keep[] = {{~0ULL - MiB, ~0ULL}, {0, ~0ULL}};  // the second wraps: it covers everything
    EXPECT_FALSE(choose_kernel_address(modern(0x1000, MiB, false), ~0ULL - 4095, MiB, m, keep).ok());
    EXPECT_FALSE(choose_kernel_address(modern(0x1000, MiB, true), ~0ULL - 4095, MiB, m, {}).ok());  // above 2^48
    auto r = choose_kernel_address(modern(0x1000, MiB, false), ~0ULL - 4095, MiB, m, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), bank + 0x1000);
    EXPECT_FALSE(choose_kernel_address(modern(0x1000, 8 * MiB, false), 0, MiB, m, {}).ok());
}

// The placement against a brute-force scan of every 2 MiB base, on random
// small memory maps with random reservations and keep-outs.
TEST(Arm64Placement, MatchesABruteForceScan) {
    std::mt19937_64 rng(12345);
    for (int round = 0; round < 3000; ++round) {
        MemoryMap m;
        const unsigned banks = 1 + rng() % 3;
        std::uint64_t cursor = (rng() % 64) * MiB;
        for (unsigned b = 0; b < banks; ++b) {
            const std::uint64_t size = (1 + rng() % 64) * MiB + (rng() % 4) * 4096;
            m.add_ram({cursor, size});
            cursor += size + (rng() % 32) * MiB;
        }
        for (unsigned i = rng() % 4; i > 0; --i) m.reserve({(rng() % 256) * MiB / 2, (1 + rng() % 8) * MiB}, "r");
        std::vector<Range> keep;
        for (unsigned i = rng() % 4; i > 0; --i) keep.push_back({(rng() % 512) * MiB / 4, (1 + rng() % 6) * MiB});
        const Arm64Image img = modern((rng() % 512) * 4096, (1 + rng() % 16) * MiB, rng() % 2 == 0);
        const std::uint64_t file = (rng() % 18) * MiB + 4096;
        const std::uint64_t current =
            (rng() % 2 == 0) ? (rng() % 128) * 2 * MiB + img.text_offset : rng() % (256 * MiB);
        const std::uint64_t fp = arm64_image_footprint(img, file);

        auto suitable = [&](std::uint64_t at) {
            if (at < img.text_offset || (at - img.text_offset) % (2 * MiB) != 0) return false;
            if (!m.is_free({at, fp})) return false;
            for (const Range& k : keep) {
                if (k.overlaps({at, fp})) return false;
            }
            return true;
        };
        bool found = false;
        std::uint64_t want = 0;
        if (img.anywhere && suitable(current)) {
            found = true;
            want = current;
        }
        for (std::uint64_t base = 0; !found && base < 512 * MiB; base += 2 * MiB) {
            if (suitable(base + img.text_offset)) {
                found = true;
                want = base + img.text_offset;
            }
        }
        auto got = choose_kernel_address(img, current, file, m, keep);
        ASSERT_EQ(got.ok(), found) << "round " << round;
        if (found) {
            ASSERT_EQ(got.value(), want) << "round " << round;
        }
    }
}

}  // namespace
