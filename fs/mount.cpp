#include "fs/mount.h"

#include <array>

#include "fs/btrfs/btrfs.h"
#include "fs/ext4/ext4.h"
#include "fs/fat/fat.h"
#include "fs/xfs/xfs.h"
#include "lib/format.h"

namespace xb::fs {
namespace {

// Probing order: readers with a fixed magic first; FAT's BPB check is the
// weakest, so it comes last.
constexpr std::array kProbers{
    FsProber{FsKind::ext4, "ext4", "ext2/3/4", ext4::mount},
    FsProber{FsKind::xfs, "xfs", "XFS", xfs::mount},
    FsProber{FsKind::btrfs, "btrfs", "btrfs", btrfs::mount},
    FsProber{FsKind::fat, "fat", "FAT", fat::mount},
};

}  // namespace

std::span<const FsProber> fs_probers() { return kProbers; }

Result<Filesystem*> mount(BlockDevice& dev, FsKind kind) {
    for (const FsProber& p : kProbers) {
        if (kind != FsKind::any && kind != p.kind) continue;
        Result<Filesystem*> fs = p.mount(dev);
        // Only "not this type" moves on to the next probe: a recognised but
        // damaged filesystem, or an I/O error, is the answer.
        if (fs.ok() || fs.error().code() != Errc::not_found || kind != FsKind::any) return fs;
    }
    // "no ext2/3/4, XFS or FAT filesystem": every reader, the last after "or".
    char names[96] = "";
    std::size_t used = 0;
    for (std::size_t i = 0; i < kProbers.size(); ++i) {
        const char* sep = i == 0 ? "" : (i + 1 == kProbers.size() ? " or " : ", ");
        used += format_to(names + used, sizeof names - used, "%s%s", sep, kProbers[i].description);
        if (used >= sizeof names) break;
    }
    return Error::make(Errc::not_found, "%s: no %s filesystem", dev.name(), names);
}

}  // namespace xb::fs
