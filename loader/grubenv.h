// GRUB's environment block (grubenv), as grub-editenv writes it and
// `load_env` reads it (GRUB grub-core/lib/envblk.c, include/grub/lib/envblk.h).
// See loader/README.md for the format and what is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lib/result.h"

namespace xb::loader {

// grub-editenv writes 1024 bytes; GRUB reads a grubenv file of any size, this
// refuses more than 64 KiB (no real one is larger).
inline constexpr std::size_t kMaxGrubenvSize = 64 * 1024;

// A 1024-byte GRUB environment block (untrusted): "# GRUB Environment Block\n" then key=value lines,
// '#' padding. Calls visit for each pair (values unescaped as grub-editenv escapes them).
// visit returns false to stop early (then the result is ok). The views live only during the call.
// Errors (Errc::bad_data) name the line; the pairs before the broken line have been visited, as
// GRUB's load_env has set them by then.
Status parse_grubenv(std::span<const std::uint8_t> block,
                     bool (*visit)(void* ctx, std::string_view key, std::string_view value), void* ctx);

}  // namespace xb::loader
