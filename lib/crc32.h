// CRC-32 as zlib, U-Boot's crc32 command and the UEFI GPT checksums compute it
// (IEEE 802.3 polynomial, reflected, initial and final XOR 0xffffffff).
// Backed by zlib's crc32() (the host's libz, Debian's arm64 libz.a in the image).
#pragma once

#include <cstddef>
#include <cstdint>

namespace xb {

// Continues `crc` over [data, data + len): crc32(0, p, n) is the CRC of one
// buffer; crc32(crc32(0, a, n), b, m) that of a followed by b.
std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t len);

}  // namespace xb
