// lib/crc32c against the published check values: RFC 3720 appendix B.4 (iSCSI)
// and the CRC catalogue's "123456789" check for CRC-32C.
#include "lib/crc32c.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace {

TEST(Crc32c, CatalogueCheckValue) {
    const char* check = "123456789";
    EXPECT_EQ(xb::crc32c(0, check, std::strlen(check)), 0xE3069283u);
}

TEST(Crc32c, Rfc3720Vectors) {
    std::array<std::uint8_t, 32> bytes{};
    EXPECT_EQ(xb::crc32c(0, bytes.data(), bytes.size()), 0x8A9136AAu);
    bytes.fill(0xff);
    EXPECT_EQ(xb::crc32c(0, bytes.data(), bytes.size()), 0x62A8AB43u);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(xb::crc32c(0, bytes.data(), bytes.size()), 0x46DD794Eu);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(31 - i);
    EXPECT_EQ(xb::crc32c(0, bytes.data(), bytes.size()), 0x113FDB5Cu);
}

TEST(Crc32c, ContinuesAcrossPieces) {
    const char* text = "The quick brown fox jumps over the lazy dog";
    const std::size_t n = std::strlen(text);
    const std::uint32_t whole = xb::crc32c(0, text, n);
    EXPECT_EQ(xb::crc32c(xb::crc32c(0, text, 10), text + 10, n - 10), whole);
    EXPECT_EQ(xb::crc32c(0, text, 0), 0u);
}

}  // namespace
