// lz4's legacy frame format, which the kernel's `lz4 -l` writes (lz4
// doc/lz4_Frame_format.md, "Legacy frame"; the kernel's reader is
// lib/decompress_unlz4.c): magic 0x184C2102 (LE32), then blocks, each a LE32
// compressed size and an independent lz4 block of at most 8 MiB of output.
// A block size equal to the magic starts a new legacy stream (concatenated
// files). The format has no end marker: after at least one block, a block
// size no block can have ends the stream, as the reference tool's legacy
// reader does (lz4 programs/lz4io.c, LZ4IO_decodeLegacyStream: "Cannot read
// next block : maybe new stream ?"), so data that is followed by other bytes
// in memory (`unzip` reads to the end of RAM) decodes. No allocation: each
// block decodes straight into `out`.
#include <lz4.h>

#include "lib/endian.h"
#include "compress/decompress_impl.h"

namespace xb::compress::detail {
namespace {

constexpr std::uint32_t kMagic = 0x184C2102U;
constexpr std::uint64_t kBlockOutput = 8ULL << 20;
constexpr std::uint64_t kMaxBlockInput = LZ4_COMPRESSBOUND(kBlockOutput);

}  // namespace

Result<std::uint64_t> unlz4(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker) {
    if (!is_lz4_legacy(in)) {
        return Error::make(Errc::bad_data, "not lz4 data: %s",
                           in.empty() ? "empty input" : "no lz4 legacy magic (02 21 4c 18) at the start");
    }
    std::uint64_t pos = 4;
    std::uint64_t out_pos = 0;
    std::uint64_t blocks = 0;
    // Every round consumes at least 4 bytes of input.
    // 4 bytes or fewer left cannot hold a block: the kernel's appended LE32
    // size, or padding, ends the data.
    while (in.size() - pos > 4) {
        const std::uint64_t block_at = pos;
        const std::uint32_t size = load_le32(in.data() + pos);
        pos += 4;
        if (size == kMagic) continue;
        if (size > kMaxBlockInput && blocks > 0) break;  // the end of the stream
        if (size == 0 || size > kMaxBlockInput) {
            return Error::make(Errc::bad_data, "corrupt lz4 data at input byte %lu: block size %u (limit %lu)",
                               block_at, size, kMaxBlockInput);
        }
        if (size > in.size() - pos) {
            return Error::make(Errc::bad_data, "truncated lz4 data (decompressed %lu bytes)", out_pos);
        }
        // With `out` full, the block goes into a 1-byte probe: an empty block
        // leaves it unwritten, anything else did not fit. (liblz4 refuses a
        // 0-byte destination even for an empty block, so a real byte is used.)
        std::uint8_t probe = 0;
        const bool full = out_pos == out.size();
        const std::uint64_t room = full ? 1 : min_u64(out.size() - out_pos, kBlockOutput);
        const char* src = reinterpret_cast<const char*>(in.data() + pos);
        char* dst = reinterpret_cast<char*>(full ? &probe : out.data() + out_pos);
        // Both fit int: size <= LZ4_COMPRESSBOUND(8 MiB), room <= 8 MiB.
        const int n = LZ4_decompress_safe(src, dst, static_cast<int>(size), static_cast<int>(room));
        if (n < 0) {
            // A block that decodes fine up to a full `out` ran out of room
            // rather than being corrupt (as far as can be told).
            if (room < kBlockOutput &&
                LZ4_decompress_safe_partial(src, dst, static_cast<int>(size), static_cast<int>(room),
                                            static_cast<int>(room)) == static_cast<int>(room)) {
                return Error::make(Errc::no_space, "decompressed data larger than %lu bytes", out.size());
            }
            return Error::make(Errc::bad_data, "corrupt lz4 data at input byte %lu: block does not decode", block_at);
        }
        if (full && n != 0) return Error::make(Errc::no_space, "decompressed data larger than %lu bytes", out.size());
        // A block that breaks lz4's end-of-block rules (the last 5 bytes are
        // literals, no match starts in the last 12: lz4 doc/lz4_Block_format.md)
        // decodes only when there is slack after it, so whether it "works"
        // would depend on the caller's buffer. Decoding it again into exactly
        // its size makes the answer the same for every buffer. Only a block
        // with slack (in practice a stream's last) is decoded twice.
        if (!full && static_cast<std::uint64_t>(n) < room && n > 0 &&
            LZ4_decompress_safe(src, dst, static_cast<int>(size), n) != n) {
            return Error::make(Errc::bad_data,
                               "corrupt lz4 data at input byte %lu: block breaks lz4's end-of-block rules", block_at);
        }
        out_pos += static_cast<std::uint64_t>(n);
        pos += size;
        ++blocks;
        TRY(ticker.tick(out_pos));
    }
    return out_pos;
}

}  // namespace xb::compress::detail
