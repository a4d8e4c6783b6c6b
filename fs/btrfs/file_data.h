// File data of a btrfs inode: its EXTENT_DATA items (Linux
// btrfs_file_extent_item) turned into bytes. Inline extents, regular extents
// (disk_bytenr 0: a hole), prealloc extents (zeros), gaps without items
// (no-holes) and compression 1 zlib, 2 lzo, 3 zstd on inline and regular
// extents. Uncompressed regular extents that are contiguous on disk become
// one device read straight into the caller's buffer; a compressed extent is
// read whole (at most 128 KiB) into a heap buffer and decompressed once, the
// result kept for the next read (sequential reads of a file).
#pragma once

#include <cstdint>
#include <span>

#include "fs/btrfs/volume.h"
#include "lib/result.h"

namespace xb::fs::btrfs {

class FileData {
  public:
    explicit FileData(Volume& vol) : vol_(vol) {}
    ~FileData();
    FileData(const FileData&) = delete;
    FileData& operator=(const FileData&) = delete;

    // Reads up to buf.size() bytes of inode `ino` (tree `tree`, i_size `size`)
    // from `offset`; returns the count (short only at the end of the file).
    Result<std::uint64_t> read(const TreeRoot& tree, std::uint64_t ino, std::uint64_t size, std::uint64_t offset,
                               std::span<std::uint8_t> buf);

  private:
    struct Extent;
    Status copy_compressed(const Extent& e, std::uint64_t from, std::uint64_t n, std::uint8_t* dst);
    Status decompress(std::uint8_t method, std::span<const std::uint8_t> in, std::uint64_t ram_bytes);
    Status allocate();

    Volume& vol_;
    std::uint8_t* packed_ = nullptr;    // one compressed extent as stored
    std::uint8_t* unpacked_ = nullptr;  // its decompressed bytes
    // What unpacked_ holds: the regular extent at disk_bytenr (0: nothing).
    std::uint64_t cached_bytenr_ = 0;
    std::uint64_t cached_disk_bytes_ = 0;
    std::uint64_t cached_ram_bytes_ = 0;
    std::uint8_t cached_method_ = 0;
};

}  // namespace xb::fs::btrfs
