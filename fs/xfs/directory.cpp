#include "fs/xfs/directory.h"

#include <cstring>

#include "fs/xfs/bmap.h"
#include "fs/xfs/layout.h"

namespace xb::fs::xfs {

namespace {

using namespace layout;

bool valid_name(const std::uint8_t* name, std::uint32_t len) {
    return len != 0 && std::memchr(name, '\0', len) == nullptr && std::memchr(name, '/', len) == nullptr;
}

std::string_view as_name(const std::uint8_t* p, std::uint32_t len) {
    return std::string_view(reinterpret_cast<const char*>(p), len);
}

// xfs_dir2_sf_hdr: count, i8count, parent (4 or 8 bytes), then `count`
// entries: namelen, offset (2), name, [ftype], inumber (4 or 8 bytes, unaligned).
Status walk_short_form(const Superblock& sb, const Inode& dir, EntryVisitor& visitor) {
    const std::uint8_t* p = dir.fork;
    const std::uint64_t len = dir.size;  // read_inode checked size <= fork_size
    const std::uint32_t ino_size = len >= 2 && p[1] != 0 ? 8 : 4;
    if (len < 2 + ino_size) {
        return Error::make(Errc::bad_data, "xfs: inode %lu: short-form directory of %lu bytes", dir.number, len);
    }
    const std::uint32_t count = p[0];
    const std::uint64_t parent = ino_size == 8 ? be64(p + 2) : be32(p + 2);
    if (!TRY(visitor.entry(dir.number, "."))) return ok();
    if (!TRY(visitor.entry(parent, ".."))) return ok();
    std::uint64_t pos = 2 + ino_size;
    const std::uint32_t extra = sb.ftype ? 1 : 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t namelen = pos < len ? p[pos] : 0;
        const std::uint64_t entry_size = 3 + std::uint64_t{namelen} + extra + ino_size;
        if (pos >= len || entry_size > len - pos || !valid_name(p + pos + 3, namelen)) {
            return Error::make(Errc::bad_data, "xfs: inode %lu: short-form directory entry %u is damaged", dir.number,
                               i);
        }
        const std::uint8_t* num = p + pos + 3 + namelen + extra;
        const std::uint64_t ino = ino_size == 8 ? be64(num) : be32(num);
        if (!TRY(visitor.entry(ino, as_name(p + pos + 3, namelen)))) return ok();
        pos += entry_size;
    }
    return ok();
}

// The entries of one data block ("XD2B"/"XDB3" of a block directory, with
// its leaf and tail at the end, or "XD2D"/"XDD3" of a leaf/node directory).
// `block` is the linear block of its start, for messages. Returns false when
// the visitor stopped.
Result<bool> walk_data_block(const Superblock& sb, const Inode& dir, const std::uint8_t* b, std::uint64_t block,
                             EntryVisitor& visitor) {
    const std::uint32_t size = sb.dir_block_size;
    const std::uint32_t magic = be32(b + dir::magic);
    const bool single = magic == (sb.crc ? kDirBlockMagicV5 : kDirBlockMagicV4);
    if (!single && magic != (sb.crc ? kDirDataMagicV5 : kDirDataMagicV4)) {
        return Error::make(Errc::bad_data, "xfs: block %lu (dir data of inode %lu): bad magic 0x%x", block, dir.number,
                           magic);
    }
    if (sb.crc) {
        if (!crc_matches(b, size, dir::crc)) {
            return Error::make(Errc::bad_data, "xfs: block %lu (dir data of inode %lu): CRC mismatch", block,
                               dir.number);
        }
        if (be64(b + dir::owner) != dir.number) {
            return Error::make(Errc::bad_data, "xfs: block %lu (dir data of inode %lu): owned by inode %lu", block,
                               dir.number, be64(b + dir::owner));
        }
    }
    const std::uint32_t header = sb.crc ? dir::kHeaderV5 : dir::kHeaderV4;
    std::uint64_t end = size;
    if (single) {
        // The block's tail: the leaf entry count, the leaf entries before it.
        const std::uint64_t leaf = std::uint64_t{be32(b + size - dir::kBlockTail)} * dir::kLeafEntry;
        if (leaf > size - dir::kBlockTail - header) {
            return Error::make(Errc::bad_data, "xfs: block %lu (dir data of inode %lu): %lu bytes of leaf entries",
                               block, dir.number, leaf);
        }
        end = size - dir::kBlockTail - leaf;
    }
    const std::uint32_t extra = sb.ftype ? 1 : 0;
    std::uint64_t pos = header;
    while (pos < end) {
        if (end - pos < 8) {
            return Error::make(Errc::bad_data, "xfs: block %lu (dir data of inode %lu): entry at %lu is cut off", block,
                               dir.number, pos);
        }
        if (be16(b + pos) == dir::kFreeTag) {
            // xfs_dir2_data_unused: freetag, length (a multiple of 8), ..., tag.
            const std::uint32_t length = be16(b + pos + 2);
            if (length < 8 || length % 8 != 0 || length > end - pos) {
                return Error::make(Errc::bad_data,
                                   "xfs: block %lu (dir data of inode %lu): free space of %u bytes at %lu", block,
                                   dir.number, length, pos);
            }
            pos += length;
            continue;
        }
        // xfs_dir2_data_entry: inumber (8), namelen, name, [ftype], tag (2), padded to 8.
        const std::uint32_t namelen = end - pos > 8 ? b[pos + 8] : 0;
        const std::uint64_t entry_size = (8 + 1 + std::uint64_t{namelen} + extra + 2 + 7) / 8 * 8;
        if (entry_size > end - pos || !valid_name(b + pos + 9, namelen)) {
            return Error::make(Errc::bad_data, "xfs: block %lu (dir data of inode %lu): damaged entry at %lu", block,
                               dir.number, pos);
        }
        if (!TRY(visitor.entry(be64(b + pos), as_name(b + pos + 9, namelen)))) return false;
        pos += entry_size;
    }
    return true;
}

// Reads directory block `first` (logical, in filesystem blocks) into buf; it
// may span several extents. Returns its first linear block.
Result<std::uint64_t> read_dir_block(Volume& vol, const Inode& dir, std::uint64_t first, std::uint8_t* buf) {
    const std::uint32_t per = vol.sb().dir_block_size / vol.block_size();
    std::uint64_t start = 0;
    for (std::uint32_t done = 0; done < per;) {
        const Run run = TRY(map_blocks(vol, dir, first + done, per - done));
        if (!run.mapped) {
            return Error::make(Errc::bad_data, "xfs: inode %lu: directory block at logical %lu has a hole", dir.number,
                               first);
        }
        if (done == 0) start = run.physical;
        TRY(vol.read_blocks(run.physical, run.count, buf + std::uint64_t{done} * vol.block_size(),
                            "a directory block"));
        done += static_cast<std::uint32_t>(run.count);
    }
    return start;
}

}  // namespace

Status walk_directory(Volume& vol, const Inode& dir, std::uint8_t* buf, EntryVisitor& visitor) {
    const Superblock& sb = vol.sb();
    if (dir.format == kFormatLocal) return walk_short_form(sb, dir, visitor);
    const std::uint64_t per = sb.dir_block_size / sb.block_size;
    const std::uint64_t leaf_start = dir::kLeafOffset >> sb.block_log;
    std::uint64_t logical = 0;
    // Each turn either skips a hole (one map call per hole or unwritten
    // extent) or reads one directory block, so the walk ends.
    while (logical < leaf_start) {
        const Run run = TRY(map_blocks(vol, dir, logical, leaf_start - logical));
        if (!run.mapped) {
            logical += run.count;
            logical = (logical + per - 1) / per * per;
            continue;
        }
        const std::uint64_t first = logical / per * per;
        const std::uint64_t block = TRY(read_dir_block(vol, dir, first, buf));
        if (!TRY(walk_data_block(sb, dir, buf, block, visitor))) return ok();
        logical = first + per;
    }
    return ok();
}

}  // namespace xb::fs::xfs
