#include "loader/kernel_file.h"

#include "lib/endian.h"
#include "lib/format.h"
#include "loader/arm64_image.h"

namespace xb::loader {
namespace {

// Documentation/arch/arm64/booting.rst: "ARM\x64" at 0x38.
bool has_image_magic(std::span<const std::uint8_t> head) {
    return head.size() >= kArm64HeaderSize && load_le32(head.data() + 0x38) == 0x644d5241U;
}

const char* raw_name(compress::Compression c) {
    switch (c) {
        case compress::Compression::gzip: return "Image.gz";
        case compress::Compression::zstd: return "Image.zst";
        case compress::Compression::xz: return "Image.xz";
        case compress::Compression::lzma: return "Image.lzma";
        case compress::Compression::lz4: return "Image.lz4";
        case compress::Compression::none: break;
    }
    return "arm64 Image";
}

}  // namespace

KernelFormat classify_kernel(std::span<const std::uint8_t> head) {
    if (has_image_magic(head)) return KernelFormat::image;
    if (is_zboot(head)) return KernelFormat::zboot;
    if (compress::detect_compression(head) != compress::Compression::none) return KernelFormat::compressed;
    return KernelFormat::image;
}

Result<KernelFile> identify_kernel(std::span<const std::uint8_t> file) {
    KernelFile k;
    k.format = classify_kernel(file);
    switch (k.format) {
        case KernelFormat::image: break;
        case KernelFormat::compressed:
            k.method = compress::detect_compression(file);
            k.payload_size = file.size();
            break;
        case KernelFormat::zboot:
            k.zboot = TRY(parse_zboot(file));
            k.method = k.zboot.method;
            k.payload_offset = k.zboot.payload_offset;
            k.payload_size = k.zboot.payload_size;
            break;
    }
    return k;
}

const char* describe_kernel(const KernelFile& k, std::span<char> buf) {
    if (buf.empty()) return "";
    if (k.format == KernelFormat::zboot) {
        format_to(buf.data(), buf.size(), "zboot (%s)", compress::compression_name(k.method));
    } else {
        format_to(buf.data(), buf.size(), "%s", raw_name(k.method));
    }
    return buf.data();
}

Result<std::uint64_t> unpack_kernel(const KernelFile& k, std::span<const std::uint8_t> file,
                                    std::span<std::uint8_t> out, const compress::DecompressProgress* progress) {
    switch (k.format) {
        case KernelFormat::image: break;
        case KernelFormat::compressed: return compress::decompress(k.method, file, out, progress);
        case KernelFormat::zboot: return unpack_zboot(file, k.zboot, out, progress);
    }
    return Error::make(Errc::unsupported, "an arm64 Image: nothing to decompress");
}

}  // namespace xb::loader
