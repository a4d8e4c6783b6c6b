// Fuzzes the legacy uImage parser (loader/uimage.h) with arbitrary bytes: it
// must return data inside the input or a clear error, never read outside it.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "loader/uimage.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    (void)xb::loader::uimage_size(bytes);
    xb::Result<xb::loader::UImage> r = xb::loader::parse_uimage(bytes);
    if (r.ok()) {
        const std::span<const std::uint8_t> d = r.value().data;
        if (d.size() != 0 && (d.data() < data || d.data() + d.size() > data + size)) std::abort();
    }
    return 0;
}
