// XFS directories (version 2/3 format): short-form (entries in the inode's
// data fork), and block, leaf and node directories, whose entries all live in
// data blocks below the 32 GiB leaf offset of the directory. This reader
// walks those data blocks in logical order (the hash index in the leaf and
// node blocks above the offset is never needed to find a name), checking each
// block's magic, CRC and owner (v5), and every entry's bounds.
#pragma once

#include <cstdint>
#include <string_view>

#include "fs/xfs/inode.h"
#include "fs/xfs/volume.h"
#include "lib/result.h"

namespace xb::fs::xfs {

class EntryVisitor {
  public:
    // An entry (names are 1..255 bytes without NUL or '/'); returns false to
    // stop. A short-form directory reports "." and ".." first, as the others
    // store them.
    virtual Result<bool> entry(std::uint64_t inode, std::string_view name) = 0;

  protected:
    ~EntryVisitor() = default;
};

// Calls `visitor` for each entry of `dir`; `buf` holds one directory block
// (sb.dir_block_size bytes).
Status walk_directory(Volume& vol, const Inode& dir, std::uint8_t* buf, EntryVisitor& visitor);

}  // namespace xb::fs::xfs
