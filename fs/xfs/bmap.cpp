#include "fs/xfs/bmap.h"

#include "fs/xfs/layout.h"

namespace xb::fs::xfs {

namespace {

using namespace layout;

constexpr std::uint64_t kNoBound = ~std::uint64_t{0};

std::uint64_t min(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

struct Extent {
    std::uint64_t offset;  // logical block
    std::uint64_t fsb;     // filesystem block number
    std::uint64_t count;
    bool unwritten;
};

// xfs_bmbt_rec: flag (1 bit), startoff (54), startblock (52), blockcount (21).
Extent decode(const std::uint8_t* rec) {
    const std::uint64_t l0 = be64(rec), l1 = be64(rec + 8);
    return Extent{(l0 & ~(std::uint64_t{1} << 63)) >> 9, (l0 & 0x1ff) << 43 | l1 >> 21, l1 & 0x1fffff, l0 >> 63 != 0};
}

// Finds `logical` among `n` sorted records; `bound` is where the records of
// this tree leaf end in logical blocks (the next key up the tree).
Result<Run> scan(const Superblock& sb, const Inode& inode, const std::uint8_t* recs, std::uint64_t n,
                 std::uint64_t logical, std::uint64_t max_count, std::uint64_t bound) {
    std::uint64_t prev_end = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const Extent e = decode(recs + i * kExtentSize);
        if (e.count == 0 || e.offset < prev_end) {
            return Error::make(Errc::bad_data,
                               "xfs: inode %lu: extent %lu (logical %lu, %lu blocks) out of order or empty",
                               inode.number, i, e.offset, e.count);
        }
        prev_end = e.offset + e.count;
        if (logical < e.offset) return Run{0, min(min(e.offset, bound) - logical, max_count), false};
        if (logical >= prev_end) continue;
        std::uint64_t linear = 0;
        if (!linear_block(sb, e.fsb, e.count, &linear)) {
            return Error::make(
                Errc::bad_data,
                "xfs: inode %lu: extent at logical %lu (block %lu, %lu blocks) is outside the filesystem", inode.number,
                e.offset, e.fsb, e.count);
        }
        const std::uint64_t into = logical - e.offset;
        return Run{linear + into, min(e.count - into, max_count), !e.unwritten};
    }
    return Run{0, bound == kNoBound ? max_count : min(bound - logical, max_count), false};
}

// Walks the bmbt from the root in the inode fork down to the leaf covering `logical`.
Result<Run> map_btree(Volume& vol, const Inode& inode, std::uint64_t logical, std::uint64_t max_count) {
    const Superblock& sb = vol.sb();
    if (inode.fork_size < kRootHeader + 16)
        return Error::make(Errc::bad_data, "xfs: inode %lu: btree fork too small", inode.number);
    std::uint32_t level = be16(inode.fork);
    std::uint32_t n = be16(inode.fork + 2);
    const std::uint32_t root_max = (inode.fork_size - kRootHeader) / 16;
    if (level == 0 || level > kMaxBtreeLevels || n == 0 || n > root_max) {
        return Error::make(Errc::bad_data, "xfs: inode %lu: bmbt root of level %u with %u records", inode.number, level,
                           n);
    }
    const std::uint8_t* keys = inode.fork + kRootHeader;
    const std::uint8_t* ptrs = keys + std::uint64_t{root_max} * 8;
    const std::uint32_t header = sb.crc ? bt::kHeaderV5 : bt::kHeaderV4;
    const std::uint32_t node_max = (sb.block_size - header) / 16;
    const std::uint32_t leaf_max = (sb.block_size - header) / kExtentSize;
    std::uint64_t bound = kNoBound;
    std::uint64_t block = 0;
    for (;;) {
        // The last key <= logical; keys strictly increasing.
        std::uint32_t pick = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint64_t key = be64(keys + std::uint64_t{i} * 8);
            if (i > 0 && key <= be64(keys + std::uint64_t{i - 1} * 8)) {
                return Error::make(Errc::bad_data, "xfs: inode %lu: bmbt keys out of order (level %u)", inode.number,
                                   level);
            }
            if (key <= logical) pick = i;
            if (key > logical) {
                if (i == 0) return Run{0, min(min(key, bound) - logical, max_count), false};
                bound = min(bound, key);
                break;
            }
        }
        const std::uint64_t fsb = be64(ptrs + std::uint64_t{pick} * 8);
        // A child's first key (or first extent) is the key pointing to it:
        // a pointer to the wrong block (a sibling, an ancestor) fails here.
        const std::uint64_t expected_first = be64(keys + std::uint64_t{pick} * 8);
        if (!linear_block(sb, fsb, 1, &block)) {
            return Error::make(Errc::bad_data, "xfs: inode %lu: bmbt pointer %lu is outside the filesystem",
                               inode.number, fsb);
        }
        const std::uint8_t* b = TRY(vol.metadata_block(block, "a bmbt block"));
        const std::uint32_t magic = be32(b + bt::magic);
        if (magic != (sb.crc ? kBmapMagicV5 : kBmapMagicV4)) {
            return Error::make(Errc::bad_data, "xfs: block %lu (bmbt of inode %lu): bad magic 0x%x", block,
                               inode.number, magic);
        }
        if (sb.crc) {
            if (!crc_matches(b, sb.block_size, bt::crc)) {
                return Error::make(Errc::bad_data, "xfs: block %lu (bmbt of inode %lu): CRC mismatch", block,
                                   inode.number);
            }
            if (be64(b + bt::owner) != inode.number || be64(b + bt::blkno) != block << (sb.block_log - 9)) {
                return Error::make(Errc::bad_data, "xfs: block %lu (bmbt of inode %lu): wrong owner or address", block,
                                   inode.number);
            }
        }
        const std::uint32_t child_level = be16(b + bt::level);
        n = be16(b + bt::numrecs);
        if (child_level + 1 != level) {
            return Error::make(Errc::bad_data, "xfs: block %lu (bmbt of inode %lu): level %u below level %u", block,
                               inode.number, child_level, level);
        }
        level = child_level;
        if (n == 0 || n > (level == 0 ? leaf_max : node_max)) {
            return Error::make(Errc::bad_data, "xfs: block %lu (bmbt of inode %lu): %u records", block, inode.number,
                               n);
        }
        const std::uint64_t first = level == 0 ? (be64(b + header) & ~(std::uint64_t{1} << 63)) >> 9 : be64(b + header);
        if (first != expected_first) {
            return Error::make(Errc::bad_data, "xfs: block %lu (bmbt of inode %lu): starts at logical %lu, not %lu",
                               block, inode.number, first, expected_first);
        }
        if (level == 0) return scan(sb, inode, b + header, n, logical, max_count, bound);
        keys = b + header;
        ptrs = keys + std::uint64_t{node_max} * 8;
    }
}

}  // namespace

Result<Run> map_blocks(Volume& vol, const Inode& inode, std::uint64_t logical, std::uint64_t max_count) {
    if ((inode.flags & kFlagRealtime) != 0) {
        return Error::make(Errc::unsupported, "xfs: inode %lu: data on a realtime device", inode.number);
    }
    if (inode.format == kFormatExtents) {
        return scan(vol.sb(), inode, inode.fork, inode.extents, logical, max_count, kNoBound);
    }
    if (inode.format == kFormatBtree) return map_btree(vol, inode, logical, max_count);
    return Error::make(Errc::bad_data, "xfs: inode %lu: data fork format %u has no blocks", inode.number, inode.format);
}

}  // namespace xb::fs::xfs
