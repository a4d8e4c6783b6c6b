#include "fs/btrfs/btrfs.h"

#include <cstring>
#include <new>

#include "fs/btrfs/file_data.h"
#include "fs/btrfs/layout.h"
#include "fs/btrfs/superblock.h"
#include "fs/btrfs/tree.h"
#include "fs/btrfs/volume.h"
#include "lib/crc32c.h"
#include "lib/endian.h"
#include "lib/format.h"

namespace xb::fs::btrfs {
namespace {

using namespace layout;

constexpr std::size_t kMaxPath = 4096;  // lookup() paths and symlink targets (Linux PATH_MAX)
constexpr std::size_t kMaxName = 255;   // BTRFS_NAME_LEN
constexpr unsigned kMaxSymlinkFollows = 40;
// Subvolumes that can be open at once: Node ids carry a slot of this table.
constexpr unsigned kMaxTrees = 256;
// Directories deep a lookup may go (".." goes back up this stack).
constexpr unsigned kMaxDepth = 256;
// Node id: the subvolume slot above bit 48, the inode number below.
constexpr unsigned kSlotShift = 48;
constexpr std::uint64_t kInoMask = (1ULL << kSlotShift) - 1;

// The DIR_ITEM key offset for a name: Linux btrfs_name_hash(), crc32c seeded
// with ~1 and not inverted at the end. crc32c() here inverts on the way in and
// out, so seed 1 and invert the result.
std::uint64_t name_hash(std::string_view name) { return ~crc32c(1, name.data(), name.size()); }

NodeType type_of_mode(std::uint32_t mode) {
    switch (mode & 0170000) {
        case 0040000: return NodeType::directory;
        case 0100000: return NodeType::file;
        case 0120000: return NodeType::symlink;
        default: return NodeType::other;
    }
}

struct Tree {
    std::uint64_t id = 0;
    TreeRoot root;
    std::uint64_t root_dirid = 0;
};

// One entry of a DIR_ITEM or DIR_INDEX item: bounds-checked view.
struct DirEntryView {
    Key location;
    std::string_view name;
    std::uint32_t total = 0;  // bytes of this entry (header, name, data)
};

Result<DirEntryView> parse_dir_entry(const std::uint8_t* p, std::uint32_t left, std::uint64_t dir) {
    if (left < kDirHeaderSize) {
        return Error::make(Errc::bad_data, "btrfs: directory %lu: entry of %u bytes", dir, left);
    }
    const std::uint32_t name_len = load_le16(p + kDirNameLen);
    const std::uint32_t data_len = load_le16(p + kDirDataLen);
    if (name_len == 0 || name_len > kMaxName || name_len + data_len > left - kDirHeaderSize) {
        return Error::make(Errc::bad_data, "btrfs: directory %lu: entry name of %u bytes (%u of data) in %u bytes", dir,
                           name_len, data_len, left);
    }
    DirEntryView v;
    v.location = load_key(p + kDirLocation);
    v.name = std::string_view(reinterpret_cast<const char*>(p + kDirHeaderSize), name_len);
    v.total = kDirHeaderSize + name_len + data_len;
    if (v.name.find('/') != std::string_view::npos || v.name.find('\0') != std::string_view::npos) {
        return Error::make(Errc::bad_data, "btrfs: directory %lu: entry name with '/' or NUL", dir);
    }
    return v;
}

class Btrfs final : public BtrfsFilesystem {
  public:
    Btrfs(Volume* vol, const char* warning) : vol_(vol), data_(*vol) {
        format_to(warning_, sizeof warning_, "%s", warning);
    }
    ~Btrfs() override {
        delete[] trees_;
        delete[] path_;
        delete[] next_path_;
        delete[] stack_;
        delete vol_;
    }

    bool allocate() {
        trees_ = new (std::nothrow) Tree[kMaxTrees];
        path_ = new (std::nothrow) char[kMaxPath];
        next_path_ = new (std::nothrow) char[kMaxPath];
        stack_ = new (std::nothrow) std::uint64_t[kMaxDepth];
        return trees_ != nullptr && path_ != nullptr && next_path_ != nullptr && stack_ != nullptr;
    }

