// Inodes: finding one (group descriptor -> inode table), and the fields this
// reader uses, with the inline-data value (system.data extended attribute in
// the inode body) located and bounds-checked.
#pragma once

#include <cstdint>

#include "fs/ext4/volume.h"
#include "fs/filesystem.h"
#include "lib/result.h"

namespace xb::fs::ext4 {

struct Inode {
    std::uint32_t number = 0;
    std::uint16_t mode = 0;
    std::uint32_t flags = 0;
    std::uint64_t size = 0;
    std::uint8_t block[60] = {};  // i_block: extent root, block map, inline data or fast symlink
    // Inline data beyond i_block: the system.data value, at this offset inside
    // the on-disk inode (0 bytes when absent).
    std::uint32_t inline_value_offset = 0;
    std::uint32_t inline_value_size = 0;

    NodeType type() const;
    bool has_flag(std::uint32_t f) const { return (flags & f) != 0; }
};

// Reads inode `number` (1-based); bad_data for numbers outside the
// filesystem, unreadable descriptors or malformed inline data.
Result<Inode> read_inode(Volume& vol, std::uint32_t number);

// The on-disk inode bytes (inode_size of them) through the volume's cache:
// valid until the next metadata read.
Result<const std::uint8_t*> raw_inode(Volume& vol, std::uint32_t number);

}  // namespace xb::fs::ext4
