#include "fs/xfs/xfs.h"

#include <cstring>
#include <new>

#include "fs/disk_reader.h"
#include "fs/xfs/bmap.h"
#include "fs/xfs/directory.h"
#include "fs/xfs/inode.h"
#include "fs/xfs/layout.h"
#include "fs/xfs/superblock.h"
#include "fs/xfs/volume.h"

namespace xb::fs::xfs {

namespace {

using namespace layout;

// Longest path lookup() accepts (Linux: PATH_MAX 4096 with the NUL).
constexpr std::size_t kMaxPath = 4096;
constexpr std::size_t kMaxName = 255;
// Symlinks followed in one lookup, in total (Linux's MAXSYMLINKS).
constexpr unsigned kMaxSymlinkFollows = 40;
// The scratch buffer also holds a remote symlink extent: at most two 1 KiB
// blocks (a 1024-byte target does not fit one block with its header).
constexpr std::uint32_t kMinScratch = 2 * 1024;

std::uint64_t min(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

class Xfs final : public Filesystem {
  public:
    Xfs(Volume* vol, const char* warning) : vol_(vol), warning_(warning) {}
    ~Xfs() override {
        delete vol_;
        delete[] scratch_;
        delete[] path_;
        delete[] next_path_;
    }

    bool allocate() {
        scratch_size_ = vol_->sb().dir_block_size < kMinScratch ? kMinScratch : vol_->sb().dir_block_size;
        scratch_ = new (std::nothrow) std::uint8_t[scratch_size_];
        path_ = new (std::nothrow) char[kMaxPath];
        next_path_ = new (std::nothrow) char[kMaxPath];
        return scratch_ != nullptr && path_ != nullptr && next_path_ != nullptr;
    }

    const char* type_name() const override { return "xfs"; }
    const char* warning() const override { return warning_; }
    std::string_view uuid() const override { return vol_->sb().uuid; }
    std::string_view label() const override { return vol_->sb().label; }

    Result<Node> lookup(std::string_view path) override;
    Status list(const Node& dir, DirVisitor& visitor) override;
    Result<std::uint64_t> read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) override;

  private:
    Result<std::uint64_t> read_data(const Inode& inode, std::uint64_t offset, std::span<std::uint8_t> buf);
    Result<std::uint64_t> read_target(const Inode& link, char* out);
    Result<std::uint64_t> find_entry(const Inode& dir, std::string_view name);

    Volume* vol_;
    const char* warning_;
    std::uint8_t* scratch_ = nullptr;  // one directory block, or a remote symlink extent
    std::uint32_t scratch_size_ = 0;
    char* path_ = nullptr;       // the rest of the path being resolved
    char* next_path_ = nullptr;  // symlink target + rest, built here
};

// ---- Reading file data.

Result<std::uint64_t> Xfs::read_data(const Inode& inode, std::uint64_t offset, std::span<std::uint8_t> buf) {
    if (offset >= inode.size) return std::uint64_t{0};
    const std::uint64_t total = min(inode.size - offset, buf.size());
    if (inode.format == kFormatLocal) {
        std::memcpy(buf.data(), inode.fork + offset, total);  // read_inode checked size <= fork_size
        return total;
    }
    const std::uint64_t bs = vol_->block_size();
    const std::uint32_t log = vol_->sb().block_log;
    const std::uint64_t end = offset + total;
    const std::uint64_t last_block = (end - 1) >> log;  // inclusive
    std::uint8_t* dst = buf.data();

    // Mapped bytes not yet read: one device read once they stop being contiguous.
    std::uint64_t pending_dev = 0, pending_len = 0;
    std::uint8_t* pending_dst = nullptr;
    auto flush = [&]() -> Status {
        if (pending_len != 0) {
            TRY_CTX(vol_->read_bytes(pending_dev, pending_len, pending_dst), "xfs: reading inode %lu", inode.number);
        }
        pending_len = 0;
        return ok();
    };

    std::uint64_t pos = offset;
    while (pos < end) {
        const std::uint64_t logical = pos >> log;
        const Run run = TRY(map_blocks(*vol_, inode, logical, last_block - logical + 1));
        // Sizes are below 2^63, so (logical + count) * bs fits once count is clamped to the request.
        const std::uint64_t run_end = min((logical + run.count) * bs, end);
        const std::uint64_t n = run_end - pos;
        if (run.mapped) {
            const std::uint64_t dev = (run.physical << log) + (pos - (logical << log));
            if (pending_len != 0 && pending_dev + pending_len != dev) TRY(flush());
            if (pending_len == 0) {
                pending_dev = dev;
                pending_dst = dst;
            }
            pending_len += n;
        } else {
            TRY(flush());
            std::memset(dst, 0, n);
        }
        dst += n;
        pos = run_end;
    }
    TRY(flush());
    return total;
}

// A symlink's target into `out` (kMaxSymlink bytes at least); its length.
// v5 remote targets carry a header per extent ("XSLM", CRC, owner, and the
// byte offset and count of the piece it holds).
Result<std::uint64_t> Xfs::read_target(const Inode& link, char* out) {
    const std::uint64_t size = link.size;
    if (size == 0 || size > kMaxSymlink) {
        return Error::make(Errc::bad_data, "xfs: symlink inode %lu: target of %lu bytes", link.number, size);
    }
    auto* dst = reinterpret_cast<std::uint8_t*>(out);
    if (link.format == kFormatLocal || !vol_->sb().crc) {
        const std::uint64_t got = TRY(read_data(link, 0, {dst, size}));
        if (got != size) return Error::make(Errc::bad_data, "xfs: symlink inode %lu: short target", link.number);
        return size;
    }
    const Superblock& sb = vol_->sb();
    std::uint64_t done = 0, logical = 0;
    while (done < size) {
        // Each extent adds at least one byte, so this ends within kMaxSymlink turns.
        const Run run = TRY(map_blocks(*vol_, link, logical, 2));
        const std::uint64_t bytes = run.count << sb.block_log;
        if (!run.mapped || bytes > scratch_size_) {
            return Error::make(Errc::bad_data, "xfs: symlink inode %lu: remote target has a hole or a %lu-byte extent",
                               link.number, bytes);
        }
        TRY(vol_->read_blocks(run.physical, run.count, scratch_, "a symlink block"));
        const std::uint8_t* b = scratch_;
        const std::uint32_t piece = be32(b + sl::bytes);
        if (be32(b + sl::magic) != kSymlinkMagic || !crc_matches(b, static_cast<std::uint32_t>(bytes), sl::crc) ||
            be64(b + sl::owner) != link.number || be32(b + sl::offset) != done || piece == 0 ||
            piece > bytes - sl::kHeader || piece > size - done) {
            return Error::make(Errc::bad_data, "xfs: block %lu (symlink of inode %lu): bad header or CRC mismatch",
                               run.physical, link.number);
        }
        std::memcpy(dst + done, b + sl::kHeader, piece);
        done += piece;
        logical += run.count;
    }
    return size;
}

Result<std::uint64_t> Xfs::read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) {
    const Inode inode = TRY(read_inode(*vol_, file.id));
    if (inode.type() == NodeType::symlink) {
        const std::uint64_t length = TRY(read_target(inode, next_path_));
        if (offset >= length) return std::uint64_t{0};
        const std::uint64_t n = min(length - offset, buf.size());
        std::memcpy(buf.data(), next_path_ + offset, n);
        return n;
    }
    if (inode.type() != NodeType::file) {
        return Error::make(Errc::invalid_argument, "xfs: inode %lu is not a file", inode.number);
    }
    return read_data(inode, offset, buf);
}

// ---- Directories.

class FindEntry final : public EntryVisitor {
  public:
    explicit FindEntry(std::string_view name) : name_(name) {}
    Result<bool> entry(std::uint64_t inode, std::string_view name) override {
        if (name != name_) return true;
        found = inode;
        return false;
    }
    std::uint64_t found = 0;

