// btrfs, read-only, single device. See README.md for what is supported and
// refused, and for how subvolumes appear (from the top level, as GRUB sees
// them).
#pragma once

#include <cstdint>
#include <string_view>

#include "fs/filesystem.h"
#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs::btrfs {

// What a btrfs mount tells beyond fs/filesystem.h.
class BtrfsFilesystem : public Filesystem {
  public:
    // The subvolume `btrfs subvolume set-default` chose (the "default"
    // DIR_ITEM of the root tree; 5, the top level, when there is none) and
    // its path from the top level ("root", "" for the top level itself or
    // when it cannot be named). Paths given to lookup() start at the top
    // level whatever this says, as in GRUB: the default subvolume of a Fedora
    // disk is the top level anyway and its kernels are under /root/boot.
    virtual std::uint64_t default_subvolume() const = 0;
    virtual std::string_view default_subvolume_path() const = 0;
};

// Mounts the filesystem on `dev` (which must outlive it). not_found ("no
// btrfs superblock") when the primary superblock's magic is absent, so a
// prober can try another type; bad_data / unsupported for a filesystem that
// cannot be used (several devices, RAID, a checksum other than crc32c).
// Allocated with new (std::nothrow); the caller deletes it. Not reentrant: a
// DirVisitor must not call back into the same Filesystem.
Result<BtrfsFilesystem*> open(BlockDevice& dev);
// open(), as the prober table wants it.
Result<Filesystem*> mount(BlockDevice& dev);

}  // namespace xb::fs::btrfs
