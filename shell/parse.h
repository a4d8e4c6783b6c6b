// Argument parsing with U-Boot's conventions: addresses, lengths, block numbers
// and counts are hexadecimal, with or without "0x" (U-Boot's simple_strtoul(.., 16)).
// Unlike U-Boot, trailing garbage and overflow are errors, not silently ignored.
#pragma once

#include <cstdint>

#include "lib/result.h"

namespace xb::cmd {

// what names the argument in the error: "invalid address 'zz' (hex expected)".
Result<std::uint64_t> parse_hex(const char* text, const char* what);
Result<std::uint64_t> parse_dec(const char* text, const char* what);

class Environment;
// The hex number in environment variable `name` ("$kernel_addr_r is not set",
// "... is not a hex number"). env may be nullptr (then: not set).
Result<std::uint64_t> env_hex(const Environment* env, const char* name);

}  // namespace xb::cmd