    Status init();

    const char* type_name() const override { return "btrfs"; }
    const char* warning() const override { return warning_; }
    std::string_view uuid() const override { return vol_->sb().uuid; }
    std::string_view label() const override { return vol_->sb().label; }
    std::uint64_t default_subvolume() const override { return default_subvol_; }
    std::string_view default_subvolume_path() const override { return default_path_; }

    Result<Node> lookup(std::string_view path) override;
    Status list(const Node& dir, DirVisitor& visitor) override;
    Result<std::uint64_t> read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) override;

  private:
    struct Inode {
        std::uint64_t size;
        NodeType type;
    };
    TreeRoot root_tree() const { return {vol_->sb().root, vol_->sb().root_level}; }
    Result<unsigned> open_tree(std::uint64_t subvol);
    Result<Inode> read_inode(unsigned slot, std::uint64_t ino);
    Result<Node> node_at(unsigned slot, const Key& location, std::uint64_t dir);
    Result<Node> node_of(std::uint64_t id);
    Result<bool> find_entry(unsigned slot, std::uint64_t dir, std::string_view name, Key& location);
    Status find_default();
    Status name_subvolume(std::uint64_t subvol);

    Volume* vol_;
    FileData data_;
    char warning_[200] = {};
    Tree* trees_ = nullptr;
    unsigned tree_count_ = 0;
    char* path_ = nullptr;
    char* next_path_ = nullptr;
    std::uint64_t* stack_ = nullptr;  // Node ids of the directories above the current one
    std::uint64_t default_subvol_ = kFsTree;
    char default_path_[256] = {};
};

Result<unsigned> Btrfs::open_tree(std::uint64_t subvol) {
    for (unsigned i = 0; i < tree_count_; ++i) {
        if (trees_[i].id == subvol) return i;
    }
    if (subvol != kFsTree && (subvol < kFirstFreeObjectid || subvol > kLastFreeObjectid)) {
        return Error::make(Errc::bad_data, "btrfs: %lu is not a subvolume id", subvol);
    }
    if (tree_count_ == kMaxTrees) {
        return Error::make(Errc::no_space, "btrfs: more than %u subvolumes visited", kMaxTrees);
    }
    Item item;
    if (!TRY(search_ge(*vol_, root_tree(), Key{subvol, kRootItem, 0}, item)) || item.key.objectid != subvol ||
        item.key.type != kRootItem) {
        return Error::make(Errc::bad_data, "btrfs: subvolume %lu has no root item", subvol);
    }
    if (item.size < kRootItemMinSize) {
        return Error::make(Errc::bad_data, "btrfs: subvolume %lu: root item of %u bytes", subvol, item.size);
    }
    Tree t;
    t.id = subvol;
    t.root.bytenr = load_le64(item.data + kRootItemBytenr);
    t.root.level = item.data[kRootItemLevel];
    t.root_dirid = load_le64(item.data + kRootItemRootDirid);
    if (t.root.level >= kMaxLevel || t.root_dirid < kFirstFreeObjectid || t.root_dirid > kInoMask) {
        return Error::make(Errc::bad_data, "btrfs: subvolume %lu: root level %u, root directory %lu", subvol,
                           t.root.level, t.root_dirid);
    }
    trees_[tree_count_] = t;
    return tree_count_++;
}

Result<Btrfs::Inode> Btrfs::read_inode(unsigned slot, std::uint64_t ino) {
    Item item;
    if (!TRY(search_exact(*vol_, trees_[slot].root, Key{ino, kInodeItem, 0}, item))) {
        return Error::make(Errc::bad_data, "btrfs: subvolume %lu: inode %lu has no inode item", trees_[slot].id, ino);
    }
    if (item.size < kInodeItemSize) {
        return Error::make(Errc::bad_data, "btrfs: subvolume %lu: inode %lu: item of %u bytes", trees_[slot].id, ino,
                           item.size);
    }
    return Inode{load_le64(item.data + kInodeSize), type_of_mode(load_le32(item.data + kInodeMode))};
}

// The Node a directory entry's location names: an inode of the same subvolume,
// or the root directory of another subvolume.
Result<Node> Btrfs::node_at(unsigned slot, const Key& location, std::uint64_t dir) {
    if (location.type == kRootItem) {
        const unsigned sub = TRY(open_tree(location.objectid));
        const Inode inode = TRY(read_inode(sub, trees_[sub].root_dirid));
        if (inode.type != NodeType::directory) {
            return Error::make(Errc::bad_data, "btrfs: subvolume %lu: the root is not a directory", location.objectid);
        }
        return Node{(std::uint64_t{sub} << kSlotShift) | trees_[sub].root_dirid, inode.size, inode.type};
    }
    if (location.type != kInodeItem || location.objectid < kFirstFreeObjectid || location.objectid > kInoMask) {
        return Error::make(Errc::bad_data, "btrfs: directory %lu: entry points at (%lu, %u)", dir, location.objectid,
                           location.type);
    }
    const Inode inode = TRY(read_inode(slot, location.objectid));
    return Node{(std::uint64_t{slot} << kSlotShift) | location.objectid, inode.size, inode.type};
}

Result<Node> Btrfs::node_of(std::uint64_t id) {
    const std::uint64_t slot = id >> kSlotShift;
    if (slot >= tree_count_) return Error::make(Errc::invalid_argument, "btrfs: bad node id 0x%lx", id);
    const Inode inode = TRY(read_inode(static_cast<unsigned>(slot), id & kInoMask));
    return Node{id, inode.size, inode.type};
}

Result<bool> Btrfs::find_entry(unsigned slot, std::uint64_t dir, std::string_view name, Key& location) {
    Item item;
    if (!TRY(search_exact(*vol_, trees_[slot].root, Key{dir, kDirItem, name_hash(name)}, item))) return false;
    // Names whose hashes collide share the item, one entry after another.
    for (std::uint32_t at = 0; at < item.size;) {
        const DirEntryView e = TRY(parse_dir_entry(item.data + at, item.size - at, dir));
        if (e.name == name) {
            location = e.location;
            return true;
        }
        at += e.total;
    }
    return false;
}

// ---- Reading and listing.

Result<std::uint64_t> Btrfs::read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) {
    const Node n = TRY(node_of(file.id));
    if (n.type != NodeType::file && n.type != NodeType::symlink) {
        return Error::make(Errc::invalid_argument, "btrfs: inode %lu is not a file", file.id & kInoMask);
    }
    return data_.read(trees_[file.id >> kSlotShift].root, file.id & kInoMask, n.size, offset, buf);
}

