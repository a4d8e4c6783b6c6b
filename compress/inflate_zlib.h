// One zlib stream (RFC 1950: a 2-byte header, deflate data, an Adler-32
// trailer) inflated into a bounded buffer, for btrfs extents compressed with
// zlib (Linux fs/btrfs/zlib.c writes one stream per extent). Backed by zlib,
// with its state and window (~44 KiB) on the firmware heap.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"

namespace xb::compress {

// Inflates the zlib stream at the start of `in` into `out`; returns the bytes
// written. Bytes after the end of the stream (btrfs pads extents to a sector)
// are ignored. Data that fits `out` exactly is accepted.
// Errors:
//   bad_data  "not zlib data ..." (empty input, a header whose check bits or
//             method are wrong)
//   bad_data  "truncated zlib data (inflated N bytes)"
//   bad_data  "corrupt zlib data at input byte N: <zlib's message>"
//   no_space  "inflated data larger than N bytes"
//   no_memory zlib's state could not be allocated
Result<std::uint64_t> inflate_zlib(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

}  // namespace xb::compress
