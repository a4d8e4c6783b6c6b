// Searches in a btrfs B-tree (Linux fs/btrfs/ctree.c gives the rules: keys
// ascend within and across nodes; a key pointer's key is the smallest key of
// its child). Every search re-descends from the root, so nothing is held
// between calls and a visitor may search again; the node cache keeps that
// cheap. Descent is bounded by the level, which strictly decreases.
#pragma once

#include <cstdint>

#include "fs/btrfs/volume.h"

namespace xb::fs::btrfs {

// A leaf item. `data` points into the node cache: valid until the next search.
struct Item {
    Key key;
    const std::uint8_t* data = nullptr;
    std::uint32_t size = 0;
};

// The first item with a key >= `key`; false when there is none.
Result<bool> search_ge(Volume& vol, const TreeRoot& root, const Key& key, Item& out);
// The last item with a key <= `key`; false when there is none.
Result<bool> search_le(Volume& vol, const TreeRoot& root, const Key& key, Item& out);
// The item with exactly `key`; false when there is none.
Result<bool> search_exact(Volume& vol, const TreeRoot& root, const Key& key, Item& out);

}  // namespace xb::fs::btrfs