Status Btrfs::list(const Node& dir, DirVisitor& visitor) {
    const Node d = TRY(node_of(dir.id));
    if (d.type != NodeType::directory) {
        return Error::make(Errc::invalid_argument, "btrfs: inode %lu is not a directory", dir.id & kInoMask);
    }
    const unsigned slot = static_cast<unsigned>(dir.id >> kSlotShift);
    const std::uint64_t ino = dir.id & kInoMask;
    char name[kMaxName];
    // DIR_INDEX items in key order (creation order, as `ls -f` lists them);
    // each search starts past the last key, so the walk ends.
    Key next{ino, kDirIndex, 0};
    for (;;) {
        Item item;
        if (!TRY(search_ge(*vol_, trees_[slot].root, next, item)) || item.key.objectid != ino ||
            item.key.type != kDirIndex) {
            return ok();
        }
        const DirEntryView e = TRY(parse_dir_entry(item.data, item.size, ino));
        const std::size_t name_len = e.name.size();
        std::memcpy(name, e.name.data(), name_len);
        const Key location = e.location;
        const bool last = item.key.offset == ~0ULL;  // no key after it to search from
        next.offset = item.key.offset + 1;
        const Node child = TRY_CTX(node_at(slot, location, ino), "btrfs: entry %.*s", static_cast<int>(name_len), name);
        if (!visitor.visit(DirEntry{std::string_view(name, name_len), child}) || last) return ok();
    }
}

