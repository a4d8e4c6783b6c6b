// CRC-32C (Castagnoli), the checksum of XFS v5 metadata and of btrfs
// (superblock, tree nodes, the csum tree's data sums): polynomial 0x1EDC6F41,
// reflected (0x82F63B78), initial and final XOR 0xffffffff, as the kernel's
// crc32c() composed with its callers' ~ gives it (RFC 3720 appendix B.4 has
// test vectors: 32 zero bytes -> 0x8a9136aa).
#pragma once

#include <cstddef>
#include <cstdint>

namespace xb {

// Continues `crc` over [data, data + len): crc32c(0, p, n) is the CRC-32C of
// one buffer; crc32c(crc32c(0, a, n), b, m) that of a followed by b.
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t len);

}  // namespace xb
