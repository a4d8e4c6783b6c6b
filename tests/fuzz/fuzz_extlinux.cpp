// Fuzzes the extlinux.conf parser and path resolution: any text gives an error
// or a configuration whose strings are terminated and whose default index is a
// label; every path in it resolves (or fails cleanly) into a bounded buffer.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "loader/extlinux.h"

namespace {

using xb::loader::ExtlinuxConfig;
using xb::loader::ExtlinuxLabel;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

template <std::size_t N>
void check_string(const char (&s)[N]) {
    check(strnlen(s, N) < N);
}

void resolve(std::string_view path, std::string_view leaf) {
    char out[ExtlinuxLabel::kPathSize];
    if (path.empty()) return;
    auto r = xb::loader::resolve_extlinux_path("/boot/extlinux/extlinux.conf", path, leaf, out);
    if (!r.ok()) return;
    const std::string_view got(out);
    check(got.size() < sizeof out && !got.empty() && got.front() == '/');
    check(got == "/" || (got.back() != '/' && got.find("//") == std::string_view::npos &&
                         got.find("/./") == std::string_view::npos && got.find("/../") == std::string_view::npos));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // An exact-size copy: reads past the text are caught.
    std::vector<char> text(data, data + size);
    auto cfg = std::make_unique<ExtlinuxConfig>();
    auto r = xb::loader::parse_extlinux(std::string_view(text.data(), text.size()), *cfg);
    if (!r.ok()) return 0;
    check(cfg->label_count >= 1 && cfg->label_count <= ExtlinuxConfig::kMaxLabels);
    check(cfg->default_index < cfg->label_count);
    check_string(cfg->title);
    check_string(cfg->default_name);
    for (unsigned i = 0; i < cfg->label_count; ++i) {
        const ExtlinuxLabel& l = cfg->labels[i];
        check_string(l.name);
        check_string(l.menu_label);
        check_string(l.kernel);
        check_string(l.initrd);
        check_string(l.fdt);
        check_string(l.fdtdir);
        check_string(l.append);
        check(l.name[0] != '\0' && l.line >= 1 && (i == 0 || l.line > cfg->labels[i - 1].line));
        resolve(l.kernel, "");
        resolve(l.initrd, "");
        resolve(l.fdtdir, l.fdt);
    }
    return 0;
}
