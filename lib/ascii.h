// ASCII case folding for names that are ASCII by their format (GRUB's UUID
// strings, ESP directory names). Not Unicode: fs/fat/names.h folds FAT's long
// names itself.
#pragma once

#include <string_view>

namespace xb {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// <0, 0 or >0 as a sorts before, with or after b, ignoring ASCII case.
constexpr int ascii_casecmp(std::string_view a, std::string_view b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const char x = ascii_lower(a[i]);
        const char y = ascii_lower(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

}  // namespace xb
