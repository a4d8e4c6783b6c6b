// Fuzzes the FIT parser (loader/fit.h) with arbitrary bytes, copied to an
// 8-byte aligned buffer as a load leaves them: it must return sub-images
// inside the input or a clear error, never read outside it. The first byte
// picks the configuration (default, conf-1, conf-2).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "loader/fit.h"

namespace {

void inside(std::span<const std::uint8_t> part, const std::uint8_t* data, std::size_t size) {
    if (part.size() != 0 && (part.data() < data || part.data() + part.size() > data + size)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const char* const kConfigs[] = {nullptr, "conf-1", "conf-2"};
    const char* config = kConfigs[data[0] % 3];
    std::vector<std::uint64_t> buf((size - 1 + 7) / 8 + 1);
    auto* b = reinterpret_cast<std::uint8_t*>(buf.data());
    std::memcpy(b, data + 1, size - 1);
    const std::span<const std::uint8_t> bytes(b, size - 1);
    (void)xb::loader::fit_tree_size(bytes);
    xb::Result<xb::loader::FitConfig> r = xb::loader::parse_fit(bytes, config);
    if (r.ok()) {
        inside(r.value().kernel.data, b, size - 1);
        if (r.value().ramdisk) inside(r.value().ramdisk->data, b, size - 1);
        if (r.value().fdt) inside(r.value().fdt->data, b, size - 1);
    }
    return 0;
}
