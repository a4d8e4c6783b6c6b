// GPT (UEFI 2.x section 5.3): the primary header at block 1, its partition
// entry array, and the backup header (at the primary's AlternateLBA, or the
// disk's last block) when the primary or its array is invalid.
#pragma once

#include "fs/partition/partition_table.h"

namespace xb::fs::detail {

Status read_gpt(BlockDevice& disk, PartitionTable& out);

}  // namespace xb::fs::detail
