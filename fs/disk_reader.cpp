#include "fs/disk_reader.h"

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

Status add_partition(PartitionTable& table, const Partition& p) {
    if (table.count == PartitionTable::kMaxPartitions) {
        return Error::make(Errc::bad_data, "more than %u partitions", PartitionTable::kMaxPartitions);
    }
    table.parts[table.count++] = p;
    return ok();
}

}  // namespace xb::fs::detail
