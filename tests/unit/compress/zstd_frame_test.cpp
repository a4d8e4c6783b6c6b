// compress::ZstdFrameDecoder: frames made by the host's libzstd at btrfs's
// level (1) and size (128 KiB), decoded one after the other by one decoder,
// with sector padding after a frame, exact fits, and corrupt, truncated and
// oversized input. The btrfs extents themselves are tested with real images
// in btrfs_test.
#include "compress/zstd_frame.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <random>
#include <span>
#include <utility>
#include <string>
#include <vector>

namespace {

using xb::Errc;
using Bytes = std::vector<std::uint8_t>;

Bytes sample(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes out(size);
    static const char kText[] = "linux /root/boot/vmlinuz options $kernelopts ";
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = (i / 1000) % 5 == 4 ? static_cast<std::uint8_t>(rng())
                                     : static_cast<std::uint8_t>(kText[i % (sizeof kText - 1)]);
    }
    return out;
}

Bytes zstd_of(const Bytes& data) {
    Bytes out(ZSTD_compressBound(data.size()));
    const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 1);
    EXPECT_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
}

TEST(ZstdFrame, OneDecoderForManyPaddedFrames) {
    xb::compress::ZstdFrameDecoder dec;
    for (std::uint32_t i = 0; i < 40; ++i) {
        const Bytes data = sample(i % 3 == 0 ? 128 * 1024 : 1000 + i * 997, i);
        Bytes frame = zstd_of(data);
        frame.resize((frame.size() + 4095) / 4096 * 4096, 0);  // btrfs pads to a sector
        Bytes out(data.size());
        auto n = dec.decode(frame, out);
        ASSERT_TRUE(n.ok()) << n.error().message();
        EXPECT_EQ(n.value(), data.size());
        EXPECT_TRUE(out == data) << "frame " << i;
    }
}

TEST(ZstdFrame, ErrorsAreClear) {
    xb::compress::ZstdFrameDecoder dec;
    const Bytes data = sample(100000, 7);
    const Bytes frame = zstd_of(data);
    // The error of one decode, as (code, message); the message is "" when it succeeded.
    auto failure = [&dec](std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
        auto r = dec.decode(in, out);
        return r.ok() ? std::make_pair(Errc::invalid_argument, std::string())
                      : std::make_pair(r.error().code(), std::string(r.error().message()));
    };
    Bytes small(data.size() - 1);
    EXPECT_EQ(failure(frame, small),
              std::make_pair(Errc::no_space, std::string("decompressed data larger than 99999 bytes")));

    Bytes out(data.size());
    EXPECT_EQ(failure({frame.data(), frame.size() / 2}, out),
              std::make_pair(Errc::bad_data, std::string("truncated zstd data")));

    Bytes corrupt = frame;
    for (std::size_t i = 20; i < corrupt.size(); i += 50) corrupt[i] ^= 0x5a;
    const auto bad = failure(corrupt, out);
    EXPECT_EQ(bad.first, Errc::bad_data);
    EXPECT_EQ(bad.second.rfind("corrupt zstd data: ", 0), 0u) << bad.second;

    const Bytes zeros(4096, 0);
    EXPECT_EQ(failure(zeros, out).second, "not zstd data: no zstd frame magic (28 b5 2f fd) at the start");
    EXPECT_EQ(failure({}, out).second, "not zstd data: empty input");

    // After the errors the same decoder still decodes.
    EXPECT_EQ(failure(frame, out).second, "");
    EXPECT_TRUE(out == data);
}

}  // namespace
