// FAT names: 8.3 short names as Windows and Linux show them, the checksum
// tying long-name entries to their short entry, and the case-insensitive
// comparison used by lookups (FAT specification sections 6.1 and 7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace xb::fs::fat {

// Short names are at most 8 + 1 + 3 characters of up to 3 UTF-8 bytes.
inline constexpr std::size_t kShortNameMax = 40;

// Formats the 11-byte DIR_Name as "BASE.EXT" (trailing spaces dropped, no
// dot without an extension) in UTF-8. A first byte 0x05 stands for 0xE5
// (section 6.1). Bytes >= 0x80 are OEM code page 437 characters (Linux's
// default codepage). DIR_NTRes bits 3 and 4 (Windows NT and Linux) ask for a
// lower-case base and extension. Control characters become '?'. Returns the
// length; `out` (kShortNameMax bytes) is NUL-terminated.
std::size_t format_short_name(const std::uint8_t* name11, std::uint8_t nt_flags, char* out);

// The long-name checksum of an 11-byte short name (section 7.2).
std::uint8_t short_name_checksum(const std::uint8_t* name11);

// Whether two UTF-8 names are equal ignoring case. Folded: ASCII, Latin-1
// letters (U+00C0-U+00DE), Greek (U+0386-U+03AB) and basic Cyrillic
// (U+0400-U+042F); any other character must match exactly. Invalid UTF-8
// bytes compare as themselves.
bool names_equal_ignoring_case(std::string_view a, std::string_view b);

}  // namespace xb::fs::fat
