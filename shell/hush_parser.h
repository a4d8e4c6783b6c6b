// The hush parser: text -> tree (shell/hush_ast.h), checking the whole script
// before anything runs (U-Boot's hush does the same for a command line).
//
// Grammar (a subset of the POSIX shell grammar, as U-Boot's hush has it):
//   list     := { ';' | NL } [ and_or { (';' | NL) { ';' | NL } [ and_or ] } ]
//   and_or   := pipeline { ('&&' | '||') { NL } pipeline }
//   pipeline := [ '!' ] command
//   command  := if | for | while | until | simple
//   if       := 'if' list 'then' list { 'elif' list 'then' list } [ 'else' list ] 'fi'
//   for      := 'for' NAME [ 'in' WORD* ] (';' | NL) { NL } 'do' list 'done'
//   while    := ('while' | 'until') list 'do' list 'done'
//   simple   := WORD+
// Lists may be empty (`while true; do; done` parses; U-Boot accepts it too).
// Words: '...' (literal), "..." ($ and backslash work inside), backslash
// escapes one character (backslash-newline joins lines), '#' at the start of a
// word comments out the rest of the line. Not supported (syntax errors that
// say so): single '|' (pipes), single '&' (background). '<', '>', '(' and ')'
// are ordinary characters (U-Boot's hush has no redirections or subshells), so
// `itest 1 < 2` works.
#pragma once

#include <string_view>

#include "shell/hush_ast.h"
#include "lib/result.h"

namespace xb::cmd::hush {

// A parsed script: owns a copy of the text and the tree.
struct Script {
    Arena arena;
    std::string_view text;
    Node* root = nullptr;  // the top-level list (nullptr: nothing to run)
};

inline constexpr unsigned kMaxNesting = 32;            // if/for/while inside each other
inline constexpr std::size_t kMaxScript = 256 * 1024;  // bytes of script text

// Parses text into out (replacing what it held). Errors name the position:
// "column C: ..." for one-line text, "line L, column C: ..." otherwise.
// *incomplete (if given) is set when the text ended inside a construct
// (an if without fi, a trailing &&): more lines could complete it.
Status parse(std::string_view text, Script& out, bool* incomplete = nullptr);

// True if c may start / continue a variable name in $name.
constexpr bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
constexpr bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

// If the word, as written, is an assignment (NAME=...), the length of NAME.
std::size_t assignment_name_length(std::string_view word);

}  // namespace xb::cmd::hush
