#include "compress/inflate_zlib.h"

#include <zlib.h>

#include <cstddef>
#include <new>

#include "lib/scope_guard.h"

namespace xb::compress {
namespace {

// zlib counts in uInt (32 bits): longer buffers are fed in pieces.
constexpr std::uint64_t kMaxChunk = 1ULL << 30;

voidpf heap_alloc(voidpf, uInt items, uInt size) {
    return new (std::nothrow) std::uint8_t[static_cast<std::size_t>(items) * size];
}
void heap_free(voidpf, voidpf address) { delete[] static_cast<std::uint8_t*>(address); }

std::uint64_t min_u64(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

// RFC 1950 section 2.2: CM = 8 (deflate), CINFO <= 7, (CMF * 256 + FLG) % 31 == 0.
bool is_zlib_header(std::span<const std::uint8_t> in) {
    return in.size() >= 2 && (in[0] & 0x0f) == 8 && (in[0] >> 4) <= 7 && ((in[0] << 8) | in[1]) % 31 == 0;
}

}  // namespace

Result<std::uint64_t> inflate_zlib(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
    if (!is_zlib_header(in)) {
        return Error::make(Errc::bad_data, "not zlib data: %s",
                           in.empty() ? "empty input" : "no RFC 1950 deflate header at the start");
    }
    z_stream s{};
    s.zalloc = heap_alloc;
    s.zfree = heap_free;
    s.opaque = Z_NULL;
    const int init = inflateInit(&s);
    if (init == Z_MEM_ERROR) return Error::make(Errc::no_memory, "zlib: no heap for the inflater's state");
    if (init != Z_OK) return Error::make(Errc::unsupported, "zlib: inflateInit failed (%d)", init);

    ScopeGuard end([&s] { inflateEnd(&s); });
    std::uint64_t in_pos = 0;
    std::uint64_t out_pos = 0;
    // Once `out` is full, inflation goes on into this byte: data that fits
    // exactly ends the stream without writing it.
    std::uint8_t probe = 0;
    // Every round consumes input or produces output, or ends.
    for (;;) {
        const std::uint64_t in_chunk = min_u64(in.size() - in_pos, kMaxChunk);
        const bool full = out_pos == out.size();
        const std::uint64_t out_chunk = full ? 1 : min_u64(out.size() - out_pos, kMaxChunk);
        s.next_in = const_cast<Bytef*>(in.data() + in_pos);  // zlib does not write through next_in
        s.avail_in = static_cast<uInt>(in_chunk);
        s.next_out = full ? &probe : out.data() + out_pos;
        s.avail_out = static_cast<uInt>(out_chunk);
        const int rc = inflate(&s, Z_NO_FLUSH);
        const std::uint64_t consumed = in_chunk - s.avail_in;
        const std::uint64_t produced = out_chunk - s.avail_out;
        in_pos += consumed;
        if (full && produced != 0) {
            return Error::make(Errc::no_space, "inflated data larger than %lu bytes", out.size());
        }
        if (!full) out_pos += produced;
        if (rc == Z_STREAM_END) {
            return out_pos;
        }
        if (rc == Z_MEM_ERROR) {
            return Error::make(Errc::no_memory, "zlib: out of heap at input byte %lu", in_pos);
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return Error::make(Errc::bad_data, "corrupt zlib data at input byte %lu: %s", in_pos,
                               s.msg != nullptr ? s.msg : "invalid data");
        }
        if (consumed == 0 && produced == 0) {
            if (in_pos == in.size()) {
                return Error::make(Errc::bad_data, "truncated zlib data (inflated %lu bytes)", out_pos);
            }
            return Error::make(Errc::bad_data, "corrupt zlib data at input byte %lu: inflation stalled", in_pos);
        }
    }
}

}  // namespace xb::compress
