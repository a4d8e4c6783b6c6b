#include "fs/btrfs/lzo_frames.h"

#include "compress/lzo1x.h"
#include "lib/endian.h"

namespace xb::fs::btrfs {

Result<std::uint64_t> unlzo_extent(std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                                   std::uint32_t sector_size) {
    if (in.size() < 4) return Error::make(Errc::bad_data, "btrfs lzo: extent of %zu bytes", in.size());
    const std::uint64_t total = load_le32(in.data());
    if (total < 4 || total > in.size()) {
        return Error::make(Errc::bad_data, "btrfs lzo: total length %lu in an extent of %zu bytes", total, in.size());
    }
    std::uint64_t pos = 4;
    std::uint64_t written = 0;
    // Each round moves pos forward by at least 5 bytes.
    while (pos < total && written < out.size()) {
        const std::uint64_t left_in_sector = sector_size - pos % sector_size;
        if (left_in_sector < 4) {
            pos += left_in_sector;
            if (pos >= total) break;
        }
        if (total - pos < 4) return Error::make(Errc::bad_data, "btrfs lzo: segment header past the end at %lu", pos);
        const std::uint64_t len = load_le32(in.data() + pos);
        pos += 4;
        if (len == 0 || len > total - pos) {
            return Error::make(Errc::bad_data, "btrfs lzo: segment of %lu bytes at %lu (total %lu)", len, pos - 4,
                               total);
        }
        const Result<std::uint64_t> n = compress::lzo1x_decompress(in.subspan(pos, len), out.subspan(written));
        if (!n.ok()) {
            Error e = n.error();
            return e.prefix("btrfs lzo: segment at %lu", pos - 4);
        }
        written += n.value();
        pos += len;
    }
    return written;
}

}  // namespace xb::fs::btrfs
