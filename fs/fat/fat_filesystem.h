// The Filesystem over a FAT volume: path lookup (case-insensitive, long or
// short names), listing, and file reads that turn runs of consecutive
// clusters into single device reads straight into the caller's buffer.
#pragma once

#include "fs/fat/dir_reader.h"
#include "fs/fat/volume.h"
#include "fs/filesystem.h"

namespace xb::fs::fat {

class FatFilesystem final : public Filesystem {
  public:
    FatFilesystem(BlockDevice& dev, const Geometry& geometry);

    const char* type_name() const override { return "fat"; }
    const char* warning() const override {
        return vol_.geo.fat32_below_minimum ? "FAT32 with fewer than 65525 clusters (FAT16-sized): read as FAT32" : "";
    }
    // The serial as GRUB's fs_uuid prints it ("%04x-%04x", upper-cased).
    std::string_view uuid() const override { return uuid_; }
    // Read from the root directory on first use (an unreadable one: no label).
    std::string_view label() const override;
    Result<Node> lookup(std::string_view path) override;
    Status list(const Node& dir, DirVisitor& visitor) override;
    Result<std::uint64_t> read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) override;

    const Geometry& geometry() const { return vol_.geo; }

  private:
    // Finds `name` in directory `dir`; not_found (naming path[0..end)) if absent.
    Result<Node> find(const Node& dir, std::string_view name, std::string_view path, std::size_t end);
    // A walker positioned at cluster number `index` of the file chain from `first`.
    Result<ChainWalker> seek(std::uint32_t first, std::uint64_t index, std::uint64_t size);

    // Mutable only so that label(), a const query, can read the root
    // directory once on first use instead of at every mount.
    mutable Volume vol_;
    char uuid_[10] = {};
    mutable bool label_read_ = false;
    mutable std::uint8_t label_len_ = 0;
    mutable char label_[11] = {};
    // Where the last read ended, so that reading a file in pieces walks its
    // chain once, not once per piece.
    bool have_cursor_ = false;
    ChainWalker cursor_{vol_.fat, vol_.geo, kFirstCluster};
};

}  // namespace xb::fs::fat
