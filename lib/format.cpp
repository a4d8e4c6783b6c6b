#include "lib/format.h"

#include <cstdint>

namespace xb {
namespace {

// Collects output in a small buffer and hands it to the sink in chunks.
class ChunkWriter {
  public:
    explicit ChunkWriter(Sink& sink) : sink_(sink) {}
    ~ChunkWriter() { flush(); }
    void put(char c) {
        if (len_ == sizeof buf_) flush();
        buf_[len_++] = c;
    }
    void repeat(char c, int count) {
        for (int i = 0; i < count; ++i) put(c);
    }
    void flush() {
        if (len_ != 0) sink_.put(std::string_view(buf_, len_));
        len_ = 0;
    }

  private:
    Sink& sink_;
    char buf_[128];
    std::size_t len_ = 0;
};

struct Spec {
    bool left = false;
    bool zero = false;
    bool alt = false;
    int width = 0;
    int precision = -1;
};

void emit_number(ChunkWriter& out, std::uint64_t value, bool negative, unsigned base, bool upper, const Spec& spec) {
    char digits[24];
    int n = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (value == 0 && spec.precision != 0) digits[n++] = '0';
    while (value != 0) {
        digits[n++] = set[value % base];
        value /= base;
    }
    int zeros = spec.precision > n ? spec.precision - n : 0;
    const char* prefix = negative ? "-" : (spec.alt && base == 16 ? (upper ? "0X" : "0x") : "");
    int prefix_len = negative ? 1 : (spec.alt && base == 16 ? 2 : 0);
    int body = prefix_len + zeros + n;
    int pad = spec.width > body ? spec.width - body : 0;
    if (spec.zero && !spec.left && spec.precision < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!spec.left) out.repeat(' ', pad);
    for (int i = 0; i < prefix_len; ++i) out.put(prefix[i]);
    out.repeat('0', zeros);
    while (n > 0) out.put(digits[--n]);
    if (spec.left) out.repeat(' ', pad);
}

void emit_string(ChunkWriter& out, const char* s, const Spec& spec) {
    if (s == nullptr) s = "(null)";
    int len = 0;
    // The precision bounds the read: %.*s may point at text without a NUL.
    while ((spec.precision < 0 || len < spec.precision) && s[len] != '\0') ++len;
    int pad = spec.width > len ? spec.width - len : 0;
    if (!spec.left) out.repeat(' ', pad);
    for (int i = 0; i < len; ++i) out.put(s[i]);
    if (spec.left) out.repeat(' ', pad);
}

enum class Length { none, hh, h, l, ll, z, j, t };

}  // namespace

void vformat(Sink& sink, const char* fmt, va_list ap) {
    ChunkWriter out(sink);
    for (const char* p = fmt; *p != '\0'; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        ++p;
        Spec spec;
        for (;; ++p) {
            if (*p == '-') spec.left = true;
            else if (*p == '0') spec.zero = true;
            else if (*p == '#') spec.alt = true;
            else if (*p == ' ' || *p == '+') continue;  // accepted, not used by xenboot
            else break;
        }
        if (*p == '*') {
            spec.width = va_arg(ap, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            ++p;
        } else {
            while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            ++p;
            spec.precision = 0;
            if (*p == '*') {
                spec.precision = va_arg(ap, int);
                ++p;
            } else {
                while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
            }
        }
        Length length = Length::none;
        if (*p == 'h') {
            length = Length::h;
            if (*++p == 'h') {
                length = Length::hh;
                ++p;
            }
        } else if (*p == 'l') {
            length = Length::l;
            if (*++p == 'l') {
                length = Length::ll;
                ++p;
            }
        } else if (*p == 'z') {
            length = Length::z;
            ++p;
        } else if (*p == 'j') {
            length = Length::j;
            ++p;
        } else if (*p == 't') {
            length = Length::t;
            ++p;
        }

        auto fetch_unsigned = [&]() -> std::uint64_t {
            switch (length) {
                case Length::hh: return static_cast<unsigned char>(va_arg(ap, unsigned));
                case Length::h: return static_cast<unsigned short>(va_arg(ap, unsigned));
                case Length::l: return va_arg(ap, unsigned long);
                case Length::ll: return va_arg(ap, unsigned long long);
                case Length::z: return va_arg(ap, std::size_t);  // NOLINT(bugprone-branch-clone): = j on LP64 only
                case Length::j: return va_arg(ap, std::uintmax_t);
                case Length::t: return static_cast<std::uint64_t>(va_arg(ap, std::ptrdiff_t));
                case Length::none: break;
            }
            return va_arg(ap, unsigned);
        };
        auto fetch_signed = [&]() -> std::int64_t {
            switch (length) {
                case Length::hh: return static_cast<signed char>(va_arg(ap, int));
                case Length::h: return static_cast<short>(va_arg(ap, int));
                case Length::l: return va_arg(ap, long);
                case Length::ll: return va_arg(ap, long long);
                case Length::z: return static_cast<std::int64_t>(va_arg(ap, std::size_t));
                case Length::j: return va_arg(ap, std::intmax_t);  // NOLINT(bugprone-branch-clone): = t on LP64 only
                case Length::t: return va_arg(ap, std::ptrdiff_t);
                case Length::none: break;
            }
            return va_arg(ap, int);
        };

        switch (*p) {
            case 'd':
            case 'i': {
                std::int64_t v = fetch_signed();
                std::uint64_t mag = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
                emit_number(out, mag, v < 0, 10, false, spec);
                break;
            }
            case 'u': emit_number(out, fetch_unsigned(), false, 10, false, spec); break;
            case 'x': emit_number(out, fetch_unsigned(), false, 16, false, spec); break;
            case 'X': emit_number(out, fetch_unsigned(), false, 16, true, spec); break;
            case 'p': {
                spec.alt = true;
                emit_number(out, reinterpret_cast<std::uintptr_t>(va_arg(ap, void*)), false, 16, false, spec);
                break;
            }
            case 's': emit_string(out, va_arg(ap, const char*), spec); break;
            case 'c': {
                char c = static_cast<char>(va_arg(ap, int));
                int pad = spec.width > 1 ? spec.width - 1 : 0;
                if (!spec.left) out.repeat(' ', pad);
                out.put(c);
                if (spec.left) out.repeat(' ', pad);
                break;
            }
            case '%': out.put('%'); break;
            case '\0': return;  // a lone '%' at the end: print nothing more
            default:
                out.put('%');
                out.put(*p);
                break;
        }
    }
}

void format(Sink& sink, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vformat(sink, fmt, ap);
    va_end(ap);
}

namespace {
class BufferSink final : public Sink {
  public:
    BufferSink(char* buf, std::size_t size) : buf_(buf), size_(size) {}
    void put(std::string_view text) override {
        for (char c : text) {
            if (size_ != 0 && used_ + 1 < size_) buf_[used_] = c;
            ++used_;
        }
    }
    std::size_t finish() {
        if (size_ != 0) buf_[used_ < size_ ? used_ : size_ - 1] = '\0';
        return used_;
    }

  private:
    char* buf_;
    std::size_t size_;
    std::size_t used_ = 0;
};
}  // namespace

std::size_t vformat_to(char* buf, std::size_t size, const char* fmt, va_list ap) {
    BufferSink sink(buf, size);
    vformat(sink, fmt, ap);
    return sink.finish();
}

std::size_t format_to(char* buf, std::size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::size_t n = vformat_to(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

}  // namespace xb
