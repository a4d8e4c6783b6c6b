// Byte and block access to an XFS volume: reads at any byte offset (the
// aligned middle straight into the caller's buffer, only partial first and
// last device blocks through a one-block bounce buffer), and a small LRU
// cache of filesystem blocks for metadata (inode clusters, bmbt blocks,
// remote symlink blocks). Memory is bounded: kCacheBlocks filesystem blocks
// plus one device block, all on the heap. Block numbers here are linear
// (see superblock.h), checked against the data section's size.
#pragma once

#include <cstdint>

#include "fs/xfs/superblock.h"
#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs::xfs {

class Volume {
  public:
    static constexpr unsigned kCacheBlocks = 8;

    // Allocates the buffers; no_memory if the heap cannot hold them.
    static Result<Volume*> create(BlockDevice& dev, const Superblock& sb);
    ~Volume();
    Volume(const Volume&) = delete;
    Volume& operator=(const Volume&) = delete;

    const Superblock& sb() const { return sb_; }
    std::uint32_t block_size() const { return sb_.block_size; }

    // Reads `count` whole filesystem blocks from linear block `block` into
    // dst (bad_data naming `what` if they leave the filesystem).
    Status read_blocks(std::uint64_t block, std::uint64_t count, std::uint8_t* dst, const char* what);

    // Reads `len` bytes at byte `offset` of the volume into dst. The caller
    // checked that the range lies inside the filesystem.
    Status read_bytes(std::uint64_t offset, std::uint64_t len, std::uint8_t* dst);

    // Linear block `block` through the cache. The pointer stays valid until
    // the next call.
    Result<const std::uint8_t*> metadata_block(std::uint64_t block, const char* what);

  private:
    Volume(BlockDevice& dev, const Superblock& sb) : dev_(dev), sb_(sb) {}

    struct CacheEntry {
        std::uint64_t block = 0;
        std::uint64_t last_use = 0;
        bool valid = false;
        std::uint8_t* data = nullptr;
    };

    BlockDevice& dev_;
    Superblock sb_;
    std::uint8_t* bounce_ = nullptr;  // one device block
    CacheEntry cache_[kCacheBlocks];
    std::uint64_t clock_ = 0;
};

}  // namespace xb::fs::xfs
