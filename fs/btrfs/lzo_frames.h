// btrfs's framing around LZO1X (Linux fs/btrfs/lzo.c): a LE32 total length
// (this header included), then segments, each a LE32 length and that many
// bytes of LZO1X data decompressing to at most one sector. A segment header
// never straddles a sector boundary: when fewer than 4 bytes are left in the
// sector, the rest of it is padding.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"

namespace xb::fs::btrfs {

// Decompresses a btrfs LZO extent into `out`; returns the bytes written (at
// most out.size(): the extent's ram_bytes). bad_data for a broken frame.
Result<std::uint64_t> unlzo_extent(std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                                   std::uint32_t sector_size);

}  // namespace xb::fs::btrfs
