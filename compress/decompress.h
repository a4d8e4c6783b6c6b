// One entry point for every compression a Linux arm64 kernel comes in: raw
// Image.gz/.zst/.xz/.lzma/.lz4 files and the payload of an EFI zboot file
// (loader/zboot.h). Backed by Debian's zlib, libzstd, liblzma and liblz4 (the
// host's libraries, the arm64 static ones in the firmware); every allocation
// the libraries make comes from the firmware heap.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"
#include "compress/gunzip.h"

namespace xb::compress {

enum class Compression : std::uint8_t {
    none,
    gzip,  // RFC 1952, concatenated members (compress/gunzip.h)
    zstd,  // RFC 8878 frames (the kernel's `zstd22`: zstd --ultra -22)
    xz,    // .xz container (the kernel's `xzkern`, BCJ filters included)
    lzma,  // lzma-alone / .lzma (the kernel's `lzma -9`)
    lz4,   // lz4 legacy frames (the kernel's `lz4 -l`)
};

// "none", "gzip", "zstd", "xz", "lzma", "lz4".
const char* compression_name(Compression c);

// The format `data` starts with, by magic number: gzip 1f 8b 08, zstd
// 28 b5 2f fd (or a skippable frame 5? 2a 4d 18), xz fd 37 7a 58 5a 00, lz4
// legacy 02 21 4c 18. lzma-alone has no magic: its 13-byte header is accepted
// when the properties byte is valid (< 225), the dictionary size is 2^n or
// 2^n + 2^(n-1) (what xz/lzma write) and the uncompressed size is unknown
// (all ones) or below 2^40. Anything else is Compression::none.
Compression detect_compression(std::span<const std::uint8_t> data);

// The Ctrl-C hook, the same as gunzip's: called every `every_bytes` of output.
using DecompressProgress = GunzipProgress;

// The largest dictionary (xz, lzma) accepted: the kernel uses 32 MiB (xz) and
// 64 MiB (lzma -9). The dictionary is allocated on the heap, so on a firmware
// with a smaller heap such data fails with Errc::no_memory.
constexpr std::uint64_t kMaxDictionary = 128ULL << 20;

// Decompresses `in` (format `method`) into `out`; returns the bytes written.
// Data that fits `out` exactly is accepted. Concatenated frames/streams/members
// are decompressed in turn; bytes after the last one that do not start another
// one (padding, the kernel's appended LE32 size) are ignored.
// Errors (NAME is compression_name(method)):
//   bad_data    "not NAME data ..." (wrong magic, empty input)
//   bad_data    "truncated NAME data (decompressed N bytes)"
//   bad_data    "corrupt NAME data at input byte N: <reason>"
//   no_space    "decompressed data larger than N bytes" (out's contents are
//               then undefined)
//   no_memory   the library's state or dictionary did not fit the heap
//   unsupported method is Compression::none, or an xz/lzma dictionary over
//               kMaxDictionary
//   interrupted progress->keep_going returned false
// gzip keeps gunzip's own messages ("inflated", "gzip").
Result<std::uint64_t> decompress(Compression method, std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                                 const DecompressProgress* progress = nullptr);

}  // namespace xb::compress
