// The File Allocation Table: cluster chains (FAT specification section 4).
// Entries are read through a small cache of FAT windows (kWindows x
// kWindowBytes, held in this object, so on the heap with the filesystem): a
// whole FAT of a small volume fits, and walking a long chain of a large one
// costs one device read per window, not one per cluster.
#pragma once

#include <cstdint>

#include "fs/fat/boot_sector.h"
#include "fs/fat/volume_reader.h"

namespace xb::fs::fat {

class FatTable {
  public:
    // What next() returns at the end of a chain.
    static constexpr std::uint32_t kEndOfChain = 0xffffffff;
    static constexpr unsigned kWindows = 4;
    static constexpr std::uint32_t kWindowBytes =
        64 * 1024;  // 16384 FAT32 entries: 8 MiB of a 512-byte-cluster file per read

    FatTable(VolumeReader& reader, const Geometry& geometry) : reader_(reader), geo_(geometry) {}

    // The cluster after `cluster` (which must be valid), or kEndOfChain.
    // bad_data, naming the cluster, when its entry is free, reserved, marked
    // bad, or points outside 2..last_cluster.
    Result<std::uint32_t> next(std::uint32_t cluster);

    // The raw entry (12, 16 or 28 bits) of a valid cluster number.
    Result<std::uint32_t> entry(std::uint32_t cluster);

  private:
    struct Window {
        std::uint64_t start = ~std::uint64_t{0};  // byte offset in the FAT; ~0: empty
        std::uint64_t last_use = 0;
        alignas(16) std::uint8_t bytes[kWindowBytes];
    };
    // The cached bytes from `offset` to the end of its window (read on a miss).
    Result<const std::uint8_t*> window_for(std::uint64_t offset);
    Result<std::uint8_t> byte_at(std::uint64_t offset);

    VolumeReader& reader_;
    const Geometry& geo_;
    Window windows_[kWindows];
    std::uint64_t uses_ = 0;
    Window* last_ = nullptr;  // the window of the last lookup
};

// Follows a cluster chain from its first cluster, checking every step: a chain
// with more clusters than the volume, or one that comes back to a cluster
// (Brent's cycle detection, so no memory per cluster), is bad_data naming the
// cluster. Copyable: a saved walker resumes where it was.
class ChainWalker {
  public:
    // `first` must be a valid cluster (see Geometry::valid_cluster).
    ChainWalker(FatTable& fat, const Geometry& geometry, std::uint32_t first)
        : fat_(&fat), geo_(&geometry), first_(first), cluster_(first), tortoise_(first) {}

    std::uint32_t first() const { return first_; }
    std::uint32_t cluster() const { return cluster_; }
    std::uint64_t index() const { return index_; }  // position of cluster() in the chain, 0 = first

    // Moves to the next cluster; false (unchanged) at the end of the chain.
    Result<bool> advance();

  private:
    FatTable* fat_;
    const Geometry* geo_;
    std::uint32_t first_;
    std::uint32_t cluster_;
    std::uint32_t tortoise_;
    std::uint64_t index_ = 0;
    std::uint64_t power_ = 1;
    std::uint64_t steps_ = 0;
};

}  // namespace xb::fs::fat
