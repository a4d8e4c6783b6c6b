#include "fs/fat/names.h"

namespace xb::fs::fat {
namespace {

// Code page 437, bytes 0x80-0xFF as Unicode code points.
constexpr std::uint16_t kCp437High[128] = {
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee,
    0x00ec, 0x00c4, 0x00c5, 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6,
    0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa,
    0x00ba, 0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb, 0x2591, 0x2592, 0x2593, 0x2502,
    0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510, 0x2514,
    0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550,
    0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c,
    0x2588, 0x2584, 0x258c, 0x2590, 0x2580, 0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
    0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229, 0x2261, 0x00b1, 0x2265, 0x2264, 0x2320,
    0x2321, 0x00f7, 0x2248, 0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

// Appends one character (a code point below U+10000) as UTF-8.
void put_utf8(std::uint32_t cp, char* out, std::size_t& len) {
    if (cp < 0x80) {
        out[len++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
        out[len++] = static_cast<char>(0xc0 | cp >> 6);
        out[len++] = static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out[len++] = static_cast<char>(0xe0 | cp >> 12);
        out[len++] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
        out[len++] = static_cast<char>(0x80 | (cp & 0x3f));
    }
}

void put_part(const std::uint8_t* bytes, std::size_t n, bool lower, char* out, std::size_t& len) {
    while (n > 0 && bytes[n - 1] == ' ') --n;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t b = bytes[i];
        if (b >= 0x80) put_utf8(kCp437High[b - 0x80], out, len);
        else if (b < 0x20 || b == 0x7f) out[len++] = '?';
        else if (lower && b >= 'A' && b <= 'Z') out[len++] = static_cast<char>(b + ('a' - 'A'));
        else out[len++] = static_cast<char>(b);
    }
}

// Decodes one UTF-8 character at s[i] (advancing i); an invalid byte is
// returned as 0x110000 + byte so that it only equals itself.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<std::uint8_t>(s[i++]);
    if (b0 < 0x80) return b0;
    unsigned extra = 0;
    std::uint32_t cp = 0;
    if ((b0 & 0xe0) == 0xc0) extra = 1, cp = b0 & 0x1f;
    else if ((b0 & 0xf0) == 0xe0) extra = 2, cp = b0 & 0x0f;
    else if ((b0 & 0xf8) == 0xf0) extra = 3, cp = b0 & 0x07;
    else return 0x110000 + b0;
    if (s.size() - i < extra) return 0x110000 + b0;
    for (unsigned k = 0; k < extra; ++k) {
        if ((static_cast<std::uint8_t>(s[i + k]) & 0xc0) != 0x80) return 0x110000 + b0;
    }
    for (unsigned k = 0; k < extra; ++k) cp = cp << 6 | (static_cast<std::uint8_t>(s[i + k]) & 0x3f);
    i += extra;
    return cp;
}

std::uint32_t fold(std::uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 0x20;
    if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 0x20;     // Latin-1 À..Þ
    if (c >= 0x391 && c <= 0x3ab && c != 0x3a2) return c + 0x20;  // Greek Α..Ϋ
    if (c == 0x386) return 0x3ac;                                 // Ά
    if (c >= 0x388 && c <= 0x38a) return c + 0x25;                // Έ Ή Ί
    if (c == 0x38c) return 0x3cc;                                 // Ό
    if (c == 0x38e || c == 0x38f) return c + 0x3f;                // Ύ Ώ
    if (c >= 0x410 && c <= 0x42f) return c + 0x20;                // Cyrillic А..Я
    if (c >= 0x400 && c <= 0x40f) return c + 0x50;                // Ѐ..Џ
    return c;
}

}  // namespace

std::size_t format_short_name(const std::uint8_t* name11, std::uint8_t nt_flags, char* out) {
    std::uint8_t base[8];
    for (int i = 0; i < 8; ++i) base[i] = name11[i];
    if (base[0] == 0x05) base[0] = 0xe5;
    std::size_t len = 0;
    put_part(base, 8, (nt_flags & 0x08) != 0, out, len);
    const std::uint8_t* ext = name11 + 8;
    if (ext[0] != ' ' || ext[1] != ' ' || ext[2] != ' ') {
        out[len++] = '.';
        put_part(ext, 3, (nt_flags & 0x10) != 0, out, len);
    }
    out[len] = '\0';
    return len;
}

std::uint8_t short_name_checksum(const std::uint8_t* name11) {
    std::uint8_t sum = 0;
    for (int i = 0; i < 11; ++i) sum = static_cast<std::uint8_t>(((sum & 1) << 7) + (sum >> 1) + name11[i]);
    return sum;
}

bool names_equal_ignoring_case(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (fold(next_code_point(a, i)) != fold(next_code_point(b, j))) return false;
    }
    return i == a.size() && j == b.size();
}

}  // namespace xb::fs::fat
