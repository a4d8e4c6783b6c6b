// One LZO1X block decompressed into a bounded buffer, for btrfs extents
// compressed with lzo (fs/btrfs splits them into LZO1X segments with its own
// framing, which it parses itself). Backed by Debian's liblzo2
// (lzo1x_decompress_safe, which checks every input and output bound); no
// allocation.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"

namespace xb::compress {

// Decompresses the LZO1X block `in` (all of it: trailing bytes are an error,
// as for the kernel's lzo1x_decompress_safe) into `out`; returns the bytes
// written.
// Errors:
//   bad_data  "corrupt lzo1x data: <what liblzo2 found>" (including input
//             that ends early or goes on after the end marker)
//   no_space  "decompressed data larger than N bytes"
Result<std::uint64_t> lzo1x_decompress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

}  // namespace xb::compress
