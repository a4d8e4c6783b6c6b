#include "lib/crc32.h"

// The firmware is built freestanding and cannot see the host's <zlib.h>, so it
// declares the one function it needs. The host build includes the real header
// as well, and the compiler rejects this declaration if it ever disagrees.
#if __STDC_HOSTED__
#include <zlib.h>
#endif

// NOLINTNEXTLINE(readability-redundant-declaration): on purpose, see above
extern "C" unsigned long crc32(unsigned long crc, const unsigned char* buf, unsigned int len);

namespace xb {

std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t len) {
    // zlib takes a 32-bit length (uInt): feed longer buffers in pieces.
    constexpr std::size_t kChunk = 1u << 30;
    const auto* p = static_cast<const unsigned char*>(data);
    unsigned long c = crc;
    while (len > 0) {
        const std::size_t n = len < kChunk ? len : kChunk;
        c = ::crc32(c, p, static_cast<unsigned int>(n));
        p += n;
        len -= n;
    }
    return static_cast<std::uint32_t>(c);
}

}  // namespace xb
