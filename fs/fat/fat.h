// FAT12/16/32 with VFAT long names, read-only (Microsoft FAT specification
// 1.03). See fs/fat/README.md for what is supported and checked.
#pragma once

#include "fs/filesystem.h"
#include "lib/block_device.h"

namespace xb::fs::fat {

// Mounts the FAT volume on `dev` (a whole disk or a partition slice). Not a
// FAT volume: Errc::not_found ("no FAT boot sector (why)"), so a prober can
// try other filesystems. The object is heap-allocated (new (std::nothrow));
// the caller deletes it and keeps `dev` alive until then.
Result<Filesystem*> mount(BlockDevice& dev);

}  // namespace xb::fs::fat
