// net/bytes.h: the copy and the Internet checksum every received byte goes
// through, at every alignment of source and destination, against memcpy and
// a plain RFC 1071 sum of 16-bit words.
#include "net/bytes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace xb::net {
namespace {

std::vector<std::uint8_t> noise(std::size_t n, std::uint32_t seed) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) {
        seed = seed * 1103515245U + 12345U;
        b = static_cast<std::uint8_t>(seed >> 16);
    }
    return v;
}

// RFC 1071 §4.1, with lwIP's convention (inet_chksum.c): the words are read
// in memory order from the buffer's own address, so an odd start gives the
// byte-swapped sum of the words as they sit from the previous even address.
std::uint16_t reference(const std::uint8_t* p, std::size_t n) {
    const bool odd = (reinterpret_cast<std::uintptr_t>(p) & 1) != 0;
    std::uint32_t sum = 0;
    std::size_t i = 0;
    auto word = [](std::uint8_t lo_addr, std::uint8_t hi_addr) {
        std::uint8_t w[2] = {lo_addr, hi_addr};
        std::uint16_t v;
        std::memcpy(&v, w, 2);
        return v;
    };
    if (odd && n != 0) {
        sum += word(0, p[0]);
        i = 1;
    }
    for (; i + 1 < n; i += 2) sum += word(p[i], p[i + 1]);
    if (i < n) sum += word(p[i], 0);
    while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
    auto r = static_cast<std::uint16_t>(sum);
    return odd ? static_cast<std::uint16_t>(r << 8 | r >> 8) : r;
}

TEST(NetBytes, CopyMatchesMemcpyAtEveryAlignment) {
    const auto src = noise(4096 + 64, 1);
    for (std::size_t so = 0; so < 16; ++so)
        for (std::size_t dof = 0; dof < 16; ++dof)
            for (std::size_t n : {0UL, 1UL, 7UL, 8UL, 31UL, 32UL, 33UL, 63UL, 1460UL, 1468UL, 4096UL}) {
                std::vector<std::uint8_t> dst(4096 + 64, 0xA5);
                xb_net_copy(dst.data() + dof, src.data() + so, n);
                ASSERT_EQ(std::memcmp(dst.data() + dof, src.data() + so, n), 0) << so << " " << dof << " " << n;
                for (std::size_t i = 0; i < dof; ++i) ASSERT_EQ(dst[i], 0xA5);               // nothing before
                for (std::size_t i = dof + n; i < dst.size(); ++i) ASSERT_EQ(dst[i], 0xA5);  // nor after
            }
}

TEST(NetBytes, ChecksumMatchesTheRfc1071SumAtEveryAlignmentAndLength) {
    const auto data = noise(70000, 2);
    for (std::size_t off = 0; off < 16; ++off) {
        for (std::size_t n = 0; n <= 300; ++n)
            ASSERT_EQ(xb_net_chksum(data.data() + off, static_cast<int>(n)), reference(data.data() + off, n))
                << off << " " << n;
        for (std::size_t n : {1460UL, 1480UL, 1514UL, 65515UL, 65535UL})
            ASSERT_EQ(xb_net_chksum(data.data() + off, static_cast<int>(n)), reference(data.data() + off, n))
                << off << " " << n;
    }
}

TEST(NetBytes, ChecksumFoldsCarriesAndKeepsAllOnesApartFromZero) {
    // All 0xff: every word is 0xffff, a nonzero multiple of 0xffff: the
    // ones'-complement sum is 0xffff ("negative zero"), never 0.
    std::vector<std::uint8_t> ones(1500, 0xff);
    for (std::size_t off = 0; off < 8; ++off) EXPECT_EQ(xb_net_chksum(ones.data() + off, 1400), 0xffff) << off;
    std::vector<std::uint8_t> zeros(64, 0);
    EXPECT_EQ(xb_net_chksum(zeros.data(), 64), 0);
    EXPECT_EQ(xb_net_chksum(zeros.data(), 0), 0);
    // RFC 1071 §3's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (big-endian words).
    alignas(8) const std::uint8_t ex[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    const std::uint16_t got = xb_net_chksum(ex, 8);
    std::uint8_t be[2];
    std::memcpy(be, &got, 2);  // the sum as it would sit in memory
    EXPECT_EQ(be[0], 0xdd);
    EXPECT_EQ(be[1], 0xf2);
}

}  // namespace
}  // namespace xb::net
