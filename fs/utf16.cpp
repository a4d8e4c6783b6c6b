#include "fs/utf16.h"

#include "lib/endian.h"

namespace xb::fs {
namespace {

// Encodes one code point; false (nothing written) if it does not fit.
bool put_utf8(std::uint32_t cp, char* out, std::size_t out_size, std::size_t& len) {
    char enc[4];
    std::size_t n;
    if (cp < 0x80) {
        enc[0] = static_cast<char>(cp);
        n = 1;
    } else if (cp < 0x800) {
        enc[0] = static_cast<char>(0xc0 | cp >> 6);
        enc[1] = static_cast<char>(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        enc[0] = static_cast<char>(0xe0 | cp >> 12);
        enc[1] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
        enc[2] = static_cast<char>(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        enc[0] = static_cast<char>(0xf0 | cp >> 18);
        enc[1] = static_cast<char>(0x80 | (cp >> 12 & 0x3f));
        enc[2] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
        enc[3] = static_cast<char>(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (len + n >= out_size) return false;  // keep room for the NUL
    for (std::size_t i = 0; i < n; ++i) out[len++] = enc[i];
    return true;
}

}  // namespace

std::size_t utf16le_to_utf8(const std::uint8_t* in, std::size_t units, char* out, std::size_t out_size) {
    std::size_t len = 0;
    for (std::size_t i = 0; i < units; ++i) {
        std::uint32_t cp = load_le16(in + 2 * i);
        if (cp == 0) break;
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < units) {
            const std::uint32_t low = load_le16(in + 2 * (i + 1));
            if (low >= 0xdc00 && low <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                ++i;
            }
        }
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) cp = '?';
        if (!put_utf8(cp, out, out_size, len)) break;
    }
    out[len] = '\0';
    return len;
}

}  // namespace xb::fs
