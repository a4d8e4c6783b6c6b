// compress/decompress: every format against data made by the real tools with
// the kernel's options, detection by magic, and the error cases (truncated,
// corrupt, too small an output, Ctrl-C).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compress/decompress.h"
#include "tests/sim/kernel_files.h"

namespace {

using xb::Errc;
using xb::compress::Compression;
using xb::compress::decompress;
using xb::compress::DecompressProgress;
using xb::compress::detect_compression;
using Bytes = std::vector<std::uint8_t>;

// Compressible but not trivial: text runs with random 4 KiB blocks between.
Bytes sample(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes out(size);
    static const char kText[] = "arm64 Image decompressed by xenboot; ";
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = (i / 4096) % 3 == 2 ? static_cast<std::uint8_t>(rng())
                                     : static_cast<std::uint8_t>(kText[i % (sizeof kText - 1)]);
    }
    return out;
}

struct Case {
    const char* tool;
    Compression method;
};
const Case kCases[] = {
    {"gzip", Compression::gzip}, {"zstd", Compression::zstd}, {"xz", Compression::xz},
    {"lzma", Compression::lzma}, {"lz4", Compression::lz4},
};

class Decompress : public ::testing::TestWithParam<Case> {};

TEST_P(Decompress, RoundTripsExactAndLargerBuffers) {
    const Case c = GetParam();
    const Bytes data = sample(3 << 20, 1);
    const Bytes comp = xb::sim::compress_with_tool(data, c.tool);
    ASSERT_FALSE(comp.empty());
    EXPECT_EQ(detect_compression(comp), c.method);
    Bytes out(data.size());
    auto r = decompress(c.method, comp, out);
    ASSERT_TRUE(r.ok()) << std::string(r.error().message());
    EXPECT_EQ(r.value(), data.size());
    EXPECT_EQ(out, data);
    Bytes bigger(data.size() + 12345, 0xee);
    auto r2 = decompress(c.method, comp, bigger);
    ASSERT_TRUE(r2.ok()) << std::string(r2.error().message());
    EXPECT_EQ(r2.value(), data.size());
    EXPECT_EQ(std::memcmp(bigger.data(), data.data(), data.size()), 0);
    EXPECT_EQ(bigger[data.size()], 0xee);  // nothing written past the data
}

TEST_P(Decompress, IgnoresTheKernelsAppendedSize) {
    const Case c = GetParam();
    const Bytes data = sample(100000, 2);
    Bytes comp = xb::sim::compress_with_tool(data, c.tool);
    for (int i = 0; i < 4; ++i) comp.push_back(static_cast<std::uint8_t>(data.size() >> (8 * i)));
    Bytes out(data.size());
    auto r = decompress(c.method, comp, out);
    ASSERT_TRUE(r.ok()) << std::string(r.error().message());
    EXPECT_EQ(out, data);
}

TEST_P(Decompress, TooSmallAnOutputIsNoSpace) {
    const Case c = GetParam();
    const Bytes data = sample(1 << 20, 3);
    const Bytes comp = xb::sim::compress_with_tool(data, c.tool);
    Bytes out(data.size() - 1);
    auto r = decompress(c.method, comp, out);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::no_space) << std::string(r.error().message());
    const std::string want =
        c.method == Compression::gzip ? "inflated data larger than " : "decompressed data larger than ";
    EXPECT_EQ(std::string(r.error().message()), want + std::to_string(out.size()) + " bytes");
}

TEST_P(Decompress, TruncatedDataIsBadData) {
    const Case c = GetParam();
    const Bytes data = sample(1 << 20, 4);
    Bytes comp = xb::sim::compress_with_tool(data, c.tool);
    comp.resize(comp.size() / 2);
    Bytes out(data.size());
    auto r = decompress(c.method, comp, out);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data) << std::string(r.error().message());
    const std::string name = xb::compress::compression_name(c.method);
    EXPECT_EQ(std::string(r.error().message()).rfind("truncated " + name + " data (", 0), 0u)
        << std::string(r.error().message());
}

