// A mounted filesystem, read-only, as the fs commands (ls, load, size, fstype,
// ext4ls/ext4load, fatls/fatload) and the boot flow see it. Implementations:
// fs/ext4 (ext2/3/4), fs/xfs and fs/fat (FAT12/16/32 with VFAT names);
// fs/mount.h probes a BlockDevice for each.
//
// Paths are absolute or relative to the root, '/'-separated; empty components
// and "." are ignored, ".." goes up (never above the root). Symlinks are
// followed where a path is resolved (with a loop limit). Every byte read from
// the disk is untrusted: bad structures give Errc::bad_data with a message that
// names what was wrong and where (inode, block, cluster), never a crash, a hang,
// or a write outside the caller's buffer.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "lib/result.h"

namespace xb::fs {

enum class NodeType : std::uint8_t { file, directory, symlink, other };

// What a path names. `id` is the implementation's handle for it (ext4: the
// inode number; FAT: an index it can find the entry's first cluster from) and
// is only meaningful to the Filesystem that returned it.
struct Node {
    std::uint64_t id = 0;
    std::uint64_t size = 0;  // bytes (files and symlinks); directories: as stored, may be 0
    NodeType type = NodeType::other;
};

// One directory entry, valid only during the visit call.
struct DirEntry {
    std::string_view name;  // UTF-8 (FAT long names converted), no NUL inside
    Node node;              // symlinks are not followed here (type symlink)
};

class DirVisitor {
  public:
    // Returns false to stop the listing early (not an error).
    virtual bool visit(const DirEntry& entry) = 0;

  protected:
    ~DirVisitor() = default;
};

class Filesystem {
  public:
    virtual ~Filesystem() = default;

    // "ext2", "ext3", "ext4", "xfs" or "fat" (U-Boot's `fstype` names; FAT12/16/32 all "fat").
    virtual const char* type_name() const = 0;
    // What the mount tolerated, one line ("journal needs recovery: reading anyway"),
    // or "" when nothing.
    virtual const char* warning() const { return ""; }
    // What GRUB's `search --fs-uuid` / `--label` match, formatted exactly as
    // GRUB's fs_uuid / fs_label give them (ext4: lowercase 8-4-4-4-12 of
    // s_uuid, s_volume_name; FAT: the volume serial as uppercase XXXX-XXXX,
    // the root directory's volume-label entry). "" when there is none.
    virtual std::string_view uuid() const { return ""; }
    virtual std::string_view label() const { return ""; }

    // Resolves `path`, following symlinks (also in the last component).
    // not_found names the missing component.
    virtual Result<Node> lookup(std::string_view path) = 0;
    // Lists a directory (a Node of type directory from lookup()).
    virtual Status list(const Node& dir, DirVisitor& visitor) = 0;
    // Reads up to buf.size() bytes of a file from `offset`; returns the count
    // read (short only at the end of the file). Holes read as zeros. Runs of
    // contiguous blocks become one large device read, so loading a file is
    // nearly as fast as a raw read.
    virtual Result<std::uint64_t> read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) = 0;
};

}  // namespace xb::fs
