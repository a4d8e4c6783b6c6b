// U-Boot legacy script images, as `mkimage -A arm64 -T script -C none -d
// script.txt boot.scr` makes them and `source addr` runs them. Layout (all
// numbers big-endian; U-Boot's image format, include/image.h's documented
// fields):
//   0  magic 0x27051956     4  header CRC-32 (over the 64 bytes, this field 0)
//   8  time                12  data size (bytes after the header)
//  16  load address        20  entry point
//  24  data CRC-32         28  OS, 29 architecture, 30 type, 31 compression
//  32  name (32 bytes, NUL-padded)
// Data of a script (type 6) image: a table of part lengths (u32, ended by a
// 0 word), then the parts, each padded to 4 bytes; the script is the first
// part. Everything is checked: magic, both CRCs, type script, compression
// none, the table inside the data, the first part inside the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lib/result.h"

namespace xb::loader {

inline constexpr std::uint32_t kImageMagic = 0x27051956;
inline constexpr std::size_t kImageHeaderSize = 64;
inline constexpr std::uint8_t kImageTypeScript = 6;
inline constexpr std::uint8_t kImageCompNone = 0;

struct ScriptImage {
    char name[33] = {};           // NUL-terminated copy of the header's name
    std::uint32_t data_size = 0;  // from the header
    std::string_view script;      // the first part, into the bytes given (up to its first NUL)
};

// The data size the header at `header` (kImageHeaderSize bytes) announces,
// after checking its magic and header CRC: how much to map before parsing.
Result<std::uint32_t> script_image_data_size(std::span<const std::uint8_t> header);

// Parses a whole image (header + data); bytes may extend past the image.
Result<ScriptImage> parse_script_image(std::span<const std::uint8_t> bytes);

}  // namespace xb::loader
