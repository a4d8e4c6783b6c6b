// Directory contents. Directories are read linearly, block by block, as
// ordinary entry blocks: an htree (dir_index) keeps its index inside entries
// the linear format skips (the dx_root lies in the ".." entry's rec_len, each
// dx_node in a single empty entry spanning its block), so no index is needed
// to list or search. Inline directories (inline_data) keep the parent's inode
// number in the first 4 bytes of i_block and entries in the rest of i_block
// and in the system.data value.
#pragma once

#include <cstdint>
#include <string_view>

#include "fs/ext4/inode.h"
#include "fs/ext4/volume.h"
#include "lib/result.h"

namespace xb::fs::ext4 {

class EntryVisitor {
  public:
    // One in-use entry (name validated: 1..255 bytes, no NUL, no '/').
    // Returns false to stop.
    virtual Result<bool> entry(std::uint32_t inode, std::string_view name) = 0;

  protected:
    ~EntryVisitor() = default;
};

// Walks the entries in `len` bytes of directory data (a block, or a part of
// an inline directory). rec_len and name_len are checked against the data;
// bad_data names the directory inode and the block (`where`).
// Returns false if the visitor stopped.
Result<bool> walk_entries(const std::uint8_t* data, std::uint32_t len, bool has_filetype, std::uint32_t dir_inode,
                          std::uint64_t where, EntryVisitor& visitor);

// Walks all entries of directory `dir`, reading its blocks into `scratch`
// (block_size bytes). Holes in the directory are skipped. Inline directories
// produce "." and ".." first, as the block format stores them.
Status walk_directory(Volume& vol, const Inode& dir, std::uint8_t* scratch, EntryVisitor& visitor);

}  // namespace xb::fs::ext4
