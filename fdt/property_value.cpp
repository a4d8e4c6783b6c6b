#include "fdt/property_value.h"

#include <cstring>

namespace xb::fdt {
namespace {

// Reads a bracketed value as one text across the argv words: the end of a
// word (but the last) reads as a blank.
class Words {
  public:
    explicit Words(std::span<const char* const> words) : words_(words) { at_ = words_.empty() ? "" : words_[0]; }

    // The current character: '\0' only at the end of the last word.
    char peek() const {
        if (*at_ != '\0') return *at_;
        return word_ + 1 < words_.size() ? ' ' : '\0';
    }
    void advance() {
        if (*at_ != '\0') ++at_;
        else if (word_ + 1 < words_.size()) at_ = words_[++word_];
    }
    void skip_blanks() {
        while (peek() == ' ' || peek() == '\t') advance();
    }
    // The next token: characters up to a blank, the closing bracket or the end,
    // copied into buf (at most size-1 of them; longer tokens are cut, which
    // makes them invalid numbers, reported with what was kept).
    std::size_t token(char close, char* buf, std::size_t size) {
        std::size_t n = 0;
        for (char c = peek(); c != '\0' && c != ' ' && c != '\t' && c != close; c = peek()) {
            if (n + 1 < size) buf[n++] = c;
            else truncated_ = true;
            advance();
        }
        buf[n] = '\0';
        return n;
    }
    bool truncated() const { return truncated_; }

  private:
    std::span<const char* const> words_;
    std::size_t word_ = 0;
    const char* at_;
    bool truncated_ = false;
};

constexpr std::size_t kMaxToken = 40;

int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

// One cell: C's base-0 rules (0x hex, leading 0 octal, else decimal), 32 bits.
Result<std::uint32_t> parse_cell(const char* text) {
    const char* p = text;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && p[1] != '\0') {
        base = 8;
        ++p;
    }
    if (*p == '\0') return Error::make(Errc::invalid_argument, "cell '%s' is not a number", text);
    std::uint64_t v = 0;
    for (; *p != '\0'; ++p) {
        const int d = digit_value(*p);
        if (d >= static_cast<int>(base)) {
            return Error::make(Errc::invalid_argument, "cell '%s' is not a number", text);
        }
        v = v * base + static_cast<unsigned>(d);
        if (v > 0xffffffffu) return Error::make(Errc::invalid_argument, "cell '%s' does not fit in 32 bits", text);
    }
    return static_cast<std::uint32_t>(v);
}

class Output {
  public:
    explicit Output(std::span<std::uint8_t> out) : out_(out) {}
    Status put(std::uint8_t b) {
        if (len_ == out_.size()) {
            return Error::make(Errc::invalid_argument, "value longer than %zu bytes", out_.size());
        }
        out_[len_++] = b;
        return ok();
    }
    std::size_t length() const { return len_; }

  private:
    std::span<std::uint8_t> out_;
    std::size_t len_ = 0;
};

// After the closing bracket nothing may follow.
Status expect_end(Words& w, char close) {
    if (w.peek() != close) return Error::make(Errc::invalid_argument, "missing '%c' at the end of the value", close);
    w.advance();
    w.skip_blanks();
    if (w.peek() != '\0') {
        return Error::make(Errc::invalid_argument, "unexpected text after '%c' (one value per property)", close);
    }
    return ok();
}

Result<std::size_t> encode_cells(Words& w, Output& out) {
    char token[kMaxToken];
    w.advance();  // '<'
    for (w.skip_blanks(); w.peek() != '>' && w.peek() != '\0'; w.skip_blanks()) {
        w.token('>', token, sizeof token);
        if (w.truncated()) return Error::make(Errc::invalid_argument, "cell '%s...' is too long", token);
        const std::uint32_t cell = TRY(parse_cell(token));
        for (int shift = 24; shift >= 0; shift -= 8) TRY(out.put(static_cast<std::uint8_t>(cell >> shift)));
    }
    TRY(expect_end(w, '>'));
    return out.length();
}

Result<std::size_t> encode_bytes(Words& w, Output& out) {
    char token[kMaxToken];
    w.advance();  // '['
    for (w.skip_blanks(); w.peek() != ']' && w.peek() != '\0'; w.skip_blanks()) {
        const std::size_t n = w.token(']', token, sizeof token);
        if (w.truncated()) {
            return Error::make(Errc::invalid_argument, "byte string '%s...' is too long (split it with blanks)", token);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (digit_value(token[i]) > 15) {
                return Error::make(Errc::invalid_argument, "byte '%s' is not hexadecimal", token);
            }
        }
        if (n > 2 && n % 2 != 0) {
            return Error::make(Errc::invalid_argument, "bytes '%s' have an odd number of digits", token);
        }
        if (n <= 2) {
            TRY(out.put(static_cast<std::uint8_t>(n == 1 ? digit_value(token[0])
                                                         : digit_value(token[0]) * 16 + digit_value(token[1]))));
            continue;
        }
        for (std::size_t i = 0; i < n; i += 2) {
            TRY(out.put(static_cast<std::uint8_t>(digit_value(token[i]) * 16 + digit_value(token[i + 1]))));
        }
    }
    TRY(expect_end(w, ']'));
    return out.length();
}

}  // namespace

Result<std::size_t> encode_value(std::span<const char* const> words, std::span<std::uint8_t> out) {
    Output o(out);
    if (words.empty()) return std::size_t{0};
    Words w(words);
    if (words[0][0] == '<') return encode_cells(w, o);
    if (words[0][0] == '[') return encode_bytes(w, o);
    for (const char* word : words) {
        for (const char* p = word; *p != '\0'; ++p) TRY(o.put(static_cast<std::uint8_t>(*p)));
        TRY(o.put(0));
    }
    return o.length();
}

}  // namespace xb::fdt
