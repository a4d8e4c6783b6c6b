// Fuzzes the U-Boot script image parser (loader/script_image.h) with arbitrary
// bytes: it must return a script inside the input or a clear error, never
// read outside the input.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "loader/script_image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    xb::Result<xb::loader::ScriptImage> r = xb::loader::parse_script_image(bytes);
    if (r.ok()) {
        const char* s = r.value().script.data();
        const auto* p = reinterpret_cast<const std::uint8_t*>(s);
        if (p < data || p + r.value().script.size() > data + size) std::abort();
    }
    (void)xb::loader::script_image_data_size(bytes);
    return 0;
}
