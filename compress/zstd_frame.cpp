#include "compress/zstd_frame.h"

#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_customMem, ZSTD_createDCtx_advanced
#include <zstd.h>
#include <zstd_errors.h>

#include <new>

#include "compress/decompress_impl.h"

namespace xb::compress {
namespace {

void* heap_alloc(void*, std::size_t size) { return new (std::nothrow) std::uint8_t[size]; }
void heap_free(void*, void* address) { delete[] static_cast<std::uint8_t*>(address); }

}  // namespace

ZstdFrameDecoder::~ZstdFrameDecoder() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_)); }

Result<std::uint64_t> ZstdFrameDecoder::decode(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
    if (!detail::is_zstd_frame(in)) {
        return Error::make(Errc::bad_data, "not zstd data: %s",
                           in.empty() ? "empty input" : "no zstd frame magic (28 b5 2f fd) at the start");
    }
    // The frame's own length: what follows it (padding) is not decoded.
    const std::size_t frame = ZSTD_findFrameCompressedSize(in.data(), in.size());
    if (ZSTD_isError(frame)) {
        if (ZSTD_getErrorCode(frame) == ZSTD_error_srcSize_wrong)
            return Error::make(Errc::bad_data, "truncated zstd data");
        return Error::make(Errc::bad_data, "corrupt zstd data: %s", ZSTD_getErrorName(frame));
    }
    if (dctx_ == nullptr) {
        const ZSTD_customMem mem{heap_alloc, heap_free, nullptr};
        dctx_ = ZSTD_createDCtx_advanced(mem);
        if (dctx_ == nullptr) return Error::make(Errc::no_memory, "zstd: no heap for the decoder's state");
    }
    const std::size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(dctx_), out.data(), out.size(), in.data(), frame);
    if (ZSTD_isError(n)) {
        switch (ZSTD_getErrorCode(n)) {
            case ZSTD_error_dstSize_tooSmall:
                return Error::make(Errc::no_space, "decompressed data larger than %lu bytes", out.size());
            case ZSTD_error_memory_allocation: return Error::make(Errc::no_memory, "zstd: out of heap");
            default: return Error::make(Errc::bad_data, "corrupt zstd data: %s", ZSTD_getErrorName(n));
        }
    }
    return std::uint64_t{n};
}

}  // namespace xb::compress
