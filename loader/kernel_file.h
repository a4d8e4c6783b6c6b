// What a kernel file is, in one place for booti and the boot flows: a plain
// arm64 Image, a compressed Image (Image.gz/.zst/.xz/.lzma/.lz4, told apart by
// magic) or an EFI zboot file (loader/zboot.h), and where its compressed
// bytes are.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"
#include "compress/decompress.h"
#include "loader/zboot.h"

namespace xb::loader {

enum class KernelFormat : std::uint8_t { image, compressed, zboot };

// From the first bytes only (64 are enough): the Image magic at 0x38 wins,
// then MZ + "zimg", then a compression magic (compress::detect_compression); anything
// else is `image`, so that parse_arm64_image reports what is wrong with it.
KernelFormat classify_kernel(std::span<const std::uint8_t> head);

struct KernelFile {
    KernelFormat format = KernelFormat::image;
    compress::Compression method = compress::Compression::none;  // none for an Image
    Zboot zboot;                                                 // format == zboot only
    std::uint64_t payload_offset = 0;                            // the compressed bytes within the file
    std::uint64_t payload_size = 0;                              // (raw files: all of it)
};

// Classifies `file` and, for a zboot file, parses and checks its header
// against the file's size (parse_zboot's errors). Nothing is decompressed.
Result<KernelFile> identify_kernel(std::span<const std::uint8_t> file);

// "arm64 Image", "zboot (gzip)", "Image.zst", ... for messages.
// Writes into `buf` (NUL-terminated, truncated to its size) and returns it.
const char* describe_kernel(const KernelFile& k, std::span<char> buf);

// Decompresses a compressed or zboot kernel into `out`; returns the Image's
// size. For zboot, the appended size is checked (unpack_zboot). An Image is
// unsupported "nothing to decompress".
Result<std::uint64_t> unpack_kernel(const KernelFile& k, std::span<const std::uint8_t> file,
                                    std::span<std::uint8_t> out,
                                    const compress::DecompressProgress* progress = nullptr);

}  // namespace xb::loader
