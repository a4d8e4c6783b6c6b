// Reads the entries of one directory (FAT specification sections 6 and 7):
// 32-byte entries, read a chunk at a time, with VFAT long names assembled from
// the LFN entries before their short entry. Skipped: deleted entries (0xE5),
// volume labels, and LFN entries that do not form a complete sequence whose
// checksum matches the short entry after them (orphans; the short name is
// used then). The first 0x00 entry ends the directory.
//
// Each reader owns its buffers, so a visitor may list or read other
// directories while a listing is in progress.
#pragma once

#include <cstdint>
#include <string_view>

#include "fs/fat/names.h"
#include "fs/fat/volume.h"
#include "fs/filesystem.h"

namespace xb::fs::fat {

// Node ids: the first cluster. 0 is the root directory (the fixed one on
// FAT12/16), as ".." entries of its children say. A directory entry claiming
// no cluster that is not ".." gets kNoCluster, which every use rejects.
inline constexpr std::uint64_t kRootId = 0;
inline constexpr std::uint64_t kNoCluster = 0xffffffff;

struct DirItem {
    std::string_view long_name;   // empty when there is none
    std::string_view short_name;  // as format_short_name shows it
    Node node;
    std::string_view name() const { return long_name.empty() ? short_name : long_name; }
};

class DirReader {
  public:
    // The FAT specification's limit (section 6): at most 65536 entries.
    static constexpr std::uint32_t kMaxEntries = 65536;
    static constexpr std::uint32_t kChunkBytes = 4096;

    // `dir_id`: a directory Node's id.
    DirReader(Volume& vol, std::uint64_t dir_id) : vol_(vol), dir_id_(dir_id) {}

    // The next entry into `out` (valid until the next call); false at the end.
    Result<bool> next(DirItem& out);

    // The first volume-label entry passed so far, as GRUB's fs_label reads it
    // (grub-core/fs/fat.c: attributes volume id, optionally archive; the 11
    // name bytes up to a NUL, trailing spaces dropped, bytes as stored).
    bool has_volume_label() const { return have_label_; }
    std::string_view volume_label() const { return std::string_view(label_, label_len_); }

  private:
    Status start();
    Result<bool> load_chunk();
    // Handles one raw entry; true if it completed an item.
    bool take(const std::uint8_t* e, DirItem& out);
    void take_label(const std::uint8_t* e);

    Volume& vol_;
    std::uint64_t dir_id_;
    bool started_ = false;
    bool ended_ = false;
    bool fixed_root_ = false;
    ChainWalker walker_{vol_.fat, vol_.geo, kFirstCluster};
    std::uint64_t offset_ = 0;  // fixed root: bytes into it; else bytes into the cluster
    std::uint32_t chunk_length_ = 0;
    std::uint32_t chunk_pos_ = 0;
    std::uint32_t entries_ = 0;

    // The long name being assembled (section 7): entries come in descending
    // order, the first carrying bit 0x40 and the count.
    bool lfn_active_ = false;
    std::uint8_t lfn_total_ = 0;
    std::uint8_t lfn_pending_ = 0;  // entries still to come
    std::uint8_t lfn_checksum_ = 0;
    std::uint8_t lfn_units_[20 * 13 * 2] = {};

    bool have_label_ = false;
    std::uint8_t label_len_ = 0;
    char label_[11] = {};

    char long_[20 * 13 * 3 + 1] = {};
    char short_[kShortNameMax] = {};
    alignas(16) std::uint8_t chunk_[kChunkBytes] = {};
};

}  // namespace xb::fs::fat
