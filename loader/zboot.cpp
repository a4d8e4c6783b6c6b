#include "loader/zboot.h"

#include <cstring>
#include <string_view>

#include "lib/endian.h"

namespace xb::loader {
namespace {

constexpr std::uint64_t kCompTypeAt = 0x18;
constexpr std::uint64_t kCompTypeEnd = 0x38;  // LINUX_PE_MAGIC follows
constexpr std::uint64_t kSizeFieldBytes = 4;  // Makefile.zboot: zboot-size-len-y := 4

struct Method {
    std::string_view name;
    compress::Compression method;
};
// Makefile.zboot's comp-type-y values. lzo has no decoder here.
constexpr Method kMethods[] = {
    {"gzip", compress::Compression::gzip}, {"zstd22", compress::Compression::zstd},
    {"xzkern", compress::Compression::xz}, {"lzma", compress::Compression::lzma},
    {"lz4", compress::Compression::lz4},
};

}  // namespace

bool is_zboot(std::span<const std::uint8_t> data) {
    return data.size() >= 8 && data[0] == 'M' && data[1] == 'Z' && std::memcmp(data.data() + 4, "zimg", 4) == 0;
}

Result<Zboot> parse_zboot(std::span<const std::uint8_t> file) {
    if (!is_zboot(file)) return Error::make(Errc::bad_data, "not a zboot file: no \"MZ\" and \"zimg\" at 0 and 4");
    if (file.size() < kZbootHeaderSize) {
        return Error::make(Errc::bad_data, "not a zboot file: %lu bytes, shorter than its 64-byte header", file.size());
    }
    Zboot z;
    const auto* type = reinterpret_cast<const char*>(file.data() + kCompTypeAt);
    const std::size_t type_len = strnlen(type, kCompTypeEnd - kCompTypeAt);
    if (type_len == kCompTypeEnd - kCompTypeAt) {
        return Error::make(Errc::bad_data, "zboot: compression type at 0x18 is not NUL-terminated");
    }
    const std::string_view name(type, type_len);
    for (const Method& m : kMethods) {
        if (m.name == name) z.method = m.method;
    }
    if (z.method == compress::Compression::none) {
        if (name == "lzo") return Error::make(Errc::unsupported, "zboot: lzo payloads are not supported");
        return Error::make(Errc::unsupported, "zboot: unknown compression type '%.*s'", static_cast<int>(type_len),
                           type);
    }
    std::memcpy(z.comp_type, type, type_len < sizeof z.comp_type ? type_len : sizeof z.comp_type - 1);
    z.payload_offset = load_le32(file.data() + 8);
    z.payload_size = load_le32(file.data() + 12);
    const std::uint64_t trailer = z.method == compress::Compression::gzip ? 0 : kSizeFieldBytes;
    // 32-bit fields summed in 64 bits: no wrap.
    if (z.payload_size == 0 || z.payload_offset < kZbootHeaderSize ||
        z.payload_offset + z.payload_size + trailer > file.size()) {
        return Error::make(Errc::bad_data, "zboot: payload at 0x%lx, %lu bytes%s, outside the %lu-byte file",
                           z.payload_offset, z.payload_size, trailer != 0 ? " + 4-byte size" : "", file.size());
    }
    if (trailer != 0) z.size = load_le32(file.data() + z.payload_offset + z.payload_size);
    return z;
}

std::span<const std::uint8_t> zboot_payload(std::span<const std::uint8_t> file, const Zboot& z) {
    return file.subspan(z.payload_offset, z.payload_size);
}

Result<std::uint64_t> unpack_zboot(std::span<const std::uint8_t> file, const Zboot& z, std::span<std::uint8_t> out,
                                   const compress::DecompressProgress* progress) {
    const std::uint64_t n = TRY(compress::decompress(z.method, zboot_payload(file, z), out, progress));
    if (z.size && n != *z.size) {
        return Error::make(Errc::bad_data, "zboot: decompressed %lu bytes, the file says %u", n, *z.size);
    }
    return n;
}

}  // namespace xb::loader