  private:
    std::string_view name_;
};

Result<std::uint64_t> Xfs::find_entry(const Inode& dir, std::string_view name) {
    FindEntry finder(name);
    TRY(walk_directory(*vol_, dir, scratch_, finder));
    return finder.found;
}

class ListEntries final : public EntryVisitor {
  public:
    ListEntries(Volume& vol, DirVisitor& visitor) : vol_(vol), visitor_(visitor) {}
    Result<bool> entry(std::uint64_t inode, std::string_view name) override {
        // The inode gives the size (and the type, with or without ftype).
        const Inode child =
            TRY_CTX(read_inode(vol_, inode), "xfs: entry %.*s", static_cast<int>(name.size()), name.data());
        return visitor_.visit(DirEntry{name, node_of(child)});
    }

  private:
    Volume& vol_;
    DirVisitor& visitor_;
};

Status Xfs::list(const Node& dir, DirVisitor& visitor) {
    const Inode inode = TRY(read_inode(*vol_, dir.id));
    if (inode.type() != NodeType::directory) {
        return Error::make(Errc::invalid_argument, "xfs: inode %lu is not a directory", inode.number);
    }
    ListEntries lister(*vol_, visitor);
    return walk_directory(*vol_, inode, scratch_, lister);
}

// ---- Paths.

Result<Node> Xfs::lookup(std::string_view path) {
    if (path.size() >= kMaxPath) return Error::make(Errc::invalid_argument, "xfs: path too long");
    if (!path.empty()) std::memcpy(path_, path.data(), path.size());
    std::string_view rest(path_, path.size());
    const std::uint64_t root = vol_->sb().root_inode;
    Inode current = TRY(read_inode(*vol_, root));
    unsigned follows = 0;
    for (;;) {
        while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
        if (rest.empty()) return node_of(current);
        const std::size_t slash = rest.find('/');
        const std::string_view name = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
        if (name == ".") continue;
        if (name.size() > kMaxName) {
            return Error::make(Errc::invalid_argument, "xfs: path component longer than %zu bytes", kMaxName);
        }
        if (current.type() != NodeType::directory) {
            return Error::make(Errc::not_found, "xfs: %.*s: not a directory (inode %lu)", static_cast<int>(name.size()),
                               name.data(), current.number);
        }
        // ".." is the directory's own ".." entry (the root's points to itself).
        const std::uint64_t number = TRY(find_entry(current, name));
        if (number == 0) {
            return Error::make(Errc::not_found, "xfs: %.*s: not found", static_cast<int>(name.size()), name.data());
        }
        const Inode found = TRY(read_inode(*vol_, number));
        if (found.type() != NodeType::symlink) {
            current = found;
            continue;
        }
        if (++follows > kMaxSymlinkFollows) {
            return Error::make(Errc::bad_data, "xfs: too many levels of symbolic links (more than %u) at %.*s",
                               kMaxSymlinkFollows, static_cast<int>(name.size()), name.data());
        }
        // The target, then the rest of the path, resolved from the directory
        // holding the link (or the root for an absolute target).
        const std::uint64_t target = TRY(read_target(found, next_path_));
        if (target + rest.size() >= kMaxPath) {
            return Error::make(Errc::bad_data, "xfs: symlink inode %lu: path too long with the target", number);
        }
        if (std::memchr(next_path_, '\0', target) != nullptr) {
            return Error::make(Errc::bad_data, "xfs: symlink inode %lu: NUL in the target", number);
        }
        if (!rest.empty()) std::memmove(next_path_ + target, rest.data(), rest.size());
        const std::size_t length = target + rest.size();
        char* swap = path_;
        path_ = next_path_;
        next_path_ = swap;
        rest = std::string_view(path_, length);
        if (rest.front() == '/') current = TRY(read_inode(*vol_, root));
    }
}

}  // namespace