// ---- Paths.

Result<Node> Btrfs::lookup(std::string_view path) {
    if (path.size() >= kMaxPath) return Error::make(Errc::invalid_argument, "btrfs: path too long");
    if (!path.empty()) std::memcpy(path_, path.data(), path.size());
    std::string_view rest(path_, path.size());
    const std::uint64_t top = trees_[0].root_dirid;  // slot 0 is the top level
    Node current = TRY(node_of(top));
    unsigned depth = 0;
    unsigned follows = 0;
    for (;;) {
        while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
        if (rest.empty()) return current;
        const std::size_t slash = rest.find('/');
        const std::string_view name = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
        if (name == ".") continue;
        if (name.size() > kMaxName) {
            return Error::make(Errc::invalid_argument, "btrfs: path component longer than %zu bytes", kMaxName);
        }
        if (current.type != NodeType::directory) {
            return Error::make(Errc::not_found, "btrfs: %.*s: not a directory (inode %lu)",
                               static_cast<int>(name.size()), name.data(), current.id & kInoMask);
        }
        // btrfs stores no "..": go back to where we came from (never above the top).
        if (name == "..") {
            current = TRY(node_of(depth == 0 ? top : stack_[--depth]));
            continue;
        }
        const unsigned slot = static_cast<unsigned>(current.id >> kSlotShift);
        Key location;
        if (!TRY(find_entry(slot, current.id & kInoMask, name, location))) {
            return Error::make(Errc::not_found, "btrfs: %.*s: not found", static_cast<int>(name.size()), name.data());
        }
        const Node found = TRY(node_at(slot, location, current.id & kInoMask));
        if (found.type != NodeType::symlink) {
            if (depth == kMaxDepth) {
                return Error::make(Errc::invalid_argument, "btrfs: path deeper than %u directories", kMaxDepth);
            }
            stack_[depth++] = current.id;
            current = found;
            continue;
        }
        if (++follows > kMaxSymlinkFollows) {
            return Error::make(Errc::bad_data, "btrfs: too many levels of symbolic links (more than %u) at %.*s",
                               kMaxSymlinkFollows, static_cast<int>(name.size()), name.data());
        }
        // The target, then the rest of the path, from the directory holding
        // the link (or the top level for an absolute target).
        if (found.size == 0 || found.size >= kMaxPath || found.size + rest.size() >= kMaxPath) {
            return Error::make(Errc::bad_data, "btrfs: symlink inode %lu: target of %lu bytes", found.id & kInoMask,
                               found.size);
        }
        const std::uint64_t target = found.size;
        const std::uint64_t got = TRY(read(found, 0, {reinterpret_cast<std::uint8_t*>(next_path_), target}));
        if (got != target || std::memchr(next_path_, '\0', target) != nullptr) {
            return Error::make(Errc::bad_data, "btrfs: symlink inode %lu: short target or NUL in it",
                               found.id & kInoMask);
        }
        if (!rest.empty()) std::memcpy(next_path_ + target, rest.data(), rest.size());
        const std::size_t length = target + rest.size();
        char* swap = path_;
        path_ = next_path_;
        next_path_ = swap;
        rest = std::string_view(path_, length);
        if (rest.front() == '/') {
            current = TRY(node_of(top));
            depth = 0;
        }
    }
}

// ---- Mount.

// The "default" DIR_ITEM in the root tree's directory (objectid 6), which
// `btrfs subvolume set-default` writes; none means the top level.
Status Btrfs::find_default() {
    Item item;
    constexpr std::string_view kDefault = "default";
    if (!TRY(search_exact(*vol_, root_tree(), Key{kRootTreeDir, kDirItem, name_hash(kDefault)}, item))) return ok();
    for (std::uint32_t at = 0; at < item.size;) {
        const DirEntryView e = TRY(parse_dir_entry(item.data + at, item.size - at, kRootTreeDir));
        if (e.name == kDefault) {
            default_subvol_ = e.location.objectid;
            return name_subvolume(default_subvol_);
        }
        at += e.total;
    }
    return ok();
}

