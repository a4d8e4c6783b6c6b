// On-disk layout of ext2/3/4: byte offsets of the fields this reader uses and
// the feature bits. All fields are little-endian. Source: the kernel's
// Documentation/filesystems/ext4 ("ext4 Data Structures and Algorithms"),
// sections "Super Block", "Block Group Descriptors", "Index Nodes",
// "The Contents of inode.i_block", "Directory Entries", "Extended Attributes".
#pragma once

#include <cstdint>

namespace xb::fs::ext4::layout {

// ---- Superblock: 1024 bytes at byte 1024 of the volume.
inline constexpr std::uint64_t kSuperblockOffset = 1024;
inline constexpr std::uint32_t kSuperblockSize = 1024;
inline constexpr std::uint16_t kMagic = 0xEF53;

namespace sb {
inline constexpr unsigned inodes_count = 0x00;
inline constexpr unsigned blocks_count_lo = 0x04;
inline constexpr unsigned first_data_block = 0x14;
inline constexpr unsigned log_block_size = 0x18;
inline constexpr unsigned blocks_per_group = 0x20;
inline constexpr unsigned inodes_per_group = 0x28;
inline constexpr unsigned magic = 0x38;
inline constexpr unsigned rev_level = 0x4C;
inline constexpr unsigned inode_size = 0x58;
inline constexpr unsigned feature_compat = 0x5C;
inline constexpr unsigned feature_incompat = 0x60;
inline constexpr unsigned feature_ro_compat = 0x64;
inline constexpr unsigned uuid = 0x68;         // 16 bytes
inline constexpr unsigned volume_name = 0x78;  // 16 bytes, NUL-padded
inline constexpr unsigned desc_size = 0xFE;
inline constexpr unsigned first_meta_bg = 0x104;
inline constexpr unsigned blocks_count_hi = 0x150;
inline constexpr unsigned backup_bgs = 0x24C;  // two u32 (sparse_super2)
}  // namespace sb

// compat: nothing here changes how files are read; these two change where
// superblock backups (and so meta_bg descriptor blocks) lie.
inline constexpr std::uint32_t kCompatHasJournal = 0x4;
inline constexpr std::uint32_t kCompatSparseSuper2 = 0x200;

inline constexpr std::uint32_t kIncompatCompression = 0x1;
inline constexpr std::uint32_t kIncompatFiletype = 0x2;
inline constexpr std::uint32_t kIncompatRecover = 0x4;  // needs_recovery
inline constexpr std::uint32_t kIncompatJournalDev = 0x8;
inline constexpr std::uint32_t kIncompatMetaBg = 0x10;
inline constexpr std::uint32_t kIncompatExtents = 0x40;
inline constexpr std::uint32_t kIncompat64bit = 0x80;
inline constexpr std::uint32_t kIncompatMmp = 0x100;
inline constexpr std::uint32_t kIncompatFlexBg = 0x200;
inline constexpr std::uint32_t kIncompatEaInode = 0x400;
inline constexpr std::uint32_t kIncompatDirdata = 0x1000;
inline constexpr std::uint32_t kIncompatCsumSeed = 0x2000;
inline constexpr std::uint32_t kIncompatLargedir = 0x4000;
inline constexpr std::uint32_t kIncompatInlineData = 0x8000;
inline constexpr std::uint32_t kIncompatEncrypt = 0x10000;
inline constexpr std::uint32_t kIncompatCasefold = 0x20000;

inline constexpr std::uint32_t kRoCompatSparseSuper = 0x1;
inline constexpr std::uint32_t kRoCompatLargeFile = 0x2;
inline constexpr std::uint32_t kRoCompatBtreeDir = 0x4;

// ---- Group descriptor: 32 bytes, or desc_size (>= 64) with the 64bit feature.
namespace gd {
inline constexpr unsigned inode_table_lo = 0x08;
inline constexpr unsigned inode_table_hi = 0x28;
inline constexpr std::uint32_t kSize32 = 32;
inline constexpr std::uint32_t kMinSize64 = 64;
}  // namespace gd

// ---- Inode.
namespace inode {
inline constexpr unsigned mode = 0x00;
inline constexpr unsigned size_lo = 0x04;
inline constexpr unsigned flags = 0x20;
inline constexpr unsigned block = 0x28;  // i_block: 15 u32 = 60 bytes
inline constexpr unsigned size_high = 0x6C;
inline constexpr unsigned extra_isize = 0x80;
inline constexpr unsigned kGoodOldSize = 128;
inline constexpr unsigned kBlockBytes = 60;
inline constexpr unsigned kDirectBlocks = 12;
inline constexpr unsigned kIndirect = 12, kDoubleIndirect = 13, kTripleIndirect = 14;
}  // namespace inode

inline constexpr std::uint16_t kModeTypeMask = 0xF000;
inline constexpr std::uint16_t kModeRegular = 0x8000;
inline constexpr std::uint16_t kModeDirectory = 0x4000;
inline constexpr std::uint16_t kModeSymlink = 0xA000;

inline constexpr std::uint32_t kFlagEncrypt = 0x800;
inline constexpr std::uint32_t kFlagExtents = 0x80000;
inline constexpr std::uint32_t kFlagInlineData = 0x10000000;

inline constexpr std::uint32_t kRootInode = 2;

// ---- Extent tree (in i_block and in tree blocks): a 12-byte header, then
// 12-byte entries (index entries above the leaves, extents in the leaves).
namespace extent {
inline constexpr std::uint16_t kMagic = 0xF30A;
inline constexpr unsigned kHeaderSize = 12;
inline constexpr unsigned kEntrySize = 12;
// header
inline constexpr unsigned magic = 0, entries = 2, max = 4, depth = 6;
// index entry
inline constexpr unsigned idx_block = 0, idx_leaf_lo = 4, idx_leaf_hi = 8;
// leaf entry
inline constexpr unsigned ee_block = 0, ee_len = 4, ee_start_hi = 6, ee_start_lo = 8;
// ee_len above this is an uninitialized extent of (ee_len - 32768) blocks.
inline constexpr std::uint16_t kMaxInitLen = 32768;
// The kernel never builds a tree deeper than 5 (ext4_extents.h EXT4_MAX_EXTENT_DEPTH).
inline constexpr unsigned kMaxDepth = 5;
}  // namespace extent

// ---- Directory entry: inode u32, rec_len u16, name_len u8, file_type u8
// (name_len u16 without the filetype feature), then the name.
namespace dirent {
inline constexpr unsigned kHeaderSize = 8;
inline constexpr std::uint8_t kTypeRegular = 1;
inline constexpr std::uint8_t kTypeDirectory = 2;
inline constexpr std::uint8_t kTypeSymlink = 7;
}  // namespace dirent

// ---- Extended attributes in the inode body (after 128 + i_extra_isize).
namespace xattr {
inline constexpr std::uint32_t kMagic = 0xEA020000;
inline constexpr unsigned name_len = 0, name_index = 1, value_offs = 2, value_inum = 4, value_size = 8;
inline constexpr unsigned kEntryHeader = 16;
inline constexpr std::uint8_t kIndexSystem = 7;  // "system." prefix; inline data is system.data
}  // namespace xattr

}  // namespace xb::fs::ext4::layout
