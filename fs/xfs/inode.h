// XFS inodes (struct xfs_dinode): v3 (v5 filesystems, CRC checked, its own
// number recorded) and v1/v2 (v4 filesystems). What the reader keeps: the
// type, size, data fork format and a copy of the data fork (the literal area
// up to the attribute fork), so it stays valid while other blocks are read.
#pragma once

#include <cstdint>

#include "fs/filesystem.h"
#include "fs/xfs/layout.h"
#include "fs/xfs/volume.h"
#include "lib/result.h"

namespace xb::fs::xfs {

inline constexpr std::uint32_t kMaxForkBytes = kMaxInodeSize - layout::di::kCoreV3;

struct Inode {
    std::uint64_t number = 0;
    std::uint16_t mode = 0;
    std::uint8_t format = 0;  // layout::Format of the data fork
    std::uint16_t flags = 0;
    std::uint64_t size = 0;
    std::uint64_t extents = 0;  // records in the data fork (extents format)
    std::uint32_t fork_size = 0;
    std::uint8_t fork[kMaxForkBytes] = {};

    NodeType type() const;
};

// Reads and validates inode `ino`: magic, version for the filesystem,
// CRC and di_ino (v3), a data fork format that fits the type, a fork that
// fits the literal area, a size below 2^63. bad_data names the inode.
Result<Inode> read_inode(Volume& vol, std::uint64_t ino);

inline Node node_of(const Inode& inode) { return Node{inode.number, inode.size, inode.type()}; }

}  // namespace xb::fs::xfs
