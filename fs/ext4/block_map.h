// Logical file block -> physical block, through an extent tree (ext4) or the
// classic direct/indirect block map (ext2/3, ext4 with ^extent). Answers in
// runs so that the reader can turn contiguous data into one device read.
#pragma once

#include <cstdint>

#include "fs/ext4/inode.h"
#include "fs/ext4/volume.h"
#include "lib/result.h"

namespace xb::fs::ext4 {

struct Run {
    std::uint64_t count = 0;     // >= 1 blocks from the asked-for logical block
    std::uint64_t physical = 0;  // first physical block when `mapped`
    bool mapped = false;         // false: a hole or an uninitialized extent (reads as zeros)
};

// The run starting at logical block `logical`, at most `max_count` (>= 1)
// blocks long. Every tree node on the way is validated (bad_data naming the
// inode and block); physical blocks are checked to lie inside the filesystem.
Result<Run> map_blocks(Volume& vol, const Inode& node, std::uint64_t logical, std::uint64_t max_count);

}  // namespace xb::fs::ext4
