#include "loader/script_image.h"

#include <cstring>

#include "lib/crc32.h"

namespace xb::loader {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Result<std::uint32_t> script_image_data_size(std::span<const std::uint8_t> h) {
    if (h.size() < kImageHeaderSize) {
        return Error::make(Errc::bad_data, "image: %zu bytes, shorter than the %zu-byte header", h.size(),
                           kImageHeaderSize);
    }
    const std::uint32_t magic = be32(&h[0]);
    if (magic != kImageMagic) {
        return Error::make(Errc::bad_data,
                           "not a U-Boot image (magic 0x%08x, expected 0x%08x; make one with mkimage -T script)", magic,
                           kImageMagic);
    }
    std::uint8_t copy[kImageHeaderSize];
    memcpy(copy, h.data(), kImageHeaderSize);
    memset(copy + 4, 0, 4);
    const std::uint32_t want = be32(&h[4]);
    const std::uint32_t got = crc32(0, copy, kImageHeaderSize);
    if (got != want)
        return Error::make(Errc::bad_data, "image: bad header CRC (0x%08x, header says 0x%08x)", got, want);
    return be32(&h[12]);
}

Result<ScriptImage> parse_script_image(std::span<const std::uint8_t> bytes) {
    const std::uint32_t size = TRY(script_image_data_size(bytes));
    ScriptImage img;
    img.data_size = size;
    memcpy(img.name, &bytes[32], 32);
    img.name[32] = '\0';
    const std::uint8_t type = bytes[30], comp = bytes[31];
    if (type != kImageTypeScript)
        return Error::make(Errc::bad_data, "image '%s': type %u, not a script (6)", img.name, type);
    if (comp != kImageCompNone) {
        return Error::make(Errc::unsupported, "image '%s': compression %u (only none, 0, is supported)", img.name,
                           comp);
    }
    if (size > bytes.size() - kImageHeaderSize) {
        return Error::make(Errc::bad_data, "image '%s': data size %u but only %zu bytes follow the header", img.name,
                           size, bytes.size() - kImageHeaderSize);
    }
    const std::uint8_t* data = bytes.data() + kImageHeaderSize;
    const std::uint32_t want = be32(&bytes[24]);
    const std::uint32_t got = crc32(0, data, size);
    if (got != want)
        return Error::make(Errc::bad_data, "image '%s': bad data CRC (0x%08x, header says 0x%08x)", img.name, got,
                           want);

    // The length table: u32 words up to a 0, all inside the data.
    std::size_t at = 0;
    std::uint32_t first = 0;
    unsigned parts = 0;
    for (;;) {
        if (size - at < 4)
            return Error::make(Errc::bad_data, "image '%s': part-length table runs past the data (%u bytes)", img.name,
                               size);
        const std::uint32_t len = be32(data + at);
        at += 4;
        if (len == 0) break;
        if (parts++ == 0) first = len;
    }
    if (parts == 0) return Error::make(Errc::bad_data, "image '%s': no parts (empty length table)", img.name);
    if (first > size - at) {
        return Error::make(Errc::bad_data, "image '%s': script of %u bytes at offset %zu overruns the %u-byte data",
                           img.name, first, at, size);
    }
    std::string_view text(reinterpret_cast<const char*>(data + at), first);
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
        text = text.substr(0, nul);  // U-Boot stops there too
    img.script = text;
    return img;
}

}  // namespace xb::loader
