#include "cmd/tokenize.h"

namespace xb::cmd {

Status next_command(std::string_view& line, Words& out, std::size_t column_base) {
    out.argc = 0;
    std::size_t used = 0;
    std::size_t i = 0;
    bool in_word = false;
    char quote = 0;
    std::size_t quote_at = 0;
    auto column = [&](std::size_t at) { return static_cast<unsigned>(column_base + at + 1); };

    for (; i < line.size(); ++i) {
        char c = line[i];
        if (quote == 0 && c == ';') break;
        if (quote == 0 && (c == ' ' || c == '\t')) {
            if (in_word) {
                out.storage[used++] = '\0';
                in_word = false;
            }
            continue;
        }
        if (!in_word) {
            if (out.argc == kMaxArgs) return Error::make(Errc::invalid_argument, "too many arguments (max %d)", kMaxArgs);
            if (used >= sizeof out.storage - 1) return Error::make(Errc::invalid_argument, "command too long");
            out.argv[out.argc++] = out.storage + used;
            in_word = true;
        }
        if (quote != 0 && c == quote) {
            quote = 0;
            continue;
        }
        if (quote == 0 && (c == '\'' || c == '"')) {
            quote = c;
            quote_at = i;
            continue;
        }
        if (c == '\\' && quote != '\'') {
            if (i + 1 == line.size()) return Error::make(Errc::invalid_argument, "column %u: backslash at end of line", column(i));
            c = line[++i];
        }
        if (used >= sizeof out.storage - 1) return Error::make(Errc::invalid_argument, "command too long");
        out.storage[used++] = c;
    }
    if (quote != 0) return Error::make(Errc::invalid_argument, "column %u: unterminated %c quote", column(quote_at), quote);
    if (in_word) out.storage[used++] = '\0';
    out.argv[out.argc] = nullptr;
    line = i < line.size() ? line.substr(i + 1) : std::string_view();
    return ok();
}

}  // namespace xb::cmd
