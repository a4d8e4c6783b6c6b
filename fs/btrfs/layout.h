// btrfs on-disk layout: offsets and constants from Linux's
// include/uapi/linux/btrfs_tree.h (struct btrfs_super_block, btrfs_header,
// btrfs_item, btrfs_key_ptr, btrfs_chunk, btrfs_root_item, btrfs_inode_item,
// btrfs_dir_item, btrfs_file_extent_item) and Documentation/filesystems
// (btrfs-dev-docs "On-disk format"). All integers are little-endian.
#pragma once

#include <cstdint>

namespace xb::fs::btrfs::layout {

// ---- Superblock (4 KiB; copies at 64 KiB, 64 MiB, 256 GiB).
inline constexpr std::uint64_t kSuperOffsets[] = {64ULL << 10, 64ULL << 20, 256ULL << 30};
inline constexpr std::uint32_t kSuperSize = 4096;
inline constexpr std::uint64_t kMagic = 0x4d5f53665248425fULL;  // "_BHRfS_M"
inline constexpr std::uint32_t kCsumSize = 32;                  // csum field of the superblock and node headers
inline constexpr std::uint32_t kSbFsid = 0x20;
inline constexpr std::uint32_t kSbBytenr = 0x30;
inline constexpr std::uint32_t kSbMagic = 0x40;
inline constexpr std::uint32_t kSbGeneration = 0x48;
inline constexpr std::uint32_t kSbRoot = 0x50;
inline constexpr std::uint32_t kSbChunkRoot = 0x58;
inline constexpr std::uint32_t kSbTotalBytes = 0x70;
inline constexpr std::uint32_t kSbNumDevices = 0x88;
inline constexpr std::uint32_t kSbSectorSize = 0x90;
inline constexpr std::uint32_t kSbNodeSize = 0x94;
inline constexpr std::uint32_t kSbSysChunkArraySize = 0xa0;
inline constexpr std::uint32_t kSbIncompat = 0xbc;
inline constexpr std::uint32_t kSbCsumType = 0xc4;
inline constexpr std::uint32_t kSbRootLevel = 0xc6;
inline constexpr std::uint32_t kSbChunkRootLevel = 0xc7;
inline constexpr std::uint32_t kSbDevItemDevid = 0xc9;  // dev_item.devid
inline constexpr std::uint32_t kSbLabel = 0x12b;
inline constexpr std::uint32_t kLabelSize = 256;
inline constexpr std::uint32_t kSbMetadataUuid = 0x23b;
inline constexpr std::uint32_t kSbSysChunkArray = 0x32b;
inline constexpr std::uint32_t kSysChunkArrayMax = 2048;

inline constexpr std::uint16_t kCsumCrc32c = 0;
inline constexpr std::uint64_t kIncompatMetadataUuid = 1ULL << 10;

// ---- Tree nodes: a header, then items (leaf) or key pointers (node).
inline constexpr std::uint32_t kHdrFsid = 0x20;
inline constexpr std::uint32_t kHdrBytenr = 0x30;
inline constexpr std::uint32_t kHdrNritems = 0x60;
inline constexpr std::uint32_t kHdrLevel = 0x64;
inline constexpr std::uint32_t kHeaderSize = 0x65;  // 101
inline constexpr std::uint32_t kKeySize = 17;       // objectid u64, type u8, offset u64
inline constexpr std::uint32_t kItemSize = 25;      // key, data offset u32 (from the header's end), size u32
inline constexpr std::uint32_t kKeyPtrSize = 33;    // key, blockptr u64, generation u64
inline constexpr unsigned kMaxLevel = 8;            // BTRFS_MAX_LEVEL: levels 0..7

// ---- Key types.
inline constexpr std::uint8_t kInodeItem = 1;
inline constexpr std::uint8_t kInodeRef = 12;  // (inode, kInodeRef, parent dir): index u64, name_len u16, name
inline constexpr std::uint8_t kDirItem = 84;
inline constexpr std::uint8_t kDirIndex = 96;
inline constexpr std::uint8_t kExtentData = 108;
inline constexpr std::uint8_t kRootItem = 132;
inline constexpr std::uint8_t kRootBackref =
    144;  // (subvol, kRootBackref, parent subvol): dirid, sequence, name_len, name
inline constexpr std::uint8_t kChunkItem = 228;

// ---- Object ids.
inline constexpr std::uint64_t kFsTree = 5;                                // the top-level subvolume
inline constexpr std::uint64_t kRootTreeDir = 6;                           // holds the "default" DIR_ITEM
inline constexpr std::uint64_t kFirstChunkTree = 256;                      // objectid of every CHUNK_ITEM
inline constexpr std::uint64_t kFirstFreeObjectid = 256;                   // a subvolume's root directory inode
inline constexpr std::uint64_t kLastFreeObjectid = 0xffffffffffffff00ULL;  // -256

// ---- Chunk item (key: kFirstChunkTree, kChunkItem, logical start).
inline constexpr std::uint32_t kChunkLength = 0;
inline constexpr std::uint32_t kChunkType = 24;
inline constexpr std::uint32_t kChunkNumStripes = 44;
inline constexpr std::uint32_t kChunkStripes = 48;  // then num_stripes x 32 bytes
inline constexpr std::uint32_t kStripeSize = 32;    // devid u64, offset u64, dev_uuid[16]
inline constexpr std::uint64_t kBgRaid0 = 1ULL << 3;
inline constexpr std::uint64_t kBgRaid1 = 1ULL << 4;
inline constexpr std::uint64_t kBgDup = 1ULL << 5;
inline constexpr std::uint64_t kBgRaid10 = 1ULL << 6;
inline constexpr std::uint64_t kBgRaid5 = 1ULL << 7;
inline constexpr std::uint64_t kBgRaid6 = 1ULL << 8;
inline constexpr std::uint64_t kBgRaid1c3 = 1ULL << 9;
inline constexpr std::uint64_t kBgRaid1c4 = 1ULL << 10;

// ---- Root item (in the root tree, key: tree id, kRootItem, 0 or a transid).
inline constexpr std::uint32_t kRootItemRootDirid = 168;
inline constexpr std::uint32_t kRootItemBytenr = 176;
inline constexpr std::uint32_t kRootItemLevel = 238;
inline constexpr std::uint32_t kRootItemMinSize = 239;

// ---- Inode item (160 bytes).
inline constexpr std::uint32_t kInodeSize = 16;
inline constexpr std::uint32_t kInodeMode = 52;
inline constexpr std::uint32_t kInodeItemSize = 160;

// ---- Dir item / dir index: location key, transid, data_len u16, name_len u16, type u8, name.
inline constexpr std::uint32_t kDirLocation = 0;
inline constexpr std::uint32_t kDirDataLen = 25;
inline constexpr std::uint32_t kDirNameLen = 27;
inline constexpr std::uint32_t kDirHeaderSize = 30;

// ---- File extent item.
inline constexpr std::uint32_t kFeRamBytes = 8;
inline constexpr std::uint32_t kFeCompression = 16;
inline constexpr std::uint32_t kFeEncryption = 17;
inline constexpr std::uint32_t kFeOtherEncoding = 18;
inline constexpr std::uint32_t kFeType = 20;
inline constexpr std::uint32_t kFeInlineData = 21;
inline constexpr std::uint32_t kFeDiskBytenr = 21;
inline constexpr std::uint32_t kFeDiskNumBytes = 29;
inline constexpr std::uint32_t kFeOffset = 37;
inline constexpr std::uint32_t kFeNumBytes = 45;
inline constexpr std::uint32_t kFeRegularSize = 53;
inline constexpr std::uint8_t kExtentInline = 0;
inline constexpr std::uint8_t kExtentRegular = 1;
inline constexpr std::uint8_t kExtentPrealloc = 2;
inline constexpr std::uint8_t kCompressNone = 0;
inline constexpr std::uint8_t kCompressZlib = 1;
inline constexpr std::uint8_t kCompressLzo = 2;
inline constexpr std::uint8_t kCompressZstd = 3;
// The kernel's BTRFS_MAX_COMPRESSED / BTRFS_MAX_UNCOMPRESSED: 128 KiB each.
inline constexpr std::uint64_t kMaxCompressed = 128ULL << 10;

}  // namespace xb::fs::btrfs::layout
