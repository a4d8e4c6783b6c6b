#include "fs/disk_reader.h"

#include <cstring>

namespace xb::fs::detail {

Status check_block_size(const BlockDevice& disk) {
    const std::uint32_t bs = disk.block_size();
    if (bs < kMinBlockSize || bs > kMaxBlockSize || (bs & (bs - 1)) != 0) {
        return Error::make(Errc::unsupported, "block size %u is not supported (512 to 4096, a power of two)", bs);
    }
    return ok();
}

Status read_block(BlockDevice& disk, std::uint64_t block, BlockBuffer& buf, const char* what) {
    // The device's error names the device and the block already.
    (void)block;
    TRY_CTX(disk.read(block, 1, buf.bytes), "reading %s", what);
    return ok();
}

Status read_device_bytes(BlockDevice& dev, std::uint64_t offset, std::uint64_t len, std::uint8_t* dst,
                         std::uint8_t* bounce) {
    const std::uint32_t dbs = dev.block_size();
    std::uint64_t block = offset / dbs;
    // A partial first device block.
    if (const std::uint32_t skip = static_cast<std::uint32_t>(offset % dbs); skip != 0 && len != 0) {
        TRY(dev.read(block, 1, bounce));
        const std::uint64_t n = len < dbs - skip ? len : dbs - skip;
        std::memcpy(dst, bounce + skip, n);
        dst += n;
        len -= n;
        ++block;
    }
    // The whole device blocks in the middle: one read, straight into dst.
    if (const std::uint64_t whole = len / dbs; whole != 0) {
        TRY(dev.read(block, whole, dst));
        dst += whole * dbs;
        len -= whole * dbs;
        block += whole;
    }
    // A partial last device block.
    if (len != 0) {
        TRY(dev.read(block, 1, bounce));
        std::memcpy(dst, bounce, len);
    }
    return ok();
}

Status add_partition(PartitionTable& table, const Partition& p) {
    if (table.count == PartitionTable::kMaxPartitions) {
        return Error::make(Errc::bad_data, "more than %u partitions", PartitionTable::kMaxPartitions);
    }
    table.parts[table.count++] = p;
    return ok();
}

}  // namespace xb::fs::detail
