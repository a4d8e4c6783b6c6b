// What the MBR and GPT readers share: a one-block buffer, block reads that say
// what was being read, extent checks, and adding to the table.
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

// True if [first, first + count) is non-empty and lies below `limit` (no overflow).
inline bool extent_within(std::uint64_t first, std::uint64_t count, std::uint64_t limit) {
    return count != 0 && first < limit && count <= limit - first;
}

// Appends p; bad_data once the table is full.
Status add_partition(PartitionTable& table, const Partition& p);

}  // namespace xb::fs::detail
