// File data of a btrfs inode: its EXTENT_DATA items (Linux
// btrfs_file_extent_item) turned into bytes. Inline extents, regular extents
// (disk_bytenr 0: a hole), prealloc extents (zeros), gaps without items
// (no-holes) and compression 1 zlib, 2 lzo, 3 zstd on inline and regular
// extents. Uncompressed regular extents that are contiguous on disk become
// one device read straight into the caller's buffer. Compressed extents (at
// most 128 KiB each on disk) are read through a read-ahead window (4 MiB, or
// 1 MiB when the heap has no 4 MiB block, or none without 1 MiB): the
// extent and what follows it in its chunk come in one device read, since
// btrfs writes a file's compressed extents one after the other, and a
// request that wants a whole extent gets it decompressed straight into the
// caller's buffer; otherwise it is decompressed once into a heap buffer and
// kept for the next read (sequential reads of a file).
#pragma once

#include <cstdint>
#include <span>

#include "compress/zstd_frame.h"
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
    Status decompress(std::uint8_t method, std::span<const std::uint8_t> in, std::uint8_t* out,
                      std::uint64_t ram_bytes);
    Result<const std::uint8_t*> packed(const Extent& e);
    Status allocate();

    // 4 MiB: in the lab, loading a zstd file then runs at 0.74x of a raw read
    // of its compressed bytes plus their decompression, 0.62x with 1 MiB and
    // 0.32x with no window (tests/system/bench_fs.py).
    static constexpr std::uint64_t kWindow = 4ULL << 20;
    static constexpr std::uint64_t kSmallWindow = 1ULL << 20;

    Volume& vol_;
    compress::ZstdFrameDecoder zstd_;   // one decoder for every zstd extent of the file system
    std::uint8_t* packed_ = nullptr;    // one compressed extent as stored (no window)
    std::uint8_t* unpacked_ = nullptr;  // its decompressed bytes
    std::uint8_t* window_ = nullptr;    // window_size_ bytes read ahead from window_logical_
    std::uint64_t window_size_ = 0;
    std::uint64_t window_logical_ = 0;
    std::uint64_t window_len_ = 0;  // 0: empty
    // What unpacked_ holds: the regular extent at disk_bytenr (0: nothing).
    std::uint64_t cached_bytenr_ = 0;
    std::uint64_t cached_disk_bytes_ = 0;
    std::uint64_t cached_ram_bytes_ = 0;
    std::uint8_t cached_method_ = 0;
};

}  // namespace xb::fs::btrfs
