// U-Boot legacy images ("uImage"), as `mkimage -A arm64 -O linux -T kernel|
// ramdisk -C none|gzip|... -d file out` makes them: a 64-byte big-endian
// header (include/image.h's legacy_img_hdr: magic 0x27051956, header CRC-32
// over the header with that field 0, time, data size, load address, entry
// point, data CRC-32, OS, architecture, type, compression, 32-byte name)
// followed by the data. Both CRCs are checked; the bytes are untrusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "compress/decompress.h"
#include "lib/result.h"

namespace xb::loader {

inline constexpr std::uint32_t kUImageMagic = 0x27051956;
inline constexpr std::size_t kUImageHeaderSize = 64;

// include/image.h's numbers for what xenboot boots.
enum class UImageType : std::uint8_t { kernel = 2, ramdisk = 3, multi = 4, script = 6, flat_dt = 8 };
inline constexpr std::uint8_t kUImageArchArm64 = 22;
inline constexpr std::uint8_t kUImageOsLinux = 5;

struct UImage {
    char name[33] = {};
    std::uint8_t type = 0;
    std::uint8_t arch = 0;
    std::uint8_t os = 0;
    compress::Compression compression = compress::Compression::none;
    std::uint32_t load = 0;
    std::uint32_t entry = 0;
    std::span<const std::uint8_t> data;  // inside the bytes given
};

// True if the bytes start with the legacy magic.
bool looks_like_uimage(std::span<const std::uint8_t> bytes);

// The header checked (magic, header CRC): the whole image's size (header +
// data), to know how much to read before parse_uimage.
Result<std::size_t> uimage_size(std::span<const std::uint8_t> header);

// The whole image checked: header, data inside bytes, data CRC, and a
// compression xenboot can undo (none, gzip, lzma, lz4, zstd; bzip2 and lzo
// are unsupported). Type, OS and architecture are the caller's to check.
Result<UImage> parse_uimage(std::span<const std::uint8_t> bytes);

// "kernel", "ramdisk", ... or "type N".
const char* uimage_type_name(std::uint8_t type, char (&buf)[16]);

}  // namespace xb::loader
