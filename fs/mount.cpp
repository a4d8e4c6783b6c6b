#include "fs/mount.h"

#include "fs/ext4/ext4.h"
#include "fs/fat/fat.h"

namespace xb::fs {

Result<Filesystem*> mount(BlockDevice& dev, FsKind kind) {
    if (kind == FsKind::any || kind == FsKind::ext4) {
        Result<Filesystem*> fs = ext4::mount(dev);
        // Only "not this type" moves on to the next probe: a recognised but
        // damaged filesystem, or an I/O error, is the answer.
        if (fs.ok() || fs.error().code() != Errc::not_found) return fs;
        if (kind == FsKind::ext4) return fs;
    }
    if (kind == FsKind::any || kind == FsKind::fat) {
        Result<Filesystem*> fs = fat::mount(dev);
        if (fs.ok() || fs.error().code() != Errc::not_found || kind == FsKind::fat) return fs;
    }
    return Error::make(Errc::not_found, "%s: no ext2/3/4 or FAT filesystem", dev.name());
}

}  // namespace xb::fs
