// zstd frames (RFC 8878) with libzstd's streaming decoder in "stable output
// buffer" mode: the decoder writes straight into `out` and uses what it has
// already written as the window, so even `zstd --ultra -22` data (128 MiB+
// windows) needs no window allocation; only the context (~100 KiB) and one
// 128 KiB block buffer come from the heap.
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_customMem, ZSTD_d_stableOutBuffer
#include <zstd.h>
#include <zstd_errors.h>

#include <cstddef>
#include <new>

#include "lib/scope_guard.h"
#include "compress/decompress_impl.h"

namespace xb::compress::detail {
namespace {

// Input is fed in pieces so that the progress hook runs between them; with
// zstd's usual ratios a piece yields a few MiB of output.
constexpr std::uint64_t kInputPiece = 1ULL << 20;

void* heap_alloc(void*, std::size_t size) { return new (std::nothrow) std::uint8_t[size]; }
void heap_free(void*, void* address) { delete[] static_cast<std::uint8_t*>(address); }

}  // namespace

Result<std::uint64_t> unzstd(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker) {
    if (!is_zstd_frame(in)) {
        return Error::make(Errc::bad_data, "not zstd data: %s",
                           in.empty() ? "empty input" : "no zstd frame magic (28 b5 2f fd) at the start");
    }
    const ZSTD_customMem mem{heap_alloc, heap_free, nullptr};
    ZSTD_DCtx* dctx = ZSTD_createDCtx_advanced(mem);
    if (dctx == nullptr) return Error::make(Errc::no_memory, "zstd: no heap for the decoder's state");
    ScopeGuard release([dctx] { ZSTD_freeDCtx(dctx); });
    // The window is `out` itself, so any window size the format allows is fine.
    if (ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_stableOutBuffer, 1)) ||
        ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG_MAX))) {
        return Error::make(Errc::unsupported, "zstd: the decoder refused stable-output mode");
    }
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    std::uint64_t in_pos = 0;
    // Every round consumes input or produces output, or ends.
    for (;;) {
        const std::uint64_t piece = min_u64(in.size() - in_pos, kInputPiece);
        ZSTD_inBuffer input{in.data() + in_pos, piece, 0};
        const std::uint64_t out_before = output.pos;
        const std::size_t rc = ZSTD_decompressStream(dctx, &output, &input);
        in_pos += input.pos;
        if (ZSTD_isError(rc)) {
            switch (ZSTD_getErrorCode(rc)) {
                case ZSTD_error_dstSize_tooSmall:
                    return Error::make(Errc::no_space, "decompressed data larger than %lu bytes", out.size());
                case ZSTD_error_memory_allocation:
                    return Error::make(Errc::no_memory, "zstd: out of heap at input byte %lu", in_pos);
                default:
                    return Error::make(Errc::bad_data, "corrupt zstd data at input byte %lu: %s", in_pos,
                                       ZSTD_getErrorName(rc));
            }
        }
        if (rc == 0) {
            // A frame ended: the decoder starts the next one by itself. The
            // kernel's appended LE32 size, or padding, is not a frame: done.
            if (!is_zstd_frame(in.subspan(in_pos))) return output.pos;
            continue;
        }
        if (input.pos == 0 && output.pos == out_before) {
            if (in_pos == in.size()) {
                return Error::make(Errc::bad_data, "truncated zstd data (decompressed %lu bytes)", output.pos);
            }
            return Error::make(Errc::bad_data, "corrupt zstd data at input byte %lu: decoding stalled", in_pos);
        }
        TRY(ticker.tick(output.pos));
    }
}

}  // namespace xb::compress::detail