Result<Filesystem*> mount(BlockDevice& dev) {
    TRY_CTX(detail::check_block_size(dev), "xfs: %s", dev.name());
    // The superblock fills the first sector of the filesystem (up to 32 KiB):
    // read the first device block for the magic and the sector size, then
    // the whole sector for the CRC.
    const std::uint32_t dbs = dev.block_size();
    if (dev.block_count() == 0) return Error::make(Errc::not_found, "no XFS superblock");
    std::uint8_t* raw = new (std::nothrow) std::uint8_t[kMaxSectorSize];
    if (raw == nullptr) return Error::make(Errc::no_memory, "xfs: no memory for the superblock");
    Status read = dev.read(0, 1, raw);
    std::uint32_t have = dbs;
    if (read.ok() && be32(raw) == sb::kMagic) {
        const std::uint32_t sect = be16(raw + sb::sectsize);
        if (sect > dbs && sect <= kMaxSectorSize && sect % dbs == 0 && dev.block_count() >= sect / dbs) {
            read = dev.read(1, sect / dbs - 1, raw + dbs);
            have = sect;
        }
    }
    Result<Superblock> parsed = read.ok() ? parse_superblock(raw, have) : Result<Superblock>(read.error());
    delete[] raw;
    if (!parsed.ok()) return parsed.error();
    const Superblock& sb = parsed.value();

    // Every block number is checked against dblocks, so the filesystem must
    // fit the device (which also keeps byte offsets from overflowing).
    bool fits;
    if (sb.block_size >= dbs) {
        fits = sb.dblocks <= dev.block_count() / (sb.block_size / dbs);
    } else {
        const std::uint32_t per = dbs / sb.block_size;  // filesystem blocks per device block
        fits = sb.dblocks / per + (sb.dblocks % per != 0 ? 1 : 0) <= dev.block_count();
    }
    if (!fits) {
        return Error::make(Errc::bad_data, "xfs: %s: the filesystem (%lu blocks of %u) is larger than the device",
                           dev.name(), sb.dblocks, sb.block_size);
    }

    const char* warning = sb.has_incompat(kIncompatNeedsRepair) ? "needs repair (xfs_repair): reading anyway" : "";
    Volume* vol = TRY(Volume::create(dev, sb));
    Xfs* fs = new (std::nothrow) Xfs(vol, warning);
    if (fs == nullptr) {
        delete vol;
        return Error::make(Errc::no_memory, "xfs: no memory for the filesystem");
    }
    if (!fs->allocate()) {
        delete fs;
        return Error::make(Errc::no_memory, "xfs: no memory for the filesystem buffers");
    }
    // The root must be a directory, or nothing can be found.
    Result<Inode> root = read_inode(*vol, sb.root_inode);
    if (!root.ok() || root.value().type() != NodeType::directory) {
        Error e = root.ok() ? Error::make(Errc::bad_data, "xfs: the root inode is not a directory") : root.error();
        delete fs;
        return e;
    }
    return static_cast<Filesystem*>(fs);
}

}  // namespace xb::fs::xfs
