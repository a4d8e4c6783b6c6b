// The btrfs superblock: finding it (the primary at 64 KiB, the mirrors at
// 64 MiB and 256 GiB when the primary is damaged), checking it, and the
// system chunk array it carries (the chunks that hold the chunk tree).
#pragma once

#include <cstdint>

#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs::btrfs {

// One chunk mapping: logical [logical, logical + length) is at device byte
// `physical` (stripe 0; single and DUP only, others are refused). DUP chunks
// also give the second copy (stripe 1), read when a tree node's first copy
// fails its checks.
struct Chunk {
    std::uint64_t logical = 0;
    std::uint64_t length = 0;
    std::uint64_t physical = 0;
    std::uint64_t mirror = 0;
    bool has_mirror = false;
};

inline constexpr unsigned kMaxSysChunks = 32;  // 2048-byte array / 80-byte smallest entry = 25

struct Superblock {
    std::uint8_t fsid[16] = {};
    std::uint8_t metadata_fsid[16] = {};  // what tree node headers carry (fsid unless metadata_uuid)
    std::uint64_t generation = 0;
    std::uint64_t root = 0;
    std::uint64_t chunk_root = 0;
    std::uint64_t total_bytes = 0;
    std::uint64_t devid = 0;
    std::uint32_t sector_size = 0;
    std::uint32_t node_size = 0;
    std::uint8_t root_level = 0;
    std::uint8_t chunk_root_level = 0;
    char uuid[37] = {};    // fsid, lowercase 8-4-4-4-12
    char label[257] = {};  // up to the first NUL
    Chunk sys_chunks[kMaxSysChunks];
    unsigned sys_chunk_count = 0;
    unsigned copy = 0;  // which copy was used: 0 primary, 1 or 2 a mirror
};

// Reads and checks the superblock. not_found ("no btrfs superblock") when the
// primary has no magic; a primary that has the magic but fails its checks
// falls back to the mirrors (the result's `copy` says which was used);
// bad_data / unsupported when none can be used.
Result<Superblock> read_superblock(BlockDevice& dev);

// Checks a chunk item (`item`, `size` bytes) for logical `logical` and fills
// `out`: RAID profiles and stripes on another device are `unsupported`,
// malformed items `bad_data`. `devid` is the filesystem's device.
Status parse_chunk(const std::uint8_t* item, std::uint64_t size, std::uint64_t logical, std::uint64_t devid,
                   Chunk& out);

}  // namespace xb::fs::btrfs
