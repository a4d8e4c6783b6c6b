#include "fs/ext4/directory.h"

#include <cstring>

#include "fs/ext4/block_map.h"
#include "fs/ext4/layout.h"
#include "lib/endian.h"

namespace xb::fs::ext4 {

namespace {

using namespace layout;

constexpr std::uint32_t kInlineDotdotSize = 4;  // i_block starts with the parent's inode number

}  // namespace

Result<bool> walk_entries(const std::uint8_t* data, std::uint32_t len, bool has_filetype, std::uint32_t dir_inode,
                          std::uint64_t where, EntryVisitor& visitor) {
    std::uint32_t at = 0;
    // Every step advances by rec_len >= 8, so the loop ends within len / 8 steps.
    while (at + dirent::kHeaderSize <= len) {
        const std::uint8_t* e = data + at;
        const std::uint32_t ino = load_le32(e);
        std::uint32_t rec_len = load_le16(e + 4);
        // 64 KiB blocks store a whole-block rec_len of 65536 as 0 or 65535 (the kernel's ext4_rec_len_from_disk).
        if (len == 65536 && at == 0 && (rec_len == 0 || rec_len == 65535)) rec_len = 65536;
        const std::uint32_t name_len = has_filetype ? e[6] : load_le16(e + 6);
        if (rec_len < dirent::kHeaderSize || rec_len % 4 != 0 || rec_len > len - at ||
            name_len + dirent::kHeaderSize > rec_len) {
            return Error::make(Errc::bad_data,
                               "ext4: directory inode %u, block %lu, offset %u: bad entry (rec_len %u, name_len %u)",
                               dir_inode, where, at, rec_len, name_len);
        }
        if (ino != 0) {
            const std::string_view name(reinterpret_cast<const char*>(e + dirent::kHeaderSize), name_len);
            if (name.empty() || name.find('\0') != std::string_view::npos || name.find('/') != std::string_view::npos) {
                return Error::make(Errc::bad_data,
                                   "ext4: directory inode %u, block %lu, offset %u: bad name (%u bytes)", dir_inode,
                                   where, at, name_len);
            }
            if (!TRY(visitor.entry(ino, name))) return false;
        }
        at += rec_len;
    }
    return true;
}

Status walk_directory(Volume& vol, const Inode& dir, std::uint8_t* scratch, EntryVisitor& visitor) {
    const Superblock& sb = vol.sb();
    const bool has_filetype = sb.has_incompat(kIncompatFiletype);
    if (dir.has_flag(kFlagInlineData)) {
        if (!TRY(visitor.entry(dir.number, "."))) return ok();
        if (!TRY(visitor.entry(load_le32(dir.block), ".."))) return ok();
        if (!TRY(walk_entries(dir.block + kInlineDotdotSize, inode::kBlockBytes - kInlineDotdotSize, has_filetype,
                              dir.number, 0, visitor))) {
            return ok();
        }
        if (dir.inline_value_size == 0) return ok();
        // Copy the value out: the visitor may read other inodes (and so evict the cached inode block).
        const std::uint8_t* raw = TRY(raw_inode(vol, dir.number));
        std::memcpy(scratch, raw + dir.inline_value_offset, dir.inline_value_size);
        TRY(walk_entries(scratch, dir.inline_value_size, has_filetype, dir.number, 0, visitor));
        return ok();
    }
    const std::uint32_t bs = sb.block_size;
    const std::uint64_t blocks = dir.size / bs + (dir.size % bs != 0 ? 1 : 0);
    std::uint64_t logical = 0;
    // A corrupt tree can map one block many times over; a directory cannot
    // really hold more blocks than the filesystem has, which bounds the walk.
    std::uint64_t mapped = 0;
    while (logical < blocks) {
        const Run run = TRY(map_blocks(vol, dir, logical, blocks - logical));
        if (!run.mapped) {
            logical += run.count;  // a hole: nothing stored there
            continue;
        }
        mapped += run.count;
        if (mapped > sb.blocks_count) {
            return Error::make(Errc::bad_data, "ext4: directory inode %u maps more blocks than the filesystem has",
                               dir.number);
        }
        for (std::uint64_t i = 0; i < run.count; ++i) {
            TRY_CTX(vol.read_bytes((run.physical + i) * bs, bs, scratch), "ext4: directory inode %u", dir.number);
            if (!TRY(walk_entries(scratch, bs, has_filetype, dir.number, run.physical + i, visitor))) return ok();
        }
        logical += run.count;
    }
    return ok();
}

}  // namespace xb::fs::ext4
