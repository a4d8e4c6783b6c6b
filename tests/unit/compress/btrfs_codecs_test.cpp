// compress::inflate_zlib (RFC 1950 streams, as btrfs's zlib extents hold) and
// compress::lzo1x_decompress (one LZO1X block, as each segment of a btrfs lzo
// extent holds): data compressed by the host's zlib (compress2) and liblzo2
// (lzo1x_1_compress, lzo1x_999_compress) decompressed back, exact fits,
// padding after a zlib stream, and corrupt, truncated and oversized input.
// The btrfs framing around them is tested with real images in btrfs_test.
#include <gtest/gtest.h>
#include <lzo/lzo1x.h>
#include <zlib.h>

#include <random>
#include <vector>

#include "compress/inflate_zlib.h"
#include "compress/lzo1x.h"

namespace {

using xb::Errc;
using Bytes = std::vector<std::uint8_t>;

Bytes sample(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes out(size);
    static const char kText[] = "title Fedora Linux; options rootflags=subvol=root; ";
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = (i / 1000) % 4 == 3 ? static_cast<std::uint8_t>(rng())
                                     : static_cast<std::uint8_t>(kText[i % (sizeof kText - 1)]);
    }
    return out;
}

Bytes zlib_of(const Bytes& data, int level) {
    uLongf n = compressBound(static_cast<uLong>(data.size()));
    Bytes out(n);
    EXPECT_EQ(compress2(out.data(), &n, data.data(), static_cast<uLong>(data.size()), level), Z_OK);
    out.resize(n);
    return out;
}

Bytes lzo_of(const Bytes& data, bool best) {
    Bytes work(LZO1X_999_MEM_COMPRESS);
    Bytes out(data.size() + data.size() / 16 + 64 + 3);
    lzo_uint n = 0;
    const int rc = best ? lzo1x_999_compress(data.data(), data.size(), out.data(), &n, work.data())
                        : lzo1x_1_compress(data.data(), data.size(), out.data(), &n, work.data());
    EXPECT_EQ(rc, LZO_E_OK);
    out.resize(n);
    return out;
}

TEST(InflateZlib, RoundTripsAtEveryLevelAndIgnoresPadding) {
    for (std::size_t size : {1u, 4096u, 131072u}) {
        const Bytes data = sample(size, static_cast<std::uint32_t>(size));
        for (int level : {1, 6, 9}) {
            Bytes z = zlib_of(data, level);
            z.resize(z.size() + 300, 0);  // btrfs pads to the sector
            Bytes out(size);              // an exact fit
            auto r = xb::compress::inflate_zlib(z, out);
            ASSERT_TRUE(r.ok()) << r.error().message();
            EXPECT_EQ(r.value(), size);
            EXPECT_EQ(out, data);
        }
    }
    // A larger buffer: the count is what the stream holds.
    const Bytes data = sample(5000, 7);
    Bytes out(8000);
    auto r = xb::compress::inflate_zlib(zlib_of(data, 6), out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 5000u);
}

TEST(InflateZlib, Errors) {
    const Bytes data = sample(20000, 3);
    const Bytes z = zlib_of(data, 6);
    Bytes out(data.size());
    Bytes small(data.size() - 1);
    auto big = xb::compress::inflate_zlib(z, small);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code(), Errc::no_space);
    EXPECT_STREQ(big.error().message(), "inflated data larger than 19999 bytes");

    auto empty = xb::compress::inflate_zlib({}, out);
    ASSERT_FALSE(empty.ok());
    EXPECT_STREQ(empty.error().message(), "not zlib data: empty input");
    const Bytes gzip_magic{0x1f, 0x8b, 0x08, 0x00};
    auto notzlib = xb::compress::inflate_zlib(gzip_magic, out);
    ASSERT_FALSE(notzlib.ok());
    EXPECT_STREQ(notzlib.error().message(), "not zlib data: no RFC 1950 deflate header at the start");

    auto cut = xb::compress::inflate_zlib({z.data(), z.size() / 2}, out);
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code(), Errc::bad_data);
    EXPECT_NE(std::string(cut.error().message()).find("truncated zlib data"), std::string::npos);

    Bytes bad = z;
    bad[bad.size() - 2] ^= 0xff;  // the Adler-32 trailer
    auto sum = xb::compress::inflate_zlib(bad, out);
    ASSERT_FALSE(sum.ok());
    EXPECT_EQ(sum.error().code(), Errc::bad_data);
    EXPECT_NE(std::string(sum.error().message()).find("incorrect data check"), std::string::npos)
        << sum.error().message();
}

TEST(Lzo1x, RoundTrips) {
    for (std::size_t size : {1u, 4096u, 65536u}) {
        const Bytes data = sample(size, static_cast<std::uint32_t>(size) + 1);
        for (bool best : {false, true}) {
            const Bytes c = lzo_of(data, best);
            Bytes out(size);
            auto r = xb::compress::lzo1x_decompress(c, out);
            ASSERT_TRUE(r.ok()) << r.error().message();
            EXPECT_EQ(r.value(), size);
            EXPECT_EQ(out, data);
        }
    }
}

TEST(Lzo1x, Errors) {
    const Bytes data = sample(4096, 9);
    const Bytes c = lzo_of(data, false);
    Bytes out(4096), small(4095);
    auto big = xb::compress::lzo1x_decompress(c, small);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code(), Errc::no_space);
    auto cut = xb::compress::lzo1x_decompress({c.data(), c.size() - 3}, out);
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code(), Errc::bad_data);
    EXPECT_STREQ(cut.error().message(), "corrupt lzo1x data: the input ends early");
    Bytes extra = c;
    extra.push_back(0);
    auto more = xb::compress::lzo1x_decompress(extra, out);
    ASSERT_FALSE(more.ok());
    EXPECT_STREQ(more.error().message(), "corrupt lzo1x data: bytes after the end marker");
    auto empty = xb::compress::lzo1x_decompress({}, out);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code(), Errc::bad_data);
    // Garbage never writes past the buffer or succeeds silently with the wrong size.
    std::mt19937 rng(5);
    for (int i = 0; i < 200; ++i) {
        Bytes junk = c;
        junk[rng() % junk.size()] = static_cast<std::uint8_t>(rng());
        auto r = xb::compress::lzo1x_decompress(junk, out);
        if (r.ok()) {
            EXPECT_LE(r.value(), out.size());
        }
    }
}

}  // namespace
