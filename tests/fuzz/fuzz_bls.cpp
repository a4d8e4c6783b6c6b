// Fuzzes the BLS entry parser and blscfg's ordering: any text gives an error
// or an entry whose strings are terminated, with a linux path and at most 8
// initrds; the comparisons are antisymmetric on any pair of ids and versions.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "loader/bls.h"

namespace {

using xb::loader::BlsEntry;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

template <std::size_t N>
void check_string(const char (&s)[N]) {
    check(strnlen(s, N) < N);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // An exact-size copy: reads past the text are caught. The first line is
    // the file name, the rest the entry.
    std::vector<char> bytes(data, data + size);
    const std::string_view all(bytes.data(), bytes.size());
    const std::size_t nl = all.find('\n');
    const std::string_view name = nl == std::string_view::npos ? all : all.substr(0, nl);
    const std::string_view text = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);

    auto e = std::make_unique<BlsEntry>();
    auto r = xb::loader::parse_bls_entry(text, name, *e);
    if (r.ok()) {
        check_string(e->id);
        check_string(e->title);
        check_string(e->version);
        check_string(e->linux);
        check_string(e->options);
        check_string(e->devicetree);
        check_string(e->grub_class);
        check_string(e->grub_users);
        check_string(e->grub_arg);
        check(e->id[0] != '\0');
        check(e->initrd_count <= 8);
        for (unsigned i = 0; i < e->initrd_count; ++i) {
            check_string(e->initrd[i]);
            check(e->initrd[i][0] != '\0');
        }
        check(e->has_options || e->options[0] == '\0');
        check(!xb::loader::bls_before(*e, *e));
    }

    // vercmp on two halves of the input: antisymmetric and reflexive.
    const std::string_view a = all.substr(0, all.size() / 2), b = all.substr(all.size() / 2);
    const int ab = xb::loader::rpm_vercmp(a, b), ba = xb::loader::rpm_vercmp(b, a);
    check(ab >= -1 && ab <= 1 && ab == -ba);
    check(xb::loader::rpm_vercmp(a, a) == 0);
    return 0;
}