TEST_P(Decompress, CorruptDataIsBadDataWithAnOffset) {
    const Case c = GetParam();
    const Bytes data = sample(1 << 20, 5);
    Bytes comp = xb::sim::compress_with_tool(data, c.tool);
    for (std::size_t i = comp.size() / 3; i < comp.size() / 3 + 64; ++i) comp[i] ^= 0x5a;
    Bytes out(data.size());
    auto r = decompress(c.method, comp, out);
    if (c.method == Compression::lz4 && r.ok()) {
        // lz4 blocks carry no checksum: flipped literals decode "fine".
        EXPECT_NE(out, data);
        return;
    }
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().code() == Errc::bad_data || r.error().code() == Errc::no_space)
        << std::string(r.error().message());
    if (r.error().code() == Errc::bad_data && std::string(r.error().message()).find("truncated") == std::string::npos) {
        EXPECT_NE(std::string(r.error().message()).find("data at input byte "), std::string::npos)
            << std::string(r.error().message());
    }
}

TEST_P(Decompress, CtrlCStopsIt) {
    const Case c = GetParam();
    const Bytes data = sample(10 << 20, 6);
    const Bytes comp = xb::sim::compress_with_tool(data, c.tool);
    Bytes out(data.size());
    int calls = 0;
    DecompressProgress p{[](void* ctx, std::uint64_t) { return ++*static_cast<int*>(ctx) < 2; }, &calls, 1 << 20};
    auto r = decompress(c.method, comp, out, &p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::interrupted) << std::string(r.error().message());
    EXPECT_EQ(calls, 2);
}

TEST_P(Decompress, WrongMagicAndEmptyInput) {
    const Case c = GetParam();
    Bytes out(16);
    const std::string name = xb::compress::compression_name(c.method);
    auto r = decompress(c.method, Bytes{}, out);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data);
    EXPECT_EQ(std::string(r.error().message()), "not " + name + " data: empty input");
    auto r2 = decompress(c.method, Bytes(64, 0xff), out);
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(std::string(r2.error().message()).rfind("not " + name + " data: ", 0), 0u)
        << std::string(r2.error().message());
}

INSTANTIATE_TEST_SUITE_P(Formats, Decompress, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.tool); });

TEST(DecompressDetect, ByMagic) {
    EXPECT_EQ(detect_compression(Bytes{0x1f, 0x8b, 0x08}), Compression::gzip);
    EXPECT_EQ(detect_compression(Bytes{0x28, 0xb5, 0x2f, 0xfd}), Compression::zstd);
    EXPECT_EQ(detect_compression(Bytes{0x5e, 0x2a, 0x4d, 0x18}), Compression::zstd);  // skippable frame
    EXPECT_EQ(detect_compression(Bytes{0xfd, '7', 'z', 'X', 'Z', 0}), Compression::xz);
    EXPECT_EQ(detect_compression(Bytes{0x02, 0x21, 0x4c, 0x18}), Compression::lz4);
    // lzma -9 from a pipe: props 0x5d, 64 MiB dictionary, unknown size.
    const Bytes lzma{0x5d, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    EXPECT_EQ(detect_compression(lzma), Compression::lzma);
    Bytes odd_dict = lzma;
    odd_dict[4] = 5;  // 0x05000000: neither 2^n nor 2^n + 2^(n-1)
    EXPECT_EQ(detect_compression(odd_dict), Compression::none);
    Bytes bad_props = lzma;
    bad_props[0] = 225;
    EXPECT_EQ(detect_compression(bad_props), Compression::none);
    EXPECT_EQ(detect_compression(Bytes{}), Compression::none);
    EXPECT_EQ(detect_compression(Bytes{0x28, 0xb5, 0x2f}), Compression::none);
    EXPECT_EQ(detect_compression(xb::sim::padded_image(Bytes(64, 0))), Compression::none);
}

TEST(DecompressZstd, UltraWindowNeedsNoWindowAllocation) {
    // --ultra -22 from a pipe declares a 128 MiB window (`zstd -lv` says so)
    // whatever the data's size: more than libzstd's default limit (2^27 is
    // its ZSTD_WINDOWLOG_LIMIT_DEFAULT) allows and more than the firmware heap
    // holds. Decoding straight into `out` needs none of it.
    const Bytes data = sample(1 << 20, 7);
    const Bytes comp = xb::sim::compress_with_tool(data, "zstd");
    Bytes out(data.size());
    auto r = decompress(Compression::zstd, comp, out);
    ASSERT_TRUE(r.ok()) << std::string(r.error().message());
    EXPECT_EQ(out, data);
}

TEST(DecompressLz4, BadBlockSize) {
    Bytes lz4{0x02, 0x21, 0x4c, 0x18, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3};
    Bytes out(64);
    auto r = decompress(Compression::lz4, lz4, out);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(std::string(r.error().message()),
              "corrupt lz4 data at input byte 4: block size 2147483647 (limit 8421520)");
}

// `unzip` hands the decoder everything up to the end of RAM, and lz4's legacy
// format has no end marker: what follows the last block must end the stream
// (as `lz4 -d` reads it), not fail it. A bad size before any block still fails.
TEST(DecompressLz4, BytesAfterTheLastBlockEndTheStream) {
    const Bytes data = sample(100000, 3);
    Bytes comp = xb::sim::compress_with_tool(data, "lz4");
    for (std::uint8_t b : {0xff, 0xee, 0xdd, 0x7f, 0x00, 0x11}) comp.push_back(b);
    Bytes out(data.size() + 4096);
    auto r = decompress(Compression::lz4, comp, out);
    ASSERT_TRUE(r.ok()) << std::string(r.error().message());
    ASSERT_EQ(r.value(), data.size());
    EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
}

TEST(Decompress, NoMethod) {
    Bytes out(4);
    auto r = decompress(Compression::none, Bytes{1, 2, 3}, out);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::unsupported);
}

}  // namespace

