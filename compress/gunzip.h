// gzip (RFC 1952) inflation into a bounded buffer, for Image.gz kernels and
// compressed initrds. Backed by zlib (the host's libz, Debian's arm64 libz.a in
// the firmware); zlib's state and 32 KiB window (~44 KiB) come from the
// firmware heap, nothing big is on the stack.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"

namespace xb::compress {

// True if `data` starts like a gzip member: ID1 ID2 CM = 1f 8b 08 (deflate).
bool is_gzip(std::span<const std::uint8_t> data);

// Called every `every_bytes` of output (and never more often than that); a
// false return stops the inflation with Errc::interrupted. For Ctrl-C during a
// long inflate.
struct GunzipProgress {
    bool (*keep_going)(void* context, std::uint64_t inflated) = nullptr;
    void* context = nullptr;
    std::uint64_t every_bytes = 8ULL << 20;
};

// Inflates the gzip data in `in` into `out`; returns the number of bytes
// written. zlib checks the header, the CRC-32 and the ISIZE trailer.
// Concatenated members (RFC 1952 section 2.2, as gzip(1) reads them) are
// inflated one after the other; bytes after the last member that do not start
// another member (e.g. zero padding to a block) are ignored.
// Errors:
//   bad_data  "not gzip data ..." (no 1f 8b 08 at the start, empty input)
//   bad_data  "truncated gzip data (inflated N bytes)"
//   bad_data  "corrupt gzip data at input byte N: <zlib's message>"
//   no_space  "inflated data larger than N bytes" (out too small; out's
//             contents are then undefined)
//   no_memory zlib's state could not be allocated
//   interrupted when progress->keep_going returned false
Result<std::uint64_t> gunzip(std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                             const GunzipProgress* progress = nullptr);

}  // namespace xb::compress
