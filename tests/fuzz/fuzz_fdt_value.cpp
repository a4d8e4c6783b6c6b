// Fuzzes the `fdt set` value syntax: the input is argv words separated by
// newlines (as the shell would hand them over). Any words give a value or an
// error, never a crash or a write past the output (ASan watches its exact size).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fdt/property_value.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::size_t kMaxWords = 64;
    std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> words;
    std::size_t start = 0;
    while (words.size() < kMaxWords && start <= text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        words.push_back(text.substr(start, nl - start).c_str());  // a NUL ends a word, as in argv
        start = nl + 1;
    }
    if (size == 0) words.clear();
    std::vector<const char*> argv;
    for (const std::string& w : words) argv.push_back(w.c_str());
    // A small output (to reach the bound) sized from the input, and the full one.
    const std::size_t small = size == 0 ? 0 : data[0] % 16;
    for (std::size_t cap : {small, xb::fdt::kMaxPropertyValue}) {
        std::vector<std::uint8_t> out(cap);
        xb::Result<std::size_t> len = xb::fdt::encode_value(argv, out);
        if (!len.ok()) {
            if (std::strlen(len.error().message()) == 0) __builtin_trap();
            continue;
        }
        if (len.value() > cap) __builtin_trap();
        // Cells are whole 32-bit words.
        if (!argv.empty() && argv[0][0] == '<' && len.value() % 4 != 0) __builtin_trap();
    }
    return 0;
}
