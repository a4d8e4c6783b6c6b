// GPT partition names are UTF-16LE (UEFI 2.x section 5.3.3, PartitionName:
// 36 CHAR16, NUL-terminated if shorter). xenboot shows them as UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xb::fs {

// Converts up to `units` UTF-16LE code units from `in` (stopping at a NUL) to
// NUL-terminated UTF-8 in `out` (capacity `out_size` >= 1). Unpaired surrogates
// and control characters (which could drive the terminal) become '?'. Output
// that does not fit is cut at a character boundary. Returns the length written.
std::size_t utf16le_to_utf8(const std::uint8_t* in, std::size_t units, char* out, std::size_t out_size);

}  // namespace xb::fs
