#include "compress/lzo1x.h"

#include <lzo/lzo1x.h>

namespace xb::compress {

Result<std::uint64_t> lzo1x_decompress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
    // lzo_uint is 32 bits wide on some builds: keep both lengths below 2^31.
    if (in.size() > 0x7fffffffu || out.size() > 0x7fffffffu) {
        return Error::make(Errc::invalid_argument, "lzo1x: buffers over 2 GiB");
    }
    if (in.empty()) return Error::make(Errc::bad_data, "corrupt lzo1x data: empty input");
    lzo_uint written = static_cast<lzo_uint>(out.size());
    const int rc = lzo1x_decompress_safe(in.data(), static_cast<lzo_uint>(in.size()), out.data(), &written, nullptr);
    switch (rc) {
        case LZO_E_OK: return std::uint64_t{written};
        case LZO_E_OUTPUT_OVERRUN:
            return Error::make(Errc::no_space, "decompressed data larger than %zu bytes", out.size());
        case LZO_E_INPUT_OVERRUN: return Error::make(Errc::bad_data, "corrupt lzo1x data: the input ends early");
        case LZO_E_INPUT_NOT_CONSUMED:
            return Error::make(Errc::bad_data, "corrupt lzo1x data: bytes after the end marker");
        case LZO_E_LOOKBEHIND_OVERRUN:
            return Error::make(Errc::bad_data, "corrupt lzo1x data: a match reaches before the output");
        default: return Error::make(Errc::bad_data, "corrupt lzo1x data (liblzo2 error %d)", rc);
    }
}

}  // namespace xb::compress
