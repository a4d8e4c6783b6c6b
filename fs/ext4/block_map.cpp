#include "fs/ext4/block_map.h"

#include "fs/ext4/layout.h"
#include "lib/endian.h"

namespace xb::fs::ext4 {

namespace {

using namespace layout;

constexpr std::uint64_t kLogicalLimit = std::uint64_t{1} << 32;  // logical block numbers are 32-bit

std::uint64_t min(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

Run hole(std::uint64_t count) { return Run{count, 0, false}; }

// ---- Extents ("The Contents of inode.i_block", "Extent Tree").

// Checks a node's header and its entries' order. `capacity` is how many
// entries fit (4 in i_block, (block_size - 12) / 12 in a block).
Status check_extent_node(const Inode& node, const std::uint8_t* n, unsigned capacity, int expected_depth,
                         std::uint64_t where) {
    const std::uint32_t entries = load_le16(n + extent::entries);
    const std::uint32_t max = load_le16(n + extent::max);
    const std::uint32_t depth = load_le16(n + extent::depth);
    if (load_le16(n + extent::magic) != extent::kMagic) {
        return Error::make(Errc::bad_data, "ext4: inode %u: bad extent header magic 0x%x (%s %lu)", node.number,
                           load_le16(n + extent::magic), where == 0 ? "in the inode" : "block", where);
    }
    if (max > capacity || entries > max) {
        return Error::make(Errc::bad_data, "ext4: inode %u: extent node has %u of %u entries (room for %u)",
                           node.number, entries, max, capacity);
    }
    if (expected_depth < 0 ? depth > extent::kMaxDepth : depth != static_cast<std::uint32_t>(expected_depth)) {
        return Error::make(Errc::bad_data, "ext4: inode %u: extent node depth %u (expected %d, at most %u)",
                           node.number, depth, expected_depth, extent::kMaxDepth);
    }
    // Keys must be strictly increasing; extents must not overlap.
    std::uint64_t next_free = 0;
    for (std::uint32_t i = 0; i < entries; ++i) {
        const std::uint8_t* e = n + extent::kHeaderSize + i * extent::kEntrySize;
        const std::uint64_t start = load_le32(e + extent::ee_block);
        if (i != 0 && start < next_free) {
            return Error::make(Errc::bad_data, "ext4: inode %u: extent entries out of logical order at %lu",
                               node.number, start);
        }
        next_free = start + 1;
        if (depth == 0) {
            const std::uint32_t raw_len = load_le16(e + extent::ee_len);
            const std::uint32_t len = raw_len > extent::kMaxInitLen ? raw_len - extent::kMaxInitLen : raw_len;
            if (len == 0 || start + len > kLogicalLimit) {
                return Error::make(Errc::bad_data, "ext4: inode %u: bad extent length %u at logical block %lu",
                                   node.number, len, start);
            }
            next_free = start + len;
        }
    }
    return ok();
}

Result<Run> map_extents(Volume& vol, const Inode& node, std::uint64_t logical, std::uint64_t max_count) {
    if (logical >= kLogicalLimit) return hole(max_count);
    const std::uint8_t* n = node.block;
    TRY(check_extent_node(node, n, (inode::kBlockBytes - extent::kHeaderSize) / extent::kEntrySize, -1, 0));
    const unsigned block_capacity = (vol.block_size() - extent::kHeaderSize) / extent::kEntrySize;
    // Where the subtree being searched ends (the next key of an ancestor).
    std::uint64_t limit = kLogicalLimit;
    for (;;) {
        const std::uint32_t entries = load_le16(n + extent::entries);
        const std::uint32_t depth = load_le16(n + extent::depth);
        auto key = [&](std::uint32_t i) -> std::uint64_t {
            return load_le32(n + extent::kHeaderSize + i * extent::kEntrySize);
        };
        // The last entry whose key is <= logical (keys are increasing).
        std::uint32_t found = entries;
        for (std::uint32_t i = 0; i < entries && key(i) <= logical; ++i) found = i;
        const std::uint64_t next_key = found + 1 < entries ? key(found + 1) : limit;
        if (found == entries) {
            // Before the first entry (or an empty node): a hole up to it.
            const std::uint64_t end = entries != 0 ? min(key(0), limit) : limit;
            return hole(min(end - logical, max_count));
        }
        const std::uint8_t* e = n + extent::kHeaderSize + found * extent::kEntrySize;
        if (depth == 0) {
            const std::uint32_t raw_len = load_le16(e + extent::ee_len);
            const bool uninit = raw_len > extent::kMaxInitLen;
            const std::uint64_t len = uninit ? raw_len - extent::kMaxInitLen : raw_len;
            const std::uint64_t start = key(found);
            if (logical >= start + len) return hole(min(min(next_key, limit) - logical, max_count));
            const std::uint64_t physical =
                load_le32(e + extent::ee_start_lo) | std::uint64_t{load_le16(e + extent::ee_start_hi)} << 32;
            if (!vol.blocks_inside(physical, len)) {
                return Error::make(Errc::bad_data,
                                   "ext4: inode %u: extent at logical block %lu points outside the filesystem "
                                   "(blocks %lu+%lu)",
                                   node.number, start, physical, len);
            }
            const std::uint64_t count = min(start + len - logical, max_count);
            if (uninit) return hole(count);
            return Run{count, physical + (logical - start), true};
        }
        limit = min(next_key, limit);
        const std::uint64_t child =
            load_le32(e + extent::idx_leaf_lo) | std::uint64_t{load_le16(e + extent::idx_leaf_hi)} << 32;
        n = TRY_CTX(vol.metadata_block(child, "extent tree block"), "inode %u", node.number);
        // Depth strictly decreases, so the descent ends after at most kMaxDepth steps.
        TRY(check_extent_node(node, n, block_capacity, static_cast<int>(depth) - 1, child));
    }
}

// ---- Indirect block map (ext2/3): i_block[0..11] direct, [12] single,
// [13] double, [14] triple indirect; each indirect block holds block_size / 4
// block numbers, 0 meaning a hole.

Result<Run> map_indirect(Volume& vol, const Inode& node, std::uint64_t logical, std::uint64_t max_count) {
    const std::uint64_t per = vol.block_size() / 4;
    // Pick the tree: its root pointer, depth and first logical block.
    std::uint64_t rel = logical;
    unsigned levels = 0;
    std::uint64_t span = 1;  // blocks under one pointer at the current level
    if (rel < inode::kDirectBlocks) {
        // Direct pointers: scan i_block itself.
        const std::uint8_t* ptrs = node.block;
        const std::uint64_t first = load_le32(ptrs + rel * 4);
        std::uint64_t count = 1;
        while (rel + count < inode::kDirectBlocks && count < max_count) {
            const std::uint64_t next = load_le32(ptrs + (rel + count) * 4);
            if (first == 0 ? next != 0 : next != first + count) break;
            ++count;
        }
        if (first == 0) return hole(count);
        if (!vol.blocks_inside(first, count)) {
            return Error::make(Errc::bad_data, "ext4: inode %u: block %lu of the block map is outside the filesystem",
                               node.number, first);
        }
        return Run{count, first, true};
    }
    rel -= inode::kDirectBlocks;
    unsigned root_index = inode::kIndirect;
    for (levels = 1; levels <= 3; ++levels) {
        span *= per;  // blocks under the root pointer of this tree
        if (rel < span) break;
        rel -= span;
        ++root_index;
    }
    if (levels > 3) return hole(max_count);  // beyond what the map can address
    std::uint64_t pointer = load_le32(node.block + root_index * 4);
    // Walk down: at each level, `span` blocks lie under `pointer`; `rel` is the
    // offset inside them.
    for (unsigned level = levels; level > 0; --level) {
        if (pointer == 0) return hole(min(span - rel, max_count));
        const std::uint8_t* b = TRY_CTX(vol.metadata_block(pointer, "indirect block"), "inode %u", node.number);
        span /= per;
        const std::uint64_t index = rel / span;
        rel %= span;
        if (level > 1) {
            pointer = load_le32(b + index * 4);
            continue;
        }
        // The last level: a run of consecutive pointers (or of zeros) in this block.
        const std::uint64_t first = load_le32(b + index * 4);
        std::uint64_t count = 1;
        while (index + count < per && count < max_count) {
            const std::uint64_t next = load_le32(b + (index + count) * 4);
            if (first == 0 ? next != 0 : next != first + count) break;
            ++count;
        }
        if (first == 0) return hole(count);
        if (!vol.blocks_inside(first, count)) {
            return Error::make(Errc::bad_data, "ext4: inode %u: block %lu of the block map is outside the filesystem",
                               node.number, first);
        }
        return Run{count, first, true};
    }
    return hole(1);  // not reached: levels >= 1
}

}  // namespace

Result<Run> map_blocks(Volume& vol, const Inode& node, std::uint64_t logical, std::uint64_t max_count) {
    if (max_count == 0) max_count = 1;
    if (node.has_flag(kFlagExtents)) return map_extents(vol, node, logical, max_count);
    return map_indirect(vol, node, logical, max_count);
}

}  // namespace xb::fs::ext4
