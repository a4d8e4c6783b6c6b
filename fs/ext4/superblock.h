// The ext2/3/4 superblock: what this reader needs from it, validated, and the
// feature policy (which incompat features can be read, which name to report).
#pragma once

#include <cstdint>

#include "lib/result.h"

namespace xb::fs::ext4 {

// Largest filesystem block this reader handles: 64 KiB, the largest Linux mounts.
inline constexpr std::uint32_t kMaxBlockSize = 65536;

struct Superblock {
    std::uint32_t block_size = 0;
    std::uint32_t log_block_size = 0;  // block_size = 1024 << log_block_size
    std::uint64_t blocks_count = 0;
    std::uint32_t first_data_block = 0;
    std::uint32_t blocks_per_group = 0;
    std::uint32_t inodes_per_group = 0;
    std::uint32_t inodes_count = 0;
    std::uint32_t inode_size = 0;
    std::uint32_t desc_size = 0;
    std::uint32_t group_count = 0;
    std::uint32_t first_meta_bg = 0;
    std::uint32_t backup_bgs[2] = {};
    std::uint32_t compat = 0;
    std::uint32_t incompat = 0;
    std::uint32_t ro_compat = 0;
    // s_uuid as GRUB's ext2 fs_uuid prints it: lowercase 8-4-4-4-12 hex.
    char uuid[37] = {};
    // s_volume_name up to its first NUL (16 bytes at most, not trimmed: GRUB's
    // fs_label is strndup of the field).
    char label[17] = {};

    bool has_incompat(std::uint32_t bit) const { return (incompat & bit) != 0; }
    bool has_compat(std::uint32_t bit) const { return (compat & bit) != 0; }
    bool has_ro_compat(std::uint32_t bit) const { return (ro_compat & bit) != 0; }
};

// Parses and validates the 1024 superblock bytes. No magic: not_found
// ("no ext2/3/4 superblock"); inconsistent fields: bad_data naming the field;
// an incompat feature this reader cannot honour: unsupported naming it.
Result<Superblock> parse_superblock(const std::uint8_t* bytes);

// "ext4" when any feature beyond ext3's set is on (see README), "ext3" with a
// journal, else "ext2".
const char* type_name(const Superblock& sb);

// True when block group `group` holds a superblock backup (and so, with
// meta_bg, a descriptor block follows it).
bool group_has_superblock(const Superblock& sb, std::uint32_t group);

}  // namespace xb::fs::ext4
