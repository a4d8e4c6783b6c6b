#include "loader/grub/lexer.h"

namespace xb::loader::grub {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool ends_word(char c) { return is_blank(c) || c == '\n' || c == ';'; }

Error syntax(const Source& src, unsigned line, const char* what) {
    return Error::make(Errc::bad_data, "%s:%u: syntax error: %s", src.file, line, what);
}

// Builds the arguments of one word.
struct Builder {
    ArgList* out;
    bool content = false;  // the current field has text or a quoted part

    Status put(char c) {
        if (out == nullptr) return ok();
        if (!out->field_open()) TRY(out->open_field());
        content = true;
        return out->put(c);
    }
    Status mark_quoted() {
        if (out == nullptr) return ok();
        if (!out->field_open()) TRY(out->open_field());
        content = true;
        return ok();
    }
    void split() {
        if (out != nullptr && out->field_open() && content) out->close_field();
        content = false;
    }
    void finish() {
        if (out != nullptr && out->field_open()) out->close_field();
        content = false;
    }
    // An unquoted expansion: its blanks separate arguments.
    Status put_split(std::string_view value) {
        for (char c : value) {
            if (c == ' ' || c == '\t' || c == '\n') split();
            else TRY(put(c));
        }
        return ok();
    }
};

// After a '$' at src.pos: the variable's name, or empty when the '$' is literal.
Result<std::string_view> read_var_name(Source& src, unsigned line) {
    const std::string_view t = src.text;
    std::size_t p = src.pos;
    if (p < t.size() && t[p] == '{') {
        const std::size_t close = t.find('}', p + 1);
        const std::size_t nl = t.find('\n', p + 1);
        if (close == std::string_view::npos || (nl != std::string_view::npos && nl < close))
            return syntax(src, line, "unterminated ${");
        src.pos = close + 1;
        return t.substr(p + 1, close - p - 1);
    }
    if (p < t.size() && (t[p] == '?' || t[p] == '#' || t[p] == '@' || t[p] == '*')) {
        src.pos = p + 1;
        return t.substr(p, 1);
    }
    if (p < t.size() && t[p] >= '0' && t[p] <= '9') {
        std::size_t e = p;
        while (e < t.size() && t[e] >= '0' && t[e] <= '9') ++e;
        src.pos = e;
        return t.substr(p, e - p);
    }
    std::size_t e = p;
    while (e < t.size() && is_name_char(t[e])) ++e;
    src.pos = e;
    return t.substr(p, e - p);
}

}  // namespace

void ArgList::drop_first() {
    if (count_ == 0) return;
    for (unsigned i = 1; i < count_; ++i) {
        start_[i - 1] = start_[i];
        len_[i - 1] = len_[i];
    }
    --count_;
}

Status ArgList::open_field() {
    if (count_ == kMaxArgs) return Error::make(Errc::no_space, "more than %u arguments", kMaxArgs);
    start_[count_] = static_cast<std::uint32_t>(used_);
    len_[count_] = 0;
    open_ = true;
    return ok();
}

Status ArgList::put(char c) {
    if (used_ == kBufSize) return Error::make(Errc::no_space, "arguments longer than %zu bytes", kBufSize);
    buf_[used_++] = c;
    ++len_[count_];
    return ok();
}

void ArgList::close_field() {
    open_ = false;
    ++count_;
}

Result<Token> next_token(Source& src, ArgList* out, Lookup lookup, void* ctx, bool split) {
    const std::string_view t = src.text;
    // Blanks, line continuations and comments.
    while (src.pos < t.size()) {
        const char c = t[src.pos];
        if (is_blank(c)) {
            ++src.pos;
        } else if (c == '\\' && src.pos + 1 < t.size() && t[src.pos + 1] == '\n') {
            src.pos += 2;
            ++src.line;
        } else if (c == '#') {
            while (src.pos < t.size() && t[src.pos] != '\n') ++src.pos;
        } else {
            break;
        }
    }
    if (src.pos >= t.size() || t[src.pos] == '\0') {
        src.pos = t.size();
        return Token{TokKind::end, {}, src.line, true};
    }
    const std::size_t start = src.pos;
    const unsigned line = src.line;
    if (t[src.pos] == '\n' || t[src.pos] == ';') {
        if (t[src.pos] == '\n') ++src.line;
        ++src.pos;
        return Token{TokKind::separator, t.substr(start, 1), line, true};
    }
    Builder b{out};
    bool plain = true;
    auto expand = [&](bool quoted) -> Status {
        const std::string_view name = TRY(read_var_name(src, src.line));
        if (name.empty()) return b.put('$');  // a lone $ is literal, quoted or not
        if (out == nullptr) return ok();
        const std::optional<std::string_view> v = lookup(ctx, name);
        if (!v) return quoted ? b.mark_quoted() : ok();
        if (quoted || !split) {
            TRY(b.mark_quoted());
            for (char ch : *v) TRY(b.put(ch));
            return ok();
        }
        return b.put_split(*v);
    };
    while (src.pos < t.size() && t[src.pos] != '\0' && !ends_word(t[src.pos])) {
        const char c = t[src.pos];
        if (c == '\'') {
            plain = false;
            const std::size_t close = t.find('\'', src.pos + 1);
            if (close == std::string_view::npos) return syntax(src, line, "unterminated ' quote");
            TRY(b.mark_quoted());
            for (std::size_t i = src.pos + 1; i < close; ++i) {
                if (t[i] == '\n') ++src.line;
                TRY(b.put(t[i]));
            }
            src.pos = close + 1;
        } else if (c == '"') {
            plain = false;
            TRY(b.mark_quoted());
            ++src.pos;
            for (;;) {
                if (src.pos >= t.size() || t[src.pos] == '\0') return syntax(src, line, "unterminated \" quote");
                const char d = t[src.pos];
                if (d == '"') {
                    ++src.pos;
                    break;
                }
                if (d == '\\' && src.pos + 1 < t.size()) {
                    const char e = t[src.pos + 1];
                    if (e == '\n') {
                        src.pos += 2;
                        ++src.line;
                        continue;
                    }
                    if (e == '$' || e == '"' || e == '\\') {
                        TRY(b.put(e));
                        src.pos += 2;
                        continue;
                    }
                    TRY(b.put('\\'));
                    ++src.pos;
                    continue;
                }
                if (d == '$') {
                    ++src.pos;
                    TRY(expand(true));
                    continue;
                }
                if (d == '\n') ++src.line;
                TRY(b.put(d));
                ++src.pos;
            }
        } else if (c == '\\') {
            plain = false;
            if (src.pos + 1 >= t.size()) {
                ++src.pos;
                continue;
            }
            const char e = t[src.pos + 1];
            src.pos += 2;
            if (e == '\n') {
                ++src.line;
                continue;
            }
            TRY(b.put(e));
        } else if (c == '$') {
            plain = false;
            ++src.pos;
            TRY(expand(false));
        } else {
            TRY(b.put(c));
            ++src.pos;
        }
    }
    b.finish();
    return Token{TokKind::word, t.substr(start, src.pos - start), line, plain};
}

}  // namespace xb::loader::grub
