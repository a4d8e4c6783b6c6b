// The XFS superblock: what this reader needs from it, validated, the feature
// policy (which incompat features can be read), and the address arithmetic
// between filesystem block numbers (AG number << agblklog | AG block), linear
// block numbers (AG number * agblocks + AG block, what the device sees) and
// inode numbers (AG block << inopblog | index in the block).
#pragma once

#include <cstdint>

#include "lib/result.h"

namespace xb::fs::xfs {

inline constexpr std::uint32_t kMinBlockSize = 512;  // v4; v5 starts at 1024
inline constexpr std::uint32_t kMaxBlockSize = 65536;
inline constexpr std::uint32_t kMaxInodeSize = 2048;
inline constexpr std::uint32_t kMaxSectorSize = 32768;

struct Superblock {
    std::uint32_t block_size = 0;
    std::uint32_t block_log = 0;
    std::uint64_t dblocks = 0;  // blocks in the data section
    std::uint32_t ag_blocks = 0;
    std::uint32_t ag_count = 0;
    std::uint32_t ag_block_log = 0;  // bits of an AG block number (ceil(log2(ag_blocks)))
    std::uint32_t inode_size = 0;
    std::uint32_t inodes_per_block_log = 0;
    std::uint32_t sector_size = 0;
    std::uint32_t dir_block_size = 0;  // block_size << sb_dirblklog
    std::uint64_t root_inode = 0;
    std::uint32_t version = 0;  // 4 or 5
    std::uint32_t incompat = 0;
    bool crc = false;    // v5: CRCs, v3 inodes, self-describing metadata headers
    bool ftype = false;  // directory entries carry the file type
    // sb_uuid as GRUB's xfs fs_uuid prints it (lowercase 8-4-4-4-12).
    char uuid[37] = {};
    // sb_fname up to its first NUL (12 bytes at most).
    char label[13] = {};

    bool has_incompat(std::uint32_t bit) const { return (incompat & bit) != 0; }
};

// Parses and validates the superblock (`len` bytes: at least the sector
// size, so the v5 CRC can be checked). No "XFSB" magic: not_found ("no XFS
// superblock"); inconsistent fields or a bad CRC: bad_data naming what;
// incompat features this reader cannot honour: unsupported naming them.
Result<Superblock> parse_superblock(const std::uint8_t* bytes, std::uint32_t len);

// A filesystem block number (as extents and btree pointers store them) as a
// linear block number; false when its AG or AG block is out of range, or
// when [fsb, fsb + count) leaves its AG or the data section.
bool linear_block(const Superblock& sb, std::uint64_t fsb, std::uint64_t count, std::uint64_t* linear);

// Where inode `ino` lives: the linear block holding it and the byte offset
// inside that block; false when the number cannot name an inode.
bool inode_location(const Superblock& sb, std::uint64_t ino, std::uint64_t* block, std::uint32_t* offset);

// True when the stored CRC-32C at `crc_offset` of [p, p + len) matches the
// bytes with that field taken as zero (how XFS computes metadata CRCs).
bool crc_matches(const std::uint8_t* p, std::uint32_t len, std::uint32_t crc_offset);

}  // namespace xb::fs::xfs