// default_path_ = the path of `subvol` from the top level, built backwards
// from ROOT_BACKREF items (the subvolume's name in its parent and the
// directory holding it) and INODE_REF items (each directory's name up to the
// parent subvolume's root). Bounded by the buffer: every step adds a name.
Status Btrfs::name_subvolume(std::uint64_t subvol) {
    char buf[sizeof default_path_];
    std::size_t start = sizeof buf;  // the path is built at the end of buf
    auto prepend = [&](std::string_view name) -> bool {
        if (name.size() + 1 > start) return false;
        start -= name.size();
        std::memcpy(buf + start, name.data(), name.size());
        buf[--start] = '/';
        return true;
    };
    for (unsigned hops = 0; subvol != kFsTree; ++hops) {
        Item item;
        if (hops == 64 || !TRY(search_ge(*vol_, root_tree(), Key{subvol, kRootBackref, 0}, item)) ||
            item.key.objectid != subvol || item.key.type != kRootBackref || item.size < 18) {
            return ok();  // cannot be named: leave it empty
        }
        const std::uint64_t parent = item.key.offset;
        std::uint64_t dir = load_le64(item.data);
        const std::uint32_t len = load_le16(item.data + 16);
        if (len == 0 || len > item.size - 18u || !prepend({reinterpret_cast<const char*>(item.data + 18), len})) {
            return ok();
        }
        const Result<unsigned> slot = open_tree(parent);
        if (!slot.ok()) return ok();
        // Directories between the parent subvolume's root and the subvolume.
        for (unsigned steps = 0; dir != trees_[slot.value()].root_dirid; ++steps) {
            Item ref;
            if (steps == 64 || !TRY(search_ge(*vol_, trees_[slot.value()].root, Key{dir, kInodeRef, 0}, ref)) ||
                ref.key.objectid != dir || ref.key.type != kInodeRef || ref.size < 10) {
                return ok();
            }
            const std::uint32_t n = load_le16(ref.data + 8);
            if (n == 0 || n > ref.size - 10u || !prepend({reinterpret_cast<const char*>(ref.data + 10), n})) {
                return ok();
            }
            dir = ref.key.offset;
        }
        subvol = parent;
    }
    if (start < sizeof buf)
        format_to(default_path_, sizeof default_path_, "%.*s", static_cast<int>(sizeof buf - start - 1),
                  buf + start + 1);
    return ok();
}

Status Btrfs::init() {
    const unsigned top = TRY(open_tree(kFsTree));
    const Node root = TRY(node_of((std::uint64_t{top} << kSlotShift) | trees_[top].root_dirid));
    if (root.type != NodeType::directory) return Error::make(Errc::bad_data, "btrfs: the top level is not a directory");
    return find_default();
}

}  // namespace

Result<BtrfsFilesystem*> open(BlockDevice& dev) {
    const Superblock sb = TRY(read_superblock(dev));
    char warning[120] = "";
    if (sb.copy != 0) {
        format_to(warning, sizeof warning, "primary superblock damaged: using the copy at %s",
                  sb.copy == 1 ? "64 MiB" : "256 GiB");
    }
    Volume* vol = TRY(Volume::create(dev, sb));
    Btrfs* fs = new (std::nothrow) Btrfs(vol, warning);
    if (fs == nullptr) {
        delete vol;
        return Error::make(Errc::no_memory, "btrfs: no memory for the filesystem");
    }
    if (!fs->allocate()) {
        delete fs;
        return Error::make(Errc::no_memory, "btrfs: no memory for the filesystem buffers");
    }
    const Status s = fs->init();
    if (!s.ok()) {
        delete fs;
        Error e = s.error();
        return e.prefix("%s", dev.name());
    }
    return static_cast<BtrfsFilesystem*>(fs);
}

Result<Filesystem*> mount(BlockDevice& dev) {
    BtrfsFilesystem* fs = TRY(open(dev));
    return static_cast<Filesystem*>(fs);
}

}  // namespace xb::fs::btrfs