namespace {

// Found by fuzz_decompress: liblz4 decodes the 1-byte block 0b as empty, yet
// refuses it when the destination has 0 bytes. Full `out` must not turn an
// empty block into no_space.
TEST(DecompressLz4, EmptyBlockFitsAFullOutput) {
    const Bytes lz4{0x02, 0x21, 0x4c, 0x18, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00};
    Bytes none;
    auto r = decompress(Compression::lz4, lz4, none);
    ASSERT_TRUE(r.ok()) << std::string(r.error().message());
    EXPECT_EQ(r.value(), 0u);
    Bytes some(16);
    auto r2 = decompress(Compression::lz4, lz4, some);
    ASSERT_TRUE(r2.ok()) << std::string(r2.error().message());
    EXPECT_EQ(r2.value(), 0u);
}

// Found by fuzz_decompress in the test command: a block that breaks lz4's
// end-of-block rules decodes (3395 bytes) when the output has slack and fails
// when it has exactly 3395 bytes, so the answer depended on the caller's
// buffer. Now it is bad_data for every buffer.
TEST(DecompressLz4, BlockBreakingEndOfBlockRulesIsCorruptWhateverTheRoom) {
    const Bytes lz4{0x02, 0x21, 0x4c, 0x18, 0x50, 0x00, 0x00, 0x00, 0xf0, 0x09, 0x6c, 0x61, 0x62, 0x65, 0x6c, 0x20,
                    0x6c, 0x30, 0x0a, 0x09, 0x6c, 0x69, 0x6e, 0x75, 0x78, 0x20, 0x26, 0x62, 0x6f, 0x6f, 0x74, 0x2f,
                    0x76, 0x6d, 0x0e, 0x00, 0xff, 0x0f, 0x7a, 0x0a, 0x09, 0x61, 0x70, 0x70, 0x65, 0x6e, 0x64, 0x20,
                    0x72, 0x6f, 0x6f, 0x74, 0x3d, 0x2f, 0x64, 0x65, 0x2f, 0x78, 0x76, 0x76, 0x64, 0x61, 0x31, 0x20,
                    0x72, 0x6f, 0x0a, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                    0xff, 0xff, 0xff, 0x00, 0x36, 0x18, 0x48, 0x73, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    for (std::size_t room : {std::size_t{3396}, std::size_t{4096}, std::size_t{65536}}) {
        Bytes out(room);
        auto r = decompress(Compression::lz4, lz4, out);
        ASSERT_FALSE(r.ok()) << room;
        EXPECT_EQ(r.error().code(), Errc::bad_data) << room << ": " << r.error().message();
    }
}

}  // namespace
