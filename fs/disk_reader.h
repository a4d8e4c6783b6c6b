// What the partition-table and filesystem readers share: a one-block buffer,
// block reads that say what was being read, byte-range reads over a device,
// extent checks, and adding to the table.
#pragma once

#include <cstdint>

#include "fs/partition/partition_table.h"

namespace xb::fs::detail {

// Logical block sizes the readers handle (the MBR needs 512 bytes; GPT headers
// and entries are laid out in blocks of any power-of-two size).
inline constexpr std::uint32_t kMinBlockSize = 512;
inline constexpr std::uint32_t kMaxBlockSize = 4096;

struct BlockBuffer {
    alignas(16) std::uint8_t bytes[kMaxBlockSize];
};

Status check_block_size(const BlockDevice& disk);

// Reads one block; errors keep the device's message (which names the device
// and the block) with "reading <what>" in front.
Status read_block(BlockDevice& disk, std::uint64_t block, BlockBuffer& buf, const char* what);

// Reads `len` bytes at device byte `offset` into dst: the whole device blocks
// in the middle in one read straight into dst (so a large file read is one
// device read), a partial first or last block through `bounce` (one device
// block of the caller's). Used by the ext4, XFS and btrfs volumes.
Status read_device_bytes(BlockDevice& dev, std::uint64_t offset, std::uint64_t len, std::uint8_t* dst,
                         std::uint8_t* bounce);

// True if [first, first + count) is non-empty and lies below `limit` (no overflow).
inline bool extent_within(std::uint64_t first, std::uint64_t count, std::uint64_t limit) {
    return count != 0 && first < limit && count <= limit - first;
}

// Appends p; bad_data once the table is full.
Status add_partition(PartitionTable& table, const Partition& p);

}  // namespace xb::fs::detail
