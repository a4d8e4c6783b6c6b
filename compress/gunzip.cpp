#include "compress/gunzip.h"

#include <zlib.h>

#include <cstddef>
#include <new>

namespace xb::compress {
namespace {

// zlib counts in uInt (32 bits): longer buffers are fed in pieces.
constexpr std::uint64_t kMaxChunk = 1ULL << 30;
// 16 + window bits: a gzip wrapper only (RFC 1952), and zlib then checks the
// CRC-32 and ISIZE trailer itself (zlib manual, inflateInit2).
constexpr int kGzipWindowBits = 16 + MAX_WBITS;

// zlib's allocations come from the firmware heap (operator new on the host).
voidpf heap_alloc(voidpf, uInt items, uInt size) {
    const std::size_t bytes = static_cast<std::size_t>(items) * size;  // 32x32 bits: fits size_t on 64-bit
    return new (std::nothrow) std::uint8_t[bytes];
}

void heap_free(voidpf, voidpf address) { delete[] static_cast<std::uint8_t*>(address); }

// Owns an initialised z_stream; inflateEnd frees zlib's state on every path.
class Inflater {
  public:
    Inflater() {
        stream_.zalloc = heap_alloc;
        stream_.zfree = heap_free;
        stream_.opaque = Z_NULL;
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
    ~Inflater() {
        if (ready_) inflateEnd(&stream_);
    }

    Status init() {
        const int rc = inflateInit2(&stream_, kGzipWindowBits);
        if (rc == Z_MEM_ERROR) return Error::make(Errc::no_memory, "gunzip: no heap for zlib's state and window");
        if (rc != Z_OK) return Error::make(Errc::unsupported, "gunzip: zlib refused to start (%d)", rc);
        ready_ = true;
        return ok();
    }

    z_stream& stream() { return stream_; }

  private:
    z_stream stream_{};
    bool ready_ = false;
};

std::uint64_t min_u64(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

}  // namespace

bool is_gzip(std::span<const std::uint8_t> data) {
    return data.size() >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 0x08;
}

Result<std::uint64_t> gunzip(std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                             const GunzipProgress* progress) {
    if (!is_gzip(in)) {
        return Error::make(Errc::bad_data, "not gzip data: %s",
                           in.empty() ? "empty input" : "no 1f 8b 08 (gzip, deflate) at the start");
    }
    Inflater inflater;
    TRY(inflater.init());
    z_stream& s = inflater.stream();

    const std::uint64_t step =
        progress != nullptr && progress->every_bytes != 0 ? min_u64(progress->every_bytes, kMaxChunk) : kMaxChunk;
    std::uint64_t next_report = step;
    std::uint64_t in_pos = 0;
    std::uint64_t out_pos = 0;
    // Once `out` is full, inflation goes on into this byte: if zlib writes it,
    // the data did not fit; if the stream ends without it, it fitted exactly.
    std::uint8_t probe = 0;

    // Every round consumes input or produces output, or ends: bounded by
    // in.size() + out.size() + 1 rounds.
    for (;;) {
        const std::uint64_t in_chunk = min_u64(in.size() - in_pos, kMaxChunk);
        const bool full = out_pos == out.size();
        const std::uint64_t out_chunk = full ? 1 : min_u64(out.size() - out_pos, step);
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

        switch (rc) {
            case Z_STREAM_END:
                // Another member follows: go on with it (inflateReset keeps
                // the gzip mode). Anything else after the member is ignored.
                if (is_gzip(in.subspan(in_pos))) {
                    inflateReset(&s);
                    continue;
                }
                return out_pos;
            case Z_OK:
            case Z_BUF_ERROR:  // no progress possible: checked below
                break;
            case Z_MEM_ERROR: return Error::make(Errc::no_memory, "gunzip: out of heap at input byte %lu", in_pos);
            case Z_NEED_DICT:
                return Error::make(Errc::bad_data, "corrupt gzip data at input byte %lu: needs a preset dictionary",
                                   in_pos);
            default:  // Z_DATA_ERROR; Z_STREAM_ERROR cannot happen with a valid stream
                return Error::make(Errc::bad_data, "corrupt gzip data at input byte %lu: %s", in_pos,
                                   s.msg != nullptr ? s.msg : "invalid data");
        }
        if (consumed == 0 && produced == 0) {
            if (in_pos == in.size()) {
                return Error::make(Errc::bad_data, "truncated gzip data (inflated %lu bytes)", out_pos);
            }
            // zlib had input and output room yet moved nothing: never expected,
            // but a loop without progress must end.
            return Error::make(Errc::bad_data, "corrupt gzip data at input byte %lu: inflation stalled", in_pos);
        }
        if (progress != nullptr && progress->keep_going != nullptr && out_pos >= next_report) {
            while (next_report <= out_pos) next_report += step;
            if (!progress->keep_going(progress->context, out_pos)) {
                return Error::make(Errc::interrupted, "gunzip interrupted after %lu bytes", out_pos);
            }
        }
    }
}

}  // namespace xb::compress
