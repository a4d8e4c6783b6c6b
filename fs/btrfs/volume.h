// Byte and node access to a btrfs filesystem: device reads (the aligned
// middle straight into the caller's buffer), logical -> physical mapping
// through the system chunk array and the chunk tree (with a few chunks
// remembered), and a small LRU cache of tree nodes, each checked when read
// (crc32c, bytenr, fsid, level, nritems, item bounds, key order).
#pragma once

#include <cstdint>

#include "fs/btrfs/superblock.h"
#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs::btrfs {

struct Key {
    std::uint64_t objectid = 0;
    std::uint8_t type = 0;
    std::uint64_t offset = 0;
};

int compare(const Key& a, const Key& b);
Key load_key(const std::uint8_t* p);

// A tree: its root node and that node's level.
struct TreeRoot {
    std::uint64_t bytenr = 0;
    std::uint8_t level = 0;
};

class Volume {
  public:
    static constexpr unsigned kCacheNodes = 12;
    static constexpr unsigned kCachedChunks = 4;

    static Result<Volume*> create(BlockDevice& dev, const Superblock& sb);
    ~Volume();
    Volume(const Volume&) = delete;
    Volume& operator=(const Volume&) = delete;

    const Superblock& sb() const { return sb_; }
    std::uint32_t node_size() const { return sb_.node_size; }
    TreeRoot chunk_tree() const { return {sb_.chunk_root, sb_.chunk_root_level}; }

    // The device run that logical `logical` starts: its physical byte and how
    // many bytes stay contiguous (to the end of the chunk). bad_data naming
    // the address when no chunk holds it, unsupported for RAID chunks.
    struct Mapping {
        std::uint64_t physical;
        std::uint64_t contiguous;
        std::uint64_t mirror;  // DUP: the same bytes in the second copy
        bool has_mirror;
    };
    Result<Mapping> map(std::uint64_t logical);

    // Reads `len` bytes at device byte `offset`; bad_data if past the device.
    Status read_physical(std::uint64_t offset, std::uint64_t len, std::uint8_t* dst);
    // Reads `len` bytes at logical `logical` (through as many chunks as it spans).
    Status read_logical(std::uint64_t logical, std::uint64_t len, std::uint8_t* dst);

    // The tree node at `bytenr`, which must have level `level`, checked; the
    // pointer stays valid until the next node() call. In a DUP chunk, a first
    // copy that cannot be read or fails the checks gives way to the second
    // (the first copy's error is returned when both fail).
    Result<const std::uint8_t*> node(std::uint64_t bytenr, std::uint8_t level);

  private:
    Volume(BlockDevice& dev, const Superblock& sb) : dev_(dev), sb_(sb) {}
    Status check_node(const std::uint8_t* n, std::uint64_t bytenr, std::uint8_t level) const;
    const Chunk* find_sys_chunk(std::uint64_t logical) const;

    struct CacheEntry {
        std::uint64_t bytenr = 0;
        std::uint64_t last_use = 0;
        bool valid = false;
        std::uint8_t* data = nullptr;
    };

    BlockDevice& dev_;
    Superblock sb_;
    std::uint64_t device_bytes_ = 0;
    std::uint8_t* bounce_ = nullptr;  // one device block
    CacheEntry cache_[kCacheNodes];
    std::uint64_t clock_ = 0;
    Chunk chunks_[kCachedChunks];
    unsigned next_chunk_ = 0;
    bool in_chunk_lookup_ = false;  // chunk tree nodes are mapped by the system chunks only
};

}  // namespace xb::fs::btrfs
