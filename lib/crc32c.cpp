#include "lib/crc32c.h"

#include <array>

namespace xb {
namespace {

constexpr std::uint32_t kPolyReflected = 0x82F63B78u;

// Byte-at-a-time table, built at compile time (no global constructor).
constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1u) != 0 ? (c >> 1) ^ kPolyReflected : c >> 1;
        table[i] = c;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> kTable = make_table();

}  // namespace

std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t len) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t c = ~crc;
    for (std::size_t i = 0; i < len; ++i) c = kTable[(c ^ p[i]) & 0xffu] ^ (c >> 8);
    return ~c;
}

}  // namespace xb
