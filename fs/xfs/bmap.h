// Maps a file's logical blocks to linear device blocks through its data fork:
// an extent list in the inode, or a B+tree of extents (bmbt) rooted there.
// Holes and unwritten (preallocated) extents come back unmapped, so they read
// as zeros. Tree blocks are checked as they are walked: magic, CRC, owner
// and daddr (v5), levels strictly decreasing by one, numrecs within the
// block, keys in order; so a hostile tree cannot loop.
#pragma once

#include <cstdint>

#include "fs/xfs/inode.h"
#include "fs/xfs/volume.h"
#include "lib/result.h"

namespace xb::fs::xfs {

struct Run {
    std::uint64_t physical = 0;  // linear block (when mapped)
    std::uint64_t count = 0;     // >= 1 blocks
    bool mapped = false;         // false: a hole or an unwritten extent
};

// The run starting at `logical`, at most `max_count` (>= 1) blocks long.
// The inode's data fork must be in extents or btree format.
Result<Run> map_blocks(Volume& vol, const Inode& inode, std::uint64_t logical, std::uint64_t max_count);

}  // namespace xb::fs::xfs
