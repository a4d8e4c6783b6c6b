#include "fs/ext4/inode.h"

#include <cstring>

#include "fs/ext4/layout.h"
#include "lib/endian.h"

namespace xb::fs::ext4 {

namespace {

using namespace layout;

// The block holding group `group`'s descriptor. Without meta_bg the
// descriptors follow the superblock's block; with meta_bg, groups from
// s_first_meta_bg on are in meta groups (one descriptor block's worth of
// groups), each with its descriptor block in its first group, right after
// that group's superblock backup if it has one.
Result<std::uint64_t> descriptor_block(const Superblock& sb, std::uint32_t group) {
    const std::uint32_t per_block = sb.block_size / sb.desc_size;
    const std::uint32_t index = group / per_block;
    if (!sb.has_incompat(kIncompatMetaBg) || index < sb.first_meta_bg) {
        return std::uint64_t{sb.first_data_block} + 1 + index;
    }
    const std::uint32_t first_group = index * per_block;
    return std::uint64_t{sb.first_data_block} + std::uint64_t{first_group} * sb.blocks_per_group +
           (group_has_superblock(sb, first_group) ? 1 : 0);
}

Result<std::uint64_t> inode_table(Volume& vol, std::uint32_t group) {
    const Superblock& sb = vol.sb();
    const std::uint64_t block = TRY(descriptor_block(sb, group));
    const std::uint8_t* b = TRY(vol.metadata_block(block, "group descriptor"));
    const std::uint8_t* d = b + std::uint64_t{group % (sb.block_size / sb.desc_size)} * sb.desc_size;
    std::uint64_t table = load_le32(d + gd::inode_table_lo);
    if (sb.desc_size >= gd::kMinSize64) table |= std::uint64_t{load_le32(d + gd::inode_table_hi)} << 32;
    const std::uint64_t table_blocks =
        (std::uint64_t{sb.inodes_per_group} * sb.inode_size + sb.block_size - 1) / sb.block_size;
    if (!vol.blocks_inside(table, table_blocks)) {
        return Error::make(Errc::bad_data, "ext4: group %u: inode table at block %lu is outside the filesystem", group,
                           table);
    }
    return table;
}

// Finds system.data among the in-inode extended attributes (the "ibody"
// area after 128 + i_extra_isize, starting with a 4-byte magic).
Status locate_inline_value(const Superblock& sb, const std::uint8_t* raw, Inode& node) {
    if (sb.inode_size <= inode::kGoodOldSize) return ok();
    const std::uint32_t extra = load_le16(raw + inode::extra_isize);
    const std::uint32_t header = inode::kGoodOldSize + extra;
    if (extra % 4 != 0 || header + 4 > sb.inode_size) return ok();  // no room for attributes
    if (load_le32(raw + header) != xattr::kMagic) return ok();
    const std::uint32_t first = header + 4;  // value offsets count from here
    const std::uint32_t end = sb.inode_size;
    std::uint32_t at = first;
    while (at + 4 <= end && load_le32(raw + at) != 0) {
        if (at + xattr::kEntryHeader > end) break;
        const std::uint8_t* e = raw + at;
        const std::uint32_t name_len = e[xattr::name_len];
        const std::uint32_t entry_size = (xattr::kEntryHeader + name_len + 3) & ~3u;
        if (at + entry_size > end) {
            return Error::make(Errc::bad_data, "ext4: inode %u: extended attribute entry overruns the inode",
                               node.number);
        }
        if (e[xattr::name_index] == xattr::kIndexSystem && name_len == 4 &&
            std::memcmp(e + xattr::kEntryHeader, "data", 4) == 0) {
            const std::uint32_t offs = load_le16(e + xattr::value_offs);
            const std::uint32_t size = load_le32(e + xattr::value_size);
            if (load_le32(e + xattr::value_inum) != 0 || offs > end - first || size > end - first - offs) {
                return Error::make(Errc::bad_data, "ext4: inode %u: inline data value lies outside the inode",
                                   node.number);
            }
            node.inline_value_offset = first + offs;
            node.inline_value_size = size;
            return ok();
        }
        at += entry_size;
    }
    return ok();
}

}  // namespace

NodeType Inode::type() const {
    switch (mode & kModeTypeMask) {
        case kModeRegular: return NodeType::file;
        case kModeDirectory: return NodeType::directory;
        case kModeSymlink: return NodeType::symlink;
        default: return NodeType::other;
    }
}

Result<const std::uint8_t*> raw_inode(Volume& vol, std::uint32_t number) {
    const Superblock& sb = vol.sb();
    if (number == 0 || number > sb.inodes_count) {
        return Error::make(Errc::bad_data, "ext4: inode number %u is outside 1..%u", number, sb.inodes_count);
    }
    const std::uint32_t group = (number - 1) / sb.inodes_per_group;
    const std::uint32_t index = (number - 1) % sb.inodes_per_group;
    const std::uint64_t table = TRY_CTX(inode_table(vol, group), "inode %u", number);
    const std::uint64_t byte = std::uint64_t{index} * sb.inode_size;
    const std::uint8_t* b = TRY(vol.metadata_block(table + byte / sb.block_size, "inode table"));
    return b + byte % sb.block_size;
}

Result<Inode> read_inode(Volume& vol, std::uint32_t number) {
    const std::uint8_t* raw = TRY(raw_inode(vol, number));
    Inode node;
    node.number = number;
    node.mode = load_le16(raw + inode::mode);
    node.flags = load_le32(raw + inode::flags);
    node.size = load_le32(raw + inode::size_lo) | std::uint64_t{load_le32(raw + inode::size_high)} << 32;
    std::memcpy(node.block, raw + inode::block, sizeof node.block);
    if (node.has_flag(kFlagInlineData)) TRY(locate_inline_value(vol.sb(), raw, node));
    return node;
}

}  // namespace xb::fs::ext4
