// The value syntax of U-Boot's `fdt set path prop [value...]`, turned into the
// bytes of a device-tree property:
//   <1 0x2 010>    cells: 32-bit big-endian numbers; 0x.. hex, 0.. octal, else
//                  decimal (U-Boot parses them with base 0, as C does)
//   [01 02 0a0b]   bytes: hex; a 1- or 2-digit word is one byte, a longer word
//                  of even length is read as pairs (dtc's [0a0b])
//   anything else  strings: each word is one NUL-terminated string, so several
//                  words make a string list ("a" "b" -> a\0b\0)
//   no words       an empty property
// The shell splits on blanks before the command runs, so "<0x0 0x1000>" may
// arrive as the words "<0x0" and "0x1000>": a value that opens with '<' or '['
// runs across words up to its closing bracket, as in U-Boot, and word breaks
// count as blanks. Unlike U-Boot, a number that does not fit a cell, a stray
// character, a missing bracket or anything after it is an error, not ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/result.h"

namespace xb::fdt {

// The largest value `fdt set` builds (a bootargs line is at most 4 KiB).
inline constexpr std::size_t kMaxPropertyValue = 8192;

// Encodes words into out; returns the value's length. Errors (invalid_argument)
// name the offending text: "cell '0x1g' is not a number".
Result<std::size_t> encode_value(std::span<const char* const> words, std::span<std::uint8_t> out);

}  // namespace xb::fdt
