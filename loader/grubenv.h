// GRUB's environment block (grubenv), as grub-editenv writes it and
// `load_env` reads it (GRUB grub-core/lib/envblk.c, include/grub/lib/envblk.h).
// See loader/README.md for the format and what is refused.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "lib/result.h"

namespace xb::loader {

// A 1024-byte GRUB environment block (untrusted): "# GRUB Environment Block\n" then key=value lines,
// '#' padding. Calls visit for each pair (values unescaped as grub-editenv escapes them).
Status parse_grubenv(std::span<const std::uint8_t> block,
                     bool (*visit)(void* ctx, std::string_view key, std::string_view value), void* ctx);

}  // namespace xb::loader
