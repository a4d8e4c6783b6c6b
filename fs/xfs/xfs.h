// XFS (v5, and v4 without CRCs), read-only. See README.md for what is
// supported and refused.
#pragma once

#include "fs/filesystem.h"
#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs::xfs {

// Mounts the filesystem on `dev` (which must outlive it). not_found ("no XFS
// superblock") when the magic is absent, so a prober can try another type;
// bad_data / unsupported for a superblock that cannot be used. The object is
// allocated with new (std::nothrow); the caller deletes it. Not reentrant: a
// DirVisitor must not call back into the same Filesystem.
Result<Filesystem*> mount(BlockDevice& dev);

}  // namespace xb::fs::xfs
