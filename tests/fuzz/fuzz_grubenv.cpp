// Fuzzes the grubenv reader: any block gives an error or a sequence of pairs
// with a non-empty name holding neither '=' nor a newline, and a value no
// longer than the block.
#include <cstdint>
#include <string_view>
#include <vector>

#include "loader/grubenv.h"

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct State {
    std::size_t size;
    unsigned pairs;
};

bool visit(void* ctx, std::string_view key, std::string_view value) {
    auto* s = static_cast<State*>(ctx);
    check(!key.empty() && key.find('=') == std::string_view::npos && key.find('\n') == std::string_view::npos);
    check(value.size() < s->size);
    // Touch every byte: views into freed or unwritten memory are caught.
    unsigned sum = 0;
    for (char c : key) sum += static_cast<unsigned char>(c);
    for (char c : value) sum += static_cast<unsigned char>(c);
    (void)sum;
    ++s->pairs;
    return s->pairs < 10000;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // An exact-size copy, starting with the signature most of the time so
    // that the fuzzer spends its time on the pairs.
    static constexpr std::string_view kSignature = "# GRUB Environment Block\n";
    std::vector<std::uint8_t> block;
    if (size > 0 && (data[0] & 1) != 0) {
        block.assign(kSignature.begin(), kSignature.end());
        block.insert(block.end(), data + 1, data + size);
    } else {
        block.assign(data, data + size);
    }
    State s{block.size(), 0};
    (void)xb::loader::parse_grubenv(std::span<const std::uint8_t>(block.data(), block.size()), visit, &s);
    return 0;
}
