#include "compress/decompress.h"

#include "lib/endian.h"
#include "compress/decompress_impl.h"

namespace xb::compress {
namespace detail {

// Outputs above this are reported in steps of it even without a progress hook,
// so that decoders bounding their output per call never see a 0 step.
constexpr std::uint64_t kDefaultStep = 8ULL << 20;

Ticker::Ticker(const DecompressProgress* progress, const char* name)
    : progress_(progress),
      name_(name),
      step_(progress != nullptr && progress->every_bytes != 0 ? progress->every_bytes : kDefaultStep),
      next_(step_) {}

Status Ticker::tick(std::uint64_t out_pos) {
    if (progress_ == nullptr || progress_->keep_going == nullptr || out_pos < next_) return ok();
    // One report per call however many steps were passed; bounded by
    // out_pos / step_ rounds (out_pos below 2^64, step_ at least 1).
    next_ = out_pos - out_pos % step_ + step_;
    if (!progress_->keep_going(progress_->context, out_pos)) {
        return Error::make(Errc::interrupted, "%s decompression interrupted after %lu bytes", name_, out_pos);
    }
    return ok();
}

// RFC 8878 section 3.1.1: frame magic 0xFD2FB528; skippable frames
// 0x184D2A50..0x184D2A5F (section 3.1.2), all little-endian.
bool is_zstd_frame(std::span<const std::uint8_t> data) {
    if (data.size() < 4) return false;
    const std::uint32_t magic = load_le32(data.data());
    return magic == 0xFD2FB528U || (magic & 0xFFFFFFF0U) == 0x184D2A50U;
}

// The .xz file format 1.1.0, section 2.1.1.1: FD 37 7A 58 5A 00.
bool is_xz_stream(std::span<const std::uint8_t> data) {
    static constexpr std::uint8_t kMagic[6] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
    if (data.size() < sizeof kMagic) return false;
    for (std::size_t i = 0; i < sizeof kMagic; ++i) {
        if (data[i] != kMagic[i]) return false;
    }
    return true;
}

// The lzma-alone header (xz's doc/lzma-file-format.txt): 1 byte properties
// (lc + lp * 9 + pb * 45, below 9 * 5 * 5 = 225), LE32 dictionary size, LE64
// uncompressed size (all ones = unknown, then an end marker ends the data).
// xz and lzma write dictionary sizes 2^n or 2^n + 2^(n-1); liblzma's own
// auto-detection accepts the same. The size bound rejects most random data.
bool is_lzma_alone(std::span<const std::uint8_t> data) {
    if (data.size() < 13 || data[0] >= 225) return false;
    const std::uint32_t dict = load_le32(data.data() + 1);
    if (dict == 0 || dict == 0xFFFFFFFFU) return false;
    const std::uint32_t low = dict & (0U - dict);  // lowest set bit
    const std::uint32_t rest = dict - low;
    if (rest != 0 && rest != low * 2) return false;
    const std::uint64_t size = load_le64(data.data() + 5);
    return size == ~0ULL || size < (1ULL << 40);
}

// lz4's legacy frame (lz4 doc/lz4_Frame_format.md, "Legacy frame"): magic
// 0x184C2102 little-endian, then blocks.
bool is_lz4_legacy(std::span<const std::uint8_t> data) {
    return data.size() >= 4 && load_le32(data.data()) == 0x184C2102U;
}

}  // namespace detail

const char* compression_name(Compression c) {
    switch (c) {
        case Compression::none: return "none";
        case Compression::gzip: return "gzip";
        case Compression::zstd: return "zstd";
        case Compression::xz: return "xz";
        case Compression::lzma: return "lzma";
        case Compression::lz4: return "lz4";
    }
    return "?";
}

Compression detect_compression(std::span<const std::uint8_t> data) {
    if (is_gzip(data)) return Compression::gzip;
    if (detail::is_zstd_frame(data)) return Compression::zstd;
    if (detail::is_xz_stream(data)) return Compression::xz;
    if (detail::is_lz4_legacy(data)) return Compression::lz4;
    if (detail::is_lzma_alone(data)) return Compression::lzma;
    return Compression::none;
}

Result<std::uint64_t> decompress(Compression method, std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                                 const DecompressProgress* progress) {
    detail::Ticker ticker(progress, compression_name(method));
    switch (method) {
        case Compression::gzip: return gunzip(in, out, progress);
        case Compression::zstd: return detail::unzstd(in, out, ticker);
        case Compression::xz: return detail::unxz(in, out, ticker);
        case Compression::lzma: return detail::unlzma(in, out, ticker);
        case Compression::lz4: return detail::unlz4(in, out, ticker);
        case Compression::none: break;
    }
    return Error::make(Errc::unsupported, "no decompression method given");
}

}  // namespace xb::compress
