// XFS on-disk layout: byte offsets and constants this reader uses, from the
// Linux kernel's fs/xfs/libxfs/xfs_format.h, xfs_da_format.h and
// Documentation/filesystems/xfs/xfs-*.rst ("XFS Algorithms & Data Structures").
// Everything is big-endian except the CRC fields of v5 metadata, which are
// stored little-endian (the kernel's __le32 di_crc / bb_crc / ...).
#pragma once

#include <cstdint>

namespace xb::fs::xfs {

inline std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline std::uint64_t be64(const std::uint8_t* p) { return std::uint64_t{be32(p)} << 32 | be32(p + 4); }
inline std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
}

namespace layout {

// ---- Superblock (struct xfs_dsb), at byte 0 of allocation group 0.
namespace sb {
inline constexpr std::uint32_t kMagic = 0x58465342;  // "XFSB"
inline constexpr unsigned magic = 0, blocksize = 4, dblocks = 8, uuid = 32, rootino = 56, agblocks = 84, agcount = 88,
                          versionnum = 100, sectsize = 102, inodesize = 104, inopblock = 106, fname = 108,
                          blocklog = 120, sectlog = 121, inodelog = 122, inopblog = 123, agblklog = 124,
                          inprogress = 126, dirblklog = 192, features2 = 200, features_incompat = 216, crc = 224;
inline constexpr unsigned kV5Size = 264;  // through sb_meta_uuid
}  // namespace sb

// sb_versionnum: the low nibble is the version; v4 feature bits above it.
inline constexpr std::uint16_t kVersionMask = 0x000f;
inline constexpr std::uint16_t kVersionDirV2 = 0x2000;
inline constexpr std::uint16_t kVersionMoreBits = 0x8000;  // sb_features2 is valid
inline constexpr std::uint32_t kFeatures2Ftype = 0x00000200;

// sb_features_incompat (v5).
inline constexpr std::uint32_t kIncompatFtype = 1u << 0;
inline constexpr std::uint32_t kIncompatSparseInodes = 1u << 1;
inline constexpr std::uint32_t kIncompatMetaUuid = 1u << 2;
inline constexpr std::uint32_t kIncompatBigtime = 1u << 3;
inline constexpr std::uint32_t kIncompatNeedsRepair = 1u << 4;
inline constexpr std::uint32_t kIncompatNrext64 = 1u << 5;
inline constexpr std::uint32_t kIncompatExchange = 1u << 6;
inline constexpr std::uint32_t kIncompatParent = 1u << 7;
inline constexpr std::uint32_t kIncompatMetadir = 1u << 8;
inline constexpr std::uint32_t kIncompatZoned = 1u << 9;

// ---- Inode (struct xfs_dinode).
namespace di {
inline constexpr std::uint16_t kMagic = 0x494e;  // "IN"
inline constexpr unsigned magic = 0, mode = 2, version = 4, format = 5, big_nextents = 24, size = 56, nextents = 76,
                          forkoff = 82, flags = 90, crc = 100, flags2 = 120, ino = 152;
inline constexpr unsigned kCoreV2 = 100;  // literal area of v1/v2 inodes
inline constexpr unsigned kCoreV3 = 176;  // literal area of v3 inodes
}  // namespace di

enum Format : std::uint8_t { kFormatDev = 0, kFormatLocal = 1, kFormatExtents = 2, kFormatBtree = 3 };
inline constexpr std::uint16_t kFlagRealtime = 0x0001;   // di_flags: data on the realtime device
inline constexpr std::uint64_t kFlag2Nrext64 = 1u << 4;  // di_flags2: 64-bit extent counters

inline constexpr std::uint16_t kModeType = 0170000, kModeDir = 0040000, kModeFile = 0100000, kModeLink = 0120000;

// ---- Extent records (xfs_bmbt_rec): 128 bits, big-endian: unwritten flag
// (1), startoff (54), startblock (52), blockcount (21).
inline constexpr unsigned kExtentSize = 16;

// ---- B+tree of extents (bmbt). The root in the inode fork is an
// xfs_bmdr_block (level, numrecs); other blocks carry a long-form header.
inline constexpr std::uint32_t kBmapMagicV4 = 0x424d4150;  // "BMAP"
inline constexpr std::uint32_t kBmapMagicV5 = 0x424d4133;  // "BMA3"
namespace bt {
inline constexpr unsigned magic = 0, level = 4, numrecs = 6, blkno = 24, owner = 56, crc = 64;
inline constexpr unsigned kHeaderV4 = 24, kHeaderV5 = 72;
}  // namespace bt
inline constexpr unsigned kRootHeader = 4;  // xfs_bmdr_block
inline constexpr unsigned kMaxBtreeLevels = 9;

// ---- Directories (xfs_da_format.h).
inline constexpr std::uint32_t kDirBlockMagicV4 = 0x58443242;  // "XD2B": single-block directory
inline constexpr std::uint32_t kDirDataMagicV4 = 0x58443244;   // "XD2D": data block of a leaf/node directory
inline constexpr std::uint32_t kDirBlockMagicV5 = 0x58444233;  // "XDB3"
inline constexpr std::uint32_t kDirDataMagicV5 = 0x58444433;   // "XDD3"
namespace dir {
inline constexpr unsigned magic = 0, crc = 4, blkno = 8, owner = 40;
inline constexpr unsigned kHeaderV4 = 16, kHeaderV5 = 64;
inline constexpr unsigned kBlockTail = 8;  // xfs_dir2_block_tail: count, stale
inline constexpr unsigned kLeafEntry = 8;  // xfs_dir2_leaf_entry: hashval, address
inline constexpr std::uint16_t kFreeTag = 0xffff;
// Data blocks live below this byte offset of the directory; the leaf and
// free-index blocks above it (XFS_DIR2_LEAF_OFFSET).
inline constexpr std::uint64_t kLeafOffset = std::uint64_t{32} << 30;
}  // namespace dir

// ---- Remote symlink blocks (struct xfs_dsymlink_hdr, v5 only).
inline constexpr std::uint32_t kSymlinkMagic = 0x58534c4d;  // "XSLM"
namespace sl {
inline constexpr unsigned magic = 0, offset = 4, bytes = 8, crc = 12, owner = 32;
inline constexpr unsigned kHeader = 56;
}  // namespace sl
inline constexpr std::uint32_t kMaxSymlink = 1024;  // XFS_SYMLINK_MAXLEN

}  // namespace layout
}  // namespace xb::fs::xfs
