// The words of GRUB's script language (grub-core/script/yylex.l and
// argv.c, as a reference for behaviour): blanks separate words, ';' and
// newlines separate commands, '#' at the start of a word comments out the
// rest of the line, '...' is literal, "..." expands $var and honours
// \$ \" \\ and \<newline>, an unquoted backslash escapes the next character
// (\<newline> continues the line). $name, ${name}, $1..$9, $#, $? expand;
// an unquoted expansion is split into several arguments at blanks, and an
// argument made only of unquoted expansions that are empty disappears
// (which is why generated configs write x$var = xy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/result.h"

namespace xb::loader::grub {

// A text being parsed, with its name and line for messages.
struct Source {
    std::string_view text;
    std::size_t pos = 0;
    unsigned line = 1;
    const char* file = "";  // NUL-terminated, lives as long as the Source
};

// The expanded arguments of one command: bounded, with clear errors.
class ArgList {
  public:
    static constexpr unsigned kMaxArgs = 128;
    static constexpr std::size_t kBufSize = 16 * 1024;

    unsigned count() const { return count_; }
    std::string_view operator[](unsigned i) const { return {buf_ + start_[i], len_[i]}; }
    void clear() { count_ = 0, used_ = 0, open_ = false; }
    void drop_first();

    // Building (used by the lexer).
    Status open_field();
    Status put(char c);
    void close_field();
    bool field_open() const { return open_; }

  private:
    char buf_[kBufSize];
    std::uint32_t start_[kMaxArgs];
    std::uint32_t len_[kMaxArgs];
    unsigned count_ = 0;
    std::size_t used_ = 0;
    bool open_ = false;
};

using Lookup = std::optional<std::string_view> (*)(void* ctx, std::string_view name);

enum class TokKind : std::uint8_t { word, separator, end };

struct Token {
    TokKind kind;
    std::string_view raw;  // the word as written
    unsigned line;         // where it starts
    // True when the word has no quotes, escapes or '$': only then is it a
    // keyword (if, then, fi, {, }, ...) or an assignment.
    bool plain;
};

// Reads the next token from src. When out is not null the word's expanded
// arguments are appended to it (lookup resolves variable names). Errors
// (Errc::bad_data) name file and line: an unterminated quote or ${.
// split = false keeps an unquoted expansion in one argument (assignments).
Result<Token> next_token(Source& src, ArgList* out, Lookup lookup, void* ctx, bool split = true);

}  // namespace xb::loader::grub
