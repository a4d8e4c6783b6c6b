#include "fs/xfs/superblock.h"

#include "fs/xfs/layout.h"
#include "lib/crc32c.h"
#include "lib/format.h"

namespace xb::fs::xfs {

namespace {

using namespace layout;

bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::uint32_t log2_of(std::uint32_t v) {
    std::uint32_t l = 0;
    while ((std::uint32_t{1} << l) < v) ++l;
    return l;
}

// Incompat features that change nothing this reader reads (exchange-range:
// log intent items only; parent pointers: extended attributes only), or
// that it handles (ftype, sparse inode chunks, meta_uuid, bigtime, nrext64),
// or that only matter to a writer (needsrepair).
constexpr std::uint32_t kIncompatKnown = kIncompatFtype | kIncompatSparseInodes | kIncompatMetaUuid | kIncompatBigtime |
                                         kIncompatNeedsRepair | kIncompatNrext64 | kIncompatExchange | kIncompatParent;

Error unsupported_incompat(std::uint32_t bits) {
    char names[96] = "";
    std::size_t used = 0;
    struct Named {
        std::uint32_t bit;
        const char* name;
    };
    constexpr Named kNames[] = {{kIncompatMetadir, "metadir"}, {kIncompatZoned, "zoned"}};
    std::uint32_t rest = bits;
    for (const Named& n : kNames) {
        if ((bits & n.bit) == 0) continue;
        used += format_to(names + used, sizeof names - used, "%s%s", used == 0 ? "" : ", ", n.name);
        rest &= ~n.bit;
        if (used >= sizeof names) break;
    }
    if (rest != 0 && used < sizeof names) {
        format_to(names + used, sizeof names - used, "%s0x%x", used == 0 ? "" : ", ", rest);
    }
    return Error::make(Errc::unsupported, "xfs: unsupported incompatible features: %s", names);
}

// GRUB (grub-core/fs/xfs.c, grub_xfs_uuid) prints sb_uuid (not sb_meta_uuid)
// as eight big-endian 16-bit groups: "%04x%04x-%04x-%04x-%04x-%04x%04x%04x".
void format_uuid(const std::uint8_t* u, char (&out)[37]) {
    format_to(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
              u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

}  // namespace

bool crc_matches(const std::uint8_t* p, std::uint32_t len, std::uint32_t crc_offset) {
    static constexpr std::uint8_t kZero[4] = {};
    std::uint32_t crc = crc32c(0, p, crc_offset);
    crc = crc32c(crc, kZero, sizeof kZero);
    crc = crc32c(crc, p + crc_offset + 4, len - crc_offset - 4);
    return crc == le32(p + crc_offset);
}

Result<Superblock> parse_superblock(const std::uint8_t* b, std::uint32_t len) {
    if (len < sb::kV5Size || be32(b + sb::magic) != sb::kMagic) {
        return Error::make(Errc::not_found, "no XFS superblock");
    }
    Superblock s;
    const std::uint16_t versionnum = be16(b + sb::versionnum);
    s.version = versionnum & kVersionMask;
    if (s.version != 4 && s.version != 5) {
        return Error::make(Errc::unsupported, "xfs: superblock version %u (only 4 and 5 are supported)", s.version);
    }
    s.crc = s.version == 5;
    s.sector_size = be16(b + sb::sectsize);
    if (!power_of_two(s.sector_size) || s.sector_size < 512 || s.sector_size > kMaxSectorSize ||
        b[sb::sectlog] != log2_of(s.sector_size)) {
        return Error::make(Errc::bad_data, "xfs: superblock: bad sector size %u (log %u)", s.sector_size,
                           b[sb::sectlog]);
    }
    if (s.crc) {
        if (len < s.sector_size) return Error::make(Errc::bad_data, "xfs: superblock: short read");
        if (!crc_matches(b, s.sector_size, sb::crc))
            return Error::make(Errc::bad_data, "xfs: superblock: CRC mismatch");
    }
    if (b[sb::inprogress] != 0) return Error::make(Errc::bad_data, "xfs: superblock: mkfs did not finish");

    s.block_size = be32(b + sb::blocksize);
    s.block_log = b[sb::blocklog];
    if (!power_of_two(s.block_size) || s.block_size < (s.crc ? 1024 : kMinBlockSize) || s.block_size > kMaxBlockSize ||
        s.block_log != log2_of(s.block_size) || s.block_size < s.sector_size) {
        return Error::make(Errc::bad_data, "xfs: superblock: bad block size %u (log %u)", s.block_size, s.block_log);
    }
    s.inode_size = be16(b + sb::inodesize);
    if (!power_of_two(s.inode_size) || s.inode_size < 256 || s.inode_size > kMaxInodeSize ||
        s.inode_size > s.block_size || b[sb::inodelog] != log2_of(s.inode_size) ||
        be16(b + sb::inopblock) != s.block_size / s.inode_size ||
        b[sb::inopblog] != log2_of(s.block_size / s.inode_size) || (s.crc && s.inode_size < 512)) {
        return Error::make(Errc::bad_data, "xfs: superblock: bad inode size %u", s.inode_size);
    }
    s.inodes_per_block_log = b[sb::inopblog];
    s.dblocks = be64(b + sb::dblocks);
    s.ag_blocks = be32(b + sb::agblocks);
    s.ag_count = be32(b + sb::agcount);
    s.ag_block_log = b[sb::agblklog];
    if (s.ag_blocks == 0 || s.ag_count == 0 || s.ag_block_log != log2_of(s.ag_blocks) ||
        s.ag_block_log + s.inodes_per_block_log > 32 || s.dblocks == 0 ||
        s.dblocks > std::uint64_t{s.ag_blocks} * s.ag_count ||
        s.dblocks <= std::uint64_t{s.ag_blocks} * (s.ag_count - 1)) {
        return Error::make(Errc::bad_data,
                           "xfs: superblock: bad geometry (%lu blocks, %u AGs of %u blocks, agblklog %u)", s.dblocks,
                           s.ag_count, s.ag_blocks, s.ag_block_log);
    }
    if (b[sb::dirblklog] > 16 || (std::uint64_t{s.block_size} << b[sb::dirblklog]) > kMaxBlockSize) {
        return Error::make(Errc::bad_data, "xfs: superblock: bad directory block log %u", b[sb::dirblklog]);
    }
    s.dir_block_size = s.block_size << b[sb::dirblklog];
    s.root_inode = be64(b + sb::rootino);

    if (s.crc) {
        s.incompat = be32(b + sb::features_incompat);
        if ((s.incompat & ~kIncompatKnown) != 0) return unsupported_incompat(s.incompat & ~kIncompatKnown);
        s.ftype = s.has_incompat(kIncompatFtype);
    } else {
        // Version 1 directories predate Linux's XFS port; nothing made since reads them.
        if ((versionnum & kVersionDirV2) == 0) {
            return Error::make(Errc::unsupported, "xfs: version 1 directories are not supported");
        }
        s.ftype = (versionnum & kVersionMoreBits) != 0 && (be32(b + sb::features2) & kFeatures2Ftype) != 0;
    }
    format_uuid(b + sb::uuid, s.uuid);
    for (unsigned i = 0; i < 12 && b[sb::fname + i] != 0; ++i) s.label[i] = static_cast<char>(b[sb::fname + i]);
    return s;
}

bool linear_block(const Superblock& sb, std::uint64_t fsb, std::uint64_t count, std::uint64_t* linear) {
    const std::uint64_t ag = fsb >> sb.ag_block_log;
    const std::uint64_t agbno = fsb & ((std::uint64_t{1} << sb.ag_block_log) - 1);
    if (ag >= sb.ag_count || agbno >= sb.ag_blocks || count > sb.ag_blocks - agbno) return false;
    const std::uint64_t l = ag * sb.ag_blocks + agbno;
    if (l >= sb.dblocks || count > sb.dblocks - l) return false;
    *linear = l;
    return true;
}

bool inode_location(const Superblock& sb, std::uint64_t ino, std::uint64_t* block, std::uint32_t* offset) {
    const std::uint32_t per_block_log = sb.inodes_per_block_log;
    const std::uint64_t fsb = ino >> per_block_log;
    if (!linear_block(sb, fsb, 1, block)) return false;
    *offset = static_cast<std::uint32_t>(ino & ((std::uint64_t{1} << per_block_log) - 1)) * sb.inode_size;
    return true;
}

}  // namespace xb::fs::xfs
