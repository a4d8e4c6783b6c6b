#include "fs/ext4/superblock.h"

#include "fs/ext4/layout.h"
#include "lib/endian.h"

namespace xb::fs::ext4 {

namespace {

using namespace layout;

// Incompat features this reader understands. Anything else set in
// s_feature_incompat means the kernel itself would refuse to mount.
constexpr std::uint32_t kSupportedIncompat = kIncompatFiletype | kIncompatRecover | kIncompatMetaBg | kIncompatExtents |
                                             kIncompat64bit | kIncompatMmp | kIncompatFlexBg | kIncompatEaInode |
                                             kIncompatCsumSeed | kIncompatLargedir | kIncompatInlineData |
                                             kIncompatEncrypt | kIncompatCasefold;

// What ext3 already had (blkid's rule): anything beyond it makes the volume "ext4".
constexpr std::uint32_t kExt3Incompat = kIncompatFiletype | kIncompatRecover | kIncompatMetaBg;
constexpr std::uint32_t kExt3RoCompat = kRoCompatSparseSuper | kRoCompatLargeFile | kRoCompatBtreeDir;

struct NamedFeature {
    std::uint32_t bit;
    const char* name;
};

constexpr NamedFeature kRefused[] = {
    {kIncompatCompression, "compression (never finished in Linux)"},
    {kIncompatJournalDev, "journal_dev (an external journal, holds no files)"},
    {kIncompatDirdata, "dirdata (extra data in directory entries)"},
};

// GRUB (grub-core/fs/ext2.c, grub_ext2_uuid): "%04x%04x-%04x-%04x-%04x-%04x%04x%04x"
// of the eight big-endian 16-bit words, i.e. the bytes in order.
void format_uuid(const std::uint8_t* u, char (&out)[37]) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t n = 0;
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[n++] = '-';
        out[n++] = kHex[u[i] >> 4];
        out[n++] = kHex[u[i] & 0xf];
    }
    out[n] = '\0';
}

bool is_power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

Result<Superblock> parse_superblock(const std::uint8_t* b) {
    if (load_le16(b + sb::magic) != kMagic) return Error::make(Errc::not_found, "no ext2/3/4 superblock");
    Superblock s;
    s.compat = load_le32(b + sb::feature_compat);
    s.incompat = load_le32(b + sb::feature_incompat);
    s.ro_compat = load_le32(b + sb::feature_ro_compat);
    format_uuid(b + sb::uuid, s.uuid);
    for (std::size_t i = 0; i < 16 && b[sb::volume_name + i] != 0; ++i) {
        s.label[i] = static_cast<char>(b[sb::volume_name + i]);
    }
    const std::uint32_t rev = load_le32(b + sb::rev_level);
    if (rev == 0) {
        // Revision 0 has no feature fields; whatever is stored there is meaningless.
        s.compat = s.incompat = s.ro_compat = 0;
    }
    for (const NamedFeature& f : kRefused) {
        if (s.has_incompat(f.bit)) return Error::make(Errc::unsupported, "ext4: unsupported feature %s", f.name);
    }
    if (const std::uint32_t unknown = s.incompat & ~kSupportedIncompat; unknown != 0) {
        return Error::make(Errc::unsupported, "ext4: unsupported incompat feature bits 0x%x", unknown);
    }

    s.log_block_size = load_le32(b + sb::log_block_size);
    if (s.log_block_size > 6) {
        return Error::make(Errc::bad_data, "ext4: superblock: bad s_log_block_size %u (block size 1 KiB to 64 KiB)",
                           s.log_block_size);
    }
    s.block_size = 1024u << s.log_block_size;
    s.blocks_count = load_le32(b + sb::blocks_count_lo);
    if (s.has_incompat(kIncompat64bit)) s.blocks_count |= std::uint64_t{load_le32(b + sb::blocks_count_hi)} << 32;
    s.first_data_block = load_le32(b + sb::first_data_block);
    s.blocks_per_group = load_le32(b + sb::blocks_per_group);
    s.inodes_per_group = load_le32(b + sb::inodes_per_group);
    s.inodes_count = load_le32(b + sb::inodes_count);
    s.first_meta_bg = load_le32(b + sb::first_meta_bg);
    s.backup_bgs[0] = load_le32(b + sb::backup_bgs);
    s.backup_bgs[1] = load_le32(b + sb::backup_bgs + 4);

    if (s.first_data_block >= s.blocks_count) {
        return Error::make(Errc::bad_data, "ext4: superblock: first data block %u is not below the block count %lu",
                           s.first_data_block, s.blocks_count);
    }
    if (s.blocks_per_group == 0) return Error::make(Errc::bad_data, "ext4: superblock: 0 blocks per group");
    // An inode bitmap is one block, so a group holds at most 8 * block_size inodes.
    if (s.inodes_per_group == 0 || s.inodes_per_group > 8 * s.block_size) {
        return Error::make(Errc::bad_data, "ext4: superblock: bad inodes per group %u", s.inodes_per_group);
    }
    const std::uint64_t groups = (s.blocks_count - s.first_data_block + s.blocks_per_group - 1) / s.blocks_per_group;
    if (groups > 0xFFFFFFFFull || groups * s.inodes_per_group < s.inodes_count || s.inodes_count < kRootInode) {
        return Error::make(Errc::bad_data, "ext4: superblock: %u inodes do not fit %lu groups of %u", s.inodes_count,
                           groups, s.inodes_per_group);
    }
    s.group_count = static_cast<std::uint32_t>(groups);

    s.inode_size = rev == 0 ? inode::kGoodOldSize : load_le16(b + sb::inode_size);
    if (!is_power_of_two(s.inode_size) || s.inode_size < inode::kGoodOldSize || s.inode_size > s.block_size) {
        return Error::make(Errc::bad_data, "ext4: superblock: bad inode size %u", s.inode_size);
    }
    s.desc_size = gd::kSize32;
    if (s.has_incompat(kIncompat64bit)) {
        s.desc_size = load_le16(b + sb::desc_size);
        if (!is_power_of_two(s.desc_size) || s.desc_size < gd::kMinSize64 || s.desc_size > s.block_size) {
            return Error::make(Errc::bad_data, "ext4: superblock: bad group descriptor size %u", s.desc_size);
        }
    }
    return s;
}

const char* type_name(const Superblock& s) {
    if ((s.incompat & ~kExt3Incompat) != 0 || (s.ro_compat & ~kExt3RoCompat) != 0) return "ext4";
    if (s.has_compat(kCompatHasJournal)) return "ext3";
    return "ext2";
}

bool group_has_superblock(const Superblock& s, std::uint32_t group) {
    if (group == 0) return true;
    if (s.has_compat(kCompatSparseSuper2)) return group == s.backup_bgs[0] || group == s.backup_bgs[1];
    if (group == 1 || !s.has_ro_compat(kRoCompatSparseSuper)) return true;
    // sparse_super: backups in groups that are powers of 3, 5 and 7.
    for (std::uint32_t base : {3u, 5u, 7u}) {
        std::uint64_t p = base;
        while (p < group) p *= base;
        if (p == group) return true;
    }
    return false;
}

}  // namespace xb::fs::ext4
