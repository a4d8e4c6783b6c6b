// xz streams and lzma-alone data with liblzma. liblzma decodes into its own
// dictionary buffer (as large as the data's dictionary: 32 MiB for the
// kernel's xz, 64 MiB for `lzma -9`), allocated on the heap through an
// lzma_allocator; a firmware heap smaller than that gives Errc::no_memory.
#include <lzma.h>

#include <cstddef>
#include <cstdint>
#include <new>

#include "lib/scope_guard.h"
#include "compress/decompress_impl.h"

namespace xb::compress::detail {
namespace {

void* heap_alloc(void*, std::size_t nmemb, std::size_t size) {
    if (size != 0 && nmemb > SIZE_MAX / size) return nullptr;
    return new (std::nothrow) std::uint8_t[nmemb * size];
}
void heap_free(void*, void* address) { delete[] static_cast<std::uint8_t*>(address); }

constinit const lzma_allocator kHeapAllocator{heap_alloc, heap_free, nullptr};

// The dictionary plus the decoders' own state (well under 1 MiB).
constexpr std::uint64_t kMemLimit = kMaxDictionary + (1ULL << 20);

enum class Kind { xz, lzma };

const char* kind_name(Kind kind) { return kind == Kind::xz ? "xz" : "lzma"; }

Status start(lzma_stream& s, Kind kind) {
    const lzma_ret rc = kind == Kind::xz ? lzma_stream_decoder(&s, kMemLimit, 0) : lzma_alone_decoder(&s, kMemLimit);
    if (rc == LZMA_MEM_ERROR) return Error::make(Errc::no_memory, "%s: no heap for the decoder", kind_name(kind));
    if (rc != LZMA_OK) return Error::make(Errc::unsupported, "%s: liblzma refused to start (%d)", kind_name(kind), rc);
    return ok();
}

const char* reason(lzma_ret rc) {
    switch (rc) {
        case LZMA_FORMAT_ERROR: return "not in the expected format";
        case LZMA_OPTIONS_ERROR: return "unsupported options (filter, check or properties)";
        case LZMA_DATA_ERROR: return "compressed data is corrupt";
        case LZMA_UNSUPPORTED_CHECK: return "unsupported integrity check";
        default: return "decoder error";
    }
}

Result<std::uint64_t> run(Kind kind, std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker) {
    const char* name = kind_name(kind);
    lzma_stream s = LZMA_STREAM_INIT;
    s.allocator = &kHeapAllocator;
    TRY(start(s, kind));
    ScopeGuard release([&s] { lzma_end(&s); });
    s.next_in = in.data();
    s.avail_in = in.size();
    std::uint64_t out_pos = 0;
    // Once `out` is full, decoding goes on into this byte: if it is written,
    // the data did not fit; if the stream ends without it, it fitted exactly.
    std::uint8_t probe = 0;
    // Every round consumes input or produces output, or ends.
    for (;;) {
        const bool full = out_pos == out.size();
        const std::uint64_t out_chunk = full ? 1 : min_u64(out.size() - out_pos, ticker.step());
        s.next_out = full ? &probe : out.data() + out_pos;
        s.avail_out = out_chunk;
        const std::uint64_t in_before = s.avail_in;
        const lzma_ret rc = lzma_code(&s, LZMA_RUN);
        const std::uint64_t produced = out_chunk - s.avail_out;
        const std::uint64_t in_pos = in.size() - s.avail_in;
        if (full && produced != 0) {
            return Error::make(Errc::no_space, "decompressed data larger than %lu bytes", out.size());
        }
        if (!full) out_pos += produced;
        switch (rc) {
            case LZMA_STREAM_END:
                // Another xz stream follows: decode it too. Anything else
                // (the kernel's appended LE32 size, padding) is ignored.
                if (kind == Kind::xz && is_xz_stream(in.subspan(in_pos))) {
                    TRY(start(s, kind));
                    continue;
                }
                return out_pos;
            case LZMA_OK:
            case LZMA_BUF_ERROR:  // no progress possible: checked below
                break;
            case LZMA_MEM_ERROR:
                return Error::make(Errc::no_memory, "%s: no heap for a %lu-byte dictionary (input byte %lu)", name,
                                   lzma_memusage(&s), in_pos);
            case LZMA_MEMLIMIT_ERROR:
                return Error::make(Errc::unsupported, "%s: the data needs %lu bytes of dictionary, over the %lu limit",
                                   name, lzma_memusage(&s), kMemLimit);
            default:
                return Error::make(Errc::bad_data, "corrupt %s data at input byte %lu: %s", name, in_pos, reason(rc));
        }
        if (s.avail_in == in_before && produced == 0) {
            if (s.avail_in == 0) {
                return Error::make(Errc::bad_data, "truncated %s data (decompressed %lu bytes)", name, out_pos);
            }
            return Error::make(Errc::bad_data, "corrupt %s data at input byte %lu: decoding stalled", name, in_pos);
        }
        TRY(ticker.tick(out_pos));
    }
}

}  // namespace

Result<std::uint64_t> unxz(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker) {
    if (!is_xz_stream(in)) {
        return Error::make(Errc::bad_data, "not xz data: %s",
                           in.empty() ? "empty input" : "no xz magic (fd 37 7a 58 5a 00) at the start");
    }
    return run(Kind::xz, in, out, ticker);
}

Result<std::uint64_t> unlzma(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker) {
    if (!is_lzma_alone(in)) {
        return Error::make(Errc::bad_data, "not lzma data: %s",
                           in.empty() ? "empty input" : "no valid lzma-alone header at the start");
    }
    return run(Kind::lzma, in, out, ticker);
}

}  // namespace xb::compress::detail
