// EFI zboot kernels (Linux CONFIG_EFI_ZBOOT, 6.1+): a PE/COFF file whose
// payload is the compressed arm64 Image. Without EFI, a loader reads the
// header, decompresses the payload and boots the result as a plain Image (as
// kexec-tools does). Header layout: Linux
// drivers/firmware/efi/libstub/zboot-header.S; compression strings and the
// appended size: drivers/firmware/efi/libstub/Makefile.zboot.
//
//   0x00 "MZ" + 2 bytes     0x10 8 bytes reserved
//   0x04 "zimg"             0x18 compression type, NUL-terminated ("gzip", ...)
//   0x08 payload offset     0x38 LINUX_PE_MAGIC (not ARM\x64)
//   0x0c payload size       0x3c PE header offset
//
// The payload is the Image padded to its header's image_size (bss included).
// For every method but gzip a LE32 uncompressed size follows the payload and
// is not counted in the payload size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "lib/result.h"
#include "compress/decompress.h"

namespace xb::loader {

constexpr std::uint64_t kZbootHeaderSize = 0x40;

struct Zboot {
    compress::Compression method = compress::Compression::none;
    char comp_type[8] = {};             // the header's string ("zstd22", "xzkern", ...)
    std::uint64_t payload_offset = 0;   // from the start of the file
    std::uint64_t payload_size = 0;     // the compressed data only
    std::optional<std::uint32_t> size;  // the appended uncompressed size (not for gzip)
};

// True if `data` starts with "MZ" and has "zimg" at 4 (needs 8 bytes).
bool is_zboot(std::span<const std::uint8_t> data);

// Parses and checks the header of the zboot file `file` (all of it, or at
// least through the payload and its size field). Errors:
//   bad_data    "not a zboot file ..." (no MZ/zimg, shorter than the header)
//   bad_data    "zboot: compression type not NUL-terminated"
//   bad_data    "zboot: payload at 0xO, N bytes, outside the M-byte file" (also
//               an empty payload or one inside the header)
//   unsupported "zboot: lzo payloads are not supported" / "unknown compression type 'X'"
Result<Zboot> parse_zboot(std::span<const std::uint8_t> file);

// The payload's bytes in `file` (parse_zboot checked they are inside it).
std::span<const std::uint8_t> zboot_payload(std::span<const std::uint8_t> file, const Zboot& z);

// Decompresses the payload into `out` and returns the Image's size (the
// padded image_size). For methods with the appended size, a result that
// differs from it is bad_data "zboot: decompressed N bytes, the file says M";
// compress::decompress()'s errors otherwise.
Result<std::uint64_t> unpack_zboot(std::span<const std::uint8_t> file, const Zboot& z, std::span<std::uint8_t> out,
                                   const compress::DecompressProgress* progress = nullptr);

}  // namespace xb::loader
