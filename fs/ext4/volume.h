// Byte and block access to an ext2/3/4 volume: reads at any byte offset
// (the aligned middle straight into the caller's buffer, only the partial
// first and last device blocks through a one-block bounce buffer), and a small
// LRU cache of filesystem blocks for metadata (group descriptors, inode table
// blocks, extent tree and indirect blocks). Memory is bounded: kCacheBlocks
// filesystem blocks plus one device block, all on the heap.
#pragma once

#include <cstdint>

#include "fs/ext4/superblock.h"
#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs::ext4 {

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

    // Reads `len` bytes at byte `offset` of the volume into dst. The caller
    // checked that the range lies inside the filesystem.
    Status read_bytes(std::uint64_t offset, std::uint64_t len, std::uint8_t* dst);

    // Filesystem block `block` (< blocks_count, else bad_data naming `what`)
    // through the cache. The pointer stays valid until the next call.
    Result<const std::uint8_t*> metadata_block(std::uint64_t block, const char* what);

    // True if [first, first + count) lies inside the filesystem.
    bool blocks_inside(std::uint64_t first, std::uint64_t count) const {
        return first < sb_.blocks_count && count <= sb_.blocks_count - first;
    }

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

}  // namespace xb::fs::ext4
