#include "loader/uimage.h"

#include <cstring>

#include "lib/crc32.h"
#include "lib/format.h"

namespace xb::loader {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

bool looks_like_uimage(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 4 && be32(bytes.data()) == kUImageMagic;
}

Result<std::size_t> uimage_size(std::span<const std::uint8_t> h) {
    if (h.size() < kUImageHeaderSize) {
        return Error::make(Errc::bad_data, "uImage: %zu bytes, shorter than the 64-byte header", h.size());
    }
    const std::uint32_t magic = be32(h.data());
    if (magic != kUImageMagic) {
        return Error::make(Errc::bad_data, "not a legacy uImage (magic 0x%08x, expected 0x%08x)", magic, kUImageMagic);
    }
    std::uint8_t copy[kUImageHeaderSize];
    memcpy(copy, h.data(), kUImageHeaderSize);
    memset(copy + 4, 0, 4);
    const std::uint32_t want = be32(&h[4]);
    const std::uint32_t got = crc32(0, copy, kUImageHeaderSize);
    if (got != want) {
        return Error::make(Errc::bad_data, "uImage: bad header CRC (0x%08x, header says 0x%08x)", got, want);
    }
    return kUImageHeaderSize + std::size_t{be32(&h[12])};
}

Result<UImage> parse_uimage(std::span<const std::uint8_t> bytes) {
    const std::size_t total = TRY(uimage_size(bytes));
    UImage img;
    memcpy(img.name, &bytes[32], 32);
    img.name[32] = '\0';
    img.os = bytes[28];
    img.arch = bytes[29];
    img.type = bytes[30];
    img.load = be32(&bytes[16]);
    img.entry = be32(&bytes[20]);
    const std::size_t size = total - kUImageHeaderSize;
    if (total > bytes.size()) {
        return Error::make(Errc::bad_data, "uImage '%s': data size %zu but only %zu bytes follow the header", img.name,
                           size, bytes.size() - kUImageHeaderSize);
    }
    img.data = bytes.subspan(kUImageHeaderSize, size);
    const std::uint32_t want = be32(&bytes[24]);
    const std::uint32_t got = crc32(0, img.data.data(), img.data.size());
    if (got != want) {
        return Error::make(Errc::bad_data, "uImage '%s': bad data CRC (0x%08x, header says 0x%08x)", img.name, got,
                           want);
    }
    switch (bytes[31]) {
        case 0: img.compression = compress::Compression::none; break;
        case 1: img.compression = compress::Compression::gzip; break;
        case 3: img.compression = compress::Compression::lzma; break;
        case 5: img.compression = compress::Compression::lz4; break;
        case 6: img.compression = compress::Compression::zstd; break;
        case 2: return Error::make(Errc::unsupported, "uImage '%s': bzip2 compression is not supported", img.name);
        case 4: return Error::make(Errc::unsupported, "uImage '%s': lzo compression is not supported", img.name);
        default: return Error::make(Errc::unsupported, "uImage '%s': unknown compression %u", img.name, bytes[31]);
    }
    return img;
}

const char* uimage_type_name(std::uint8_t type, char (&buf)[16]) {
    switch (static_cast<UImageType>(type)) {
        case UImageType::kernel: return "kernel";
        case UImageType::ramdisk: return "ramdisk";
        case UImageType::multi: return "multi";
        case UImageType::script: return "script";
        case UImageType::flat_dt: return "flat_dt";
    }
    format_to(buf, sizeof buf, "type %u", type);
    return buf;
}

}  // namespace xb::loader
