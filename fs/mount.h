// Finds the filesystem on a block device by probing each reader in turn (the
// table in mount.cpp): ext2/3/4 and XFS first (their superblock magics are at
// fixed places), then FAT (a validated BPB), last because its check is the
// weakest.
// The result is heap-allocated; the caller deletes it (or uses MountedFs).
#pragma once

#include <cstddef>
#include <span>

#include "fs/filesystem.h"
#include "lib/block_device.h"

namespace xb::fs {

enum class FsKind : std::uint8_t { any, ext4, fat, xfs, btrfs };

// One reader the prober knows: `name` as `fstypes` lists it (U-Boot's
// names), `description` as errors name it.
struct FsProber {
    FsKind kind;
    const char* name;
    const char* description;
    Result<Filesystem*> (*mount)(BlockDevice& dev);
};

// Every reader, in probing order.
std::span<const FsProber> fs_probers();

// not_found: "no ext2/3/4, XFS, btrfs or FAT filesystem" (every name in the table);
// other errors (I/O, a corrupt superblock of a recognised type) are returned
// as the filesystem gave them. A `kind` other than any probes only that one.
Result<Filesystem*> mount(BlockDevice& dev, FsKind kind = FsKind::any);

// Owns a mounted filesystem for a scope.
class MountedFs {
  public:
    MountedFs() = default;
    explicit MountedFs(Filesystem* fs) : fs_(fs) {}
    ~MountedFs() { delete fs_; }
    MountedFs(const MountedFs&) = delete;
    MountedFs& operator=(const MountedFs&) = delete;
    void reset(Filesystem* fs) {
        delete fs_;
        fs_ = fs;
    }
    Filesystem* get() const { return fs_; }
    Filesystem* operator->() const { return fs_; }
    explicit operator bool() const { return fs_ != nullptr; }

  private:
    Filesystem* fs_ = nullptr;
};

}  // namespace xb::fs
