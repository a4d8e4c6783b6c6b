#include "fs/fat/dir_reader.h"

#include "lib/endian.h"
#include "fs/utf16.h"

namespace xb::fs::fat {
namespace {

constexpr std::uint32_t kEntryBytes = 32;
constexpr std::uint8_t kAttrVolumeId = 0x08;
constexpr std::uint8_t kAttrDirectory = 0x10;
constexpr std::uint8_t kAttrArchive = 0x20;
constexpr std::uint8_t kAttrLongName = 0x0f;  // read-only|hidden|system|volume id
constexpr std::uint8_t kAttrLongNameMask = 0x3f;
constexpr std::uint8_t kLastLongEntry = 0x40;
constexpr std::uint8_t kMaxLongEntries = 20;  // 20 x 13 = 260 >= 255 characters
constexpr std::uint8_t kDeleted = 0xe5;
// Where the 13 UCS-2 characters of an LFN entry are (section 7).
constexpr std::uint8_t kLfnCharOffsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

bool is_dotdot(const std::uint8_t* e) {
    static constexpr char kDotDot[11] = {'.', '.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    for (int i = 0; i < 11; ++i) {
        if (e[i] != static_cast<std::uint8_t>(kDotDot[i])) return false;
    }
    return true;
}

}  // namespace

Status DirReader::start() {
    started_ = true;
    const Geometry& g = vol_.geo;
    if (dir_id_ == kRootId && g.type != FatType::fat32) {
        fixed_root_ = true;
        return ok();
    }
    const std::uint64_t first = dir_id_ == kRootId ? g.root_cluster : dir_id_;
    if (first > 0xffffffff || !g.valid_cluster(static_cast<std::uint32_t>(first))) {
        if (first == kNoCluster) return Error::make(Errc::bad_data, "a directory entry has no first cluster");
        return Error::make(Errc::bad_data, "directory cluster %lu is outside 2..%u", first, g.last_cluster());
    }
    walker_ = ChainWalker(vol_.fat, g, static_cast<std::uint32_t>(first));
    return ok();
}

Result<bool> DirReader::load_chunk() {
    const Geometry& g = vol_.geo;
    std::uint64_t at = 0;
    if (fixed_root_) {
        const std::uint64_t size = std::uint64_t{g.root_entries} * kEntryBytes;
        if (offset_ >= size) return false;
        const std::uint64_t rest = size - offset_;
        chunk_length_ = static_cast<std::uint32_t>(rest < kChunkBytes ? rest : kChunkBytes);
        at = g.root_offset + offset_;
    } else {
        if (offset_ == g.cluster_bytes) {
            if (!TRY(walker_.advance())) return false;
            offset_ = 0;
        }
        const std::uint64_t rest = g.cluster_bytes - offset_;
        chunk_length_ = static_cast<std::uint32_t>(rest < kChunkBytes ? rest : kChunkBytes);
        at = g.cluster_offset(walker_.cluster()) + offset_;
    }
    if (fixed_root_) {
        TRY(vol_.reader.read(at, chunk_length_, chunk_, "the root directory"));
    } else {
        TRY_CTX(vol_.reader.read(at, chunk_length_, chunk_, "a directory"), "directory cluster %u", walker_.cluster());
    }
    offset_ += chunk_length_;
    chunk_pos_ = 0;
    return true;
}

void DirReader::take_label(const std::uint8_t* e) {
    have_label_ = true;
    std::uint8_t n = 0;
    while (n < sizeof label_ && e[n] != 0) {
        label_[n] = static_cast<char>(e[n]);
        ++n;
    }
    // GRUB's workaround for Japanese names: 0x05 stands for a first byte 0xE5.
    if (n > 0 && e[0] == 0x05) label_[0] = static_cast<char>(0xe5);
    while (n > 0 && label_[n - 1] == ' ') --n;
    label_len_ = n;
}

bool DirReader::take(const std::uint8_t* e, DirItem& out) {
    const std::uint8_t attr = e[11];
    if (e[0] == kDeleted) {
        lfn_active_ = false;
        return false;
    }
    if ((attr & kAttrLongNameMask) == kAttrLongName) {
        const std::uint8_t ord = e[0] & 0x3f;
        const std::uint8_t seq = ord & 0x1f;
        if ((e[0] & kLastLongEntry) != 0) {
            lfn_active_ = seq >= 1 && seq <= kMaxLongEntries && ord == seq;
            lfn_total_ = seq;
            lfn_checksum_ = e[13];
        } else if (!(lfn_active_ && seq == lfn_pending_ && e[13] == lfn_checksum_ && ord == seq)) {
            lfn_active_ = false;  // out of sequence: an orphan, dropped
        }
        if (lfn_active_) {
            std::uint8_t* units = lfn_units_ + (seq - 1) * 13 * 2;
            for (unsigned k = 0; k < 13; ++k) {
                units[2 * k] = e[kLfnCharOffsets[k]];
                units[2 * k + 1] = e[kLfnCharOffsets[k] + 1];
            }
            lfn_pending_ = static_cast<std::uint8_t>(seq - 1);
        }
        return false;
    }
    const bool had_long = lfn_active_ && lfn_pending_ == 0 && short_name_checksum(e) == lfn_checksum_;
    lfn_active_ = false;
    if ((attr & kAttrVolumeId) != 0 && (attr & kAttrDirectory) == 0) {  // the volume label
        if ((attr & ~kAttrArchive) == kAttrVolumeId && !have_label_) take_label(e);
        return false;
    }

    std::size_t long_len = 0;
    if (had_long) long_len = utf16le_to_utf8(lfn_units_, std::size_t{lfn_total_} * 13, long_, sizeof long_);
    const std::size_t short_len = format_short_name(e, e[12], short_);
    out.long_name = std::string_view(long_, long_len);
    out.short_name = std::string_view(short_, short_len);

    std::uint64_t cluster = load_le16(e + 26);
    if (vol_.geo.type == FatType::fat32) cluster |= std::uint64_t{load_le16(e + 20)} << 16;
    out.node.size = load_le32(e + 28);
    if ((attr & kAttrDirectory) != 0) {
        out.node.type = NodeType::directory;
        // ".." of a child of the root names cluster 0 (section 6.7).
        if (cluster == 0) cluster = is_dotdot(e) ? kRootId : kNoCluster;
        if (vol_.geo.type == FatType::fat32 && cluster == vol_.geo.root_cluster) cluster = kRootId;
    } else {
        out.node.type = NodeType::file;
    }
    out.node.id = cluster;
    return true;
}

Result<bool> DirReader::next(DirItem& out) {
    if (!started_) TRY(start());
    while (!ended_) {
        if (chunk_pos_ >= chunk_length_) {
            if (!TRY(load_chunk())) {
                ended_ = true;
                break;
            }
        }
        if (++entries_ > kMaxEntries) {
            if (fixed_root_)
                return Error::make(Errc::bad_data, "the root directory has more than %u entries", kMaxEntries);
            return Error::make(Errc::bad_data, "directory at cluster %u has more than %u entries (at cluster %u)",
                               walker_.first(), kMaxEntries, walker_.cluster());
        }
        const std::uint8_t* e = chunk_ + chunk_pos_;
        chunk_pos_ += kEntryBytes;
        if (e[0] == 0x00) {  // this and every later entry are free (section 6.1)
            ended_ = true;
            break;
        }
        if (take(e, out)) return true;
    }
    return false;
}

}  // namespace xb::fs::fat
