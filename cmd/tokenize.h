// Splits a command line into commands (separated by ';') and words (separated
// by blanks; '...' and "..." group, a backslash escapes the next character).
// The U-Boot hush parser (variables, conditionals, loops) replaces this later;
// this is the minimal, strict subset the first shell needs.
#pragma once

#include <cstddef>
#include <string_view>

#include "lib/result.h"

namespace xb::cmd {

inline constexpr int kMaxArgs = 32;

struct Words {
    char storage[512];
    char* argv[kMaxArgs + 1];
    int argc = 0;
};

// Takes the next command from `line` (up to an unquoted ';' or the end) and
// advances `line` past it. Errors name the column, counted from 1 plus
// column_base (the offset of `line` within the whole input line).
Status next_command(std::string_view& line, Words& out, std::size_t column_base = 0);

}  // namespace xb::cmd
