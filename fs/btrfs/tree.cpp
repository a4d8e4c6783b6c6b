#include "fs/btrfs/tree.h"

#include "fs/btrfs/layout.h"
#include "lib/endian.h"

namespace xb::fs::btrfs {
namespace {

using namespace layout;

// Nodes read by one search_ge, at most: with the checks below (a child's first
// key is its parent's key, no empty node below the root) a search moves to a
// next sibling at most once per level, so this is never reached by a sound tree.
constexpr unsigned kMaxVisits = 64;

Key entry_key(const std::uint8_t* node, std::uint32_t slot, std::uint8_t level) {
    return load_key(node + kHeaderSize + slot * (level == 0 ? kItemSize : kKeyPtrSize));
}

std::uint64_t child_ptr(const std::uint8_t* node, std::uint32_t slot) {
    return load_le64(node + kHeaderSize + slot * kKeyPtrSize + kKeySize);
}

void fill(const std::uint8_t* leaf, std::uint32_t slot, Item& out) {
    const std::uint8_t* e = leaf + kHeaderSize + slot * kItemSize;
    out.key = load_key(e);
    out.data = leaf + kHeaderSize + load_le32(e + kKeySize);
    out.size = load_le32(e + kKeySize + 4);
}

// The node at `bytenr`, checked against what its parent says about it.
Result<const std::uint8_t*> child_node(Volume& vol, std::uint64_t bytenr, std::uint8_t level, const Key* first) {
    const std::uint8_t* n = TRY(vol.node(bytenr, level));
    if (first == nullptr) return n;
    const std::uint32_t nritems = load_le32(n + kHdrNritems);
    if (nritems == 0) return Error::make(Errc::bad_data, "btrfs: tree node at %lu is empty below the root", bytenr);
    if (compare(entry_key(n, 0, level), *first) != 0) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu: first key differs from its parent's pointer",
                           bytenr);
    }
    return n;
}

// The last slot whose key <= target, or -1.
long last_le(const std::uint8_t* n, std::uint8_t level, const Key& target) {
    std::uint32_t lo = 0, hi = load_le32(n + kHdrNritems);  // answer in [lo - 1, hi - 1]
    while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (compare(entry_key(n, mid, level), target) <= 0) lo = mid + 1;
        else hi = mid;
    }
    return static_cast<long>(lo) - 1;
}

Result<bool> descend_ge(Volume& vol, std::uint64_t bytenr, std::uint8_t level, const Key* first, const Key& target,
                        Item& out, unsigned& visits) {
    if (++visits > kMaxVisits) {
        return Error::make(Errc::bad_data, "btrfs: tree search visited more than %u nodes", kMaxVisits);
    }
    const std::uint8_t* n = TRY(child_node(vol, bytenr, level, first));
    const std::uint32_t nritems = load_le32(n + kHdrNritems);
    const long at = last_le(n, level, target);
    if (level == 0) {
        // The first key >= target: the slot after the last < target.
        std::uint32_t slot = at < 0 ? 0 : static_cast<std::uint32_t>(at);
        if (slot < nritems && compare(entry_key(n, slot, 0), target) < 0) ++slot;
        if (slot >= nritems) return false;
        fill(n, slot, out);
        return true;
    }
    for (std::uint32_t slot = at < 0 ? 0 : static_cast<std::uint32_t>(at); slot < nritems; ++slot) {
        n = TRY(vol.node(bytenr, level));  // a child's search may have evicted it
        const Key key = entry_key(n, slot, level);
        if (TRY(descend_ge(vol, child_ptr(n, slot), static_cast<std::uint8_t>(level - 1), &key, target, out, visits))) {
            return true;
        }
    }
    return false;
}

}  // namespace

Result<bool> search_ge(Volume& vol, const TreeRoot& root, const Key& key, Item& out) {
    unsigned visits = 0;
    return descend_ge(vol, root.bytenr, root.level, nullptr, key, out, visits);
}

Result<bool> search_le(Volume& vol, const TreeRoot& root, const Key& key, Item& out) {
    std::uint64_t bytenr = root.bytenr;
    std::uint8_t level = root.level;
    Key first;
    const Key* expect = nullptr;
    // One node per level; the level decreases each step.
    for (;;) {
        const std::uint8_t* n = TRY(child_node(vol, bytenr, level, expect));
        const long at = last_le(n, level, key);
        if (at < 0) return false;
        const std::uint32_t slot = static_cast<std::uint32_t>(at);
        if (level == 0) {
            fill(n, slot, out);
            return true;
        }
        first = entry_key(n, slot, level);
        expect = &first;
        bytenr = child_ptr(n, slot);
        --level;
    }
}

Result<bool> search_exact(Volume& vol, const TreeRoot& root, const Key& key, Item& out) {
    if (!TRY(search_le(vol, root, key, out))) return false;
    return compare(out.key, key) == 0;
}

}  // namespace xb::fs::btrfs
