#include "fs/ext4/ext4.h"

#include <cstring>
#include <new>

#include "fs/ext4/block_map.h"
#include "fs/ext4/directory.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/layout.h"
#include "fs/ext4/superblock.h"
#include "fs/ext4/volume.h"
#include "fs/disk_reader.h"

namespace xb::fs::ext4 {

namespace {

using namespace layout;

// Longest path lookup() accepts, and longest symlink target (Linux: PATH_MAX 4096 with the NUL).
constexpr std::size_t kMaxPath = 4096;
constexpr std::size_t kMaxName = 255;
// Symlinks followed in one lookup, in total (Linux's MAXSYMLINKS).
constexpr unsigned kMaxSymlinkFollows = 40;

std::uint64_t min(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

Node node_of(const Inode& inode) { return Node{inode.number, inode.size, inode.type()}; }

// A symlink whose target is stored in i_block itself: the kernel decides by
// size alone (shorter than i_block's 60 bytes) unless the data is inline.
bool is_fast_symlink(const Inode& inode) {
    return inode.type() == NodeType::symlink && !inode.has_flag(kFlagInlineData) && inode.size < inode::kBlockBytes;
}

Status refuse_encrypted(const Inode& inode) {
    if (inode.has_flag(kFlagEncrypt)) {
        return Error::make(Errc::unsupported, "ext4: inode %u is encrypted", inode.number);
    }
    return ok();
}

class Ext4 final : public Filesystem {
  public:
    Ext4(Volume* vol, const char* warning) : vol_(vol), warning_(warning) {}
    ~Ext4() override {
        delete vol_;
        delete[] scratch_;
        delete[] path_;
        delete[] next_path_;
    }

    bool allocate() {
        scratch_ = new (std::nothrow) std::uint8_t[vol_->block_size()];
        path_ = new (std::nothrow) char[kMaxPath];
        next_path_ = new (std::nothrow) char[kMaxPath];
        return scratch_ != nullptr && path_ != nullptr && next_path_ != nullptr;
    }

    const char* type_name() const override { return ext4::type_name(vol_->sb()); }
    const char* warning() const override { return warning_; }
    std::string_view uuid() const override { return vol_->sb().uuid; }
    std::string_view label() const override { return vol_->sb().label; }

    Result<Node> lookup(std::string_view path) override;
    Status list(const Node& dir, DirVisitor& visitor) override;
    Result<std::uint64_t> read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) override;

  private:
    Result<std::uint64_t> read_data(const Inode& inode, std::uint64_t offset, std::span<std::uint8_t> buf);
    Result<std::uint64_t> read_inline(const Inode& inode, std::uint64_t offset, std::span<std::uint8_t> buf);
    Result<std::uint32_t> find_entry(const Inode& dir, std::string_view name);

    Volume* vol_;
    const char* warning_;
    std::uint8_t* scratch_ = nullptr;  // one block: directory data
    char* path_ = nullptr;             // the rest of the path being resolved
    char* next_path_ = nullptr;        // symlink target + rest, built here
};

// ---- Reading file data.

Result<std::uint64_t> Ext4::read_inline(const Inode& inode, std::uint64_t offset, std::span<std::uint8_t> buf) {
    const std::uint64_t stored = std::uint64_t{inode::kBlockBytes} + inode.inline_value_size;
    if (inode.size > stored) {
        return Error::make(Errc::bad_data, "ext4: inode %u: inline file of %lu bytes has only %lu stored", inode.number,
                           inode.size, stored);
    }
    if (offset >= inode.size) return std::uint64_t{0};
    const std::uint64_t n = min(inode.size - offset, buf.size());
    const std::uint8_t* raw = TRY(raw_inode(*vol_, inode.number));
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t at = offset + i;
        buf[i] = at < inode::kBlockBytes ? inode.block[at] : raw[inode.inline_value_offset + (at - inode::kBlockBytes)];
    }
    return n;
}

Result<std::uint64_t> Ext4::read_data(const Inode& inode, std::uint64_t offset, std::span<std::uint8_t> buf) {
    TRY(refuse_encrypted(inode));
    if (inode.has_flag(kFlagInlineData)) return read_inline(inode, offset, buf);
    if (offset >= inode.size) return std::uint64_t{0};
    if (is_fast_symlink(inode)) {
        const std::uint64_t n = min(inode.size - offset, buf.size());
        std::memcpy(buf.data(), inode.block + offset, n);
        return n;
    }
    const std::uint64_t total = min(inode.size - offset, buf.size());
    const std::uint64_t bs = vol_->block_size();
    const std::uint64_t end = offset + total;
    const std::uint64_t last_block = (end - 1) / bs;  // inclusive
    std::uint8_t* dst = buf.data();

    // Mapped bytes not yet read: one device read once they stop being contiguous.
    std::uint64_t pending_dev = 0, pending_len = 0;
    std::uint8_t* pending_dst = nullptr;
    auto flush = [&]() -> Status {
        if (pending_len != 0) {
            TRY_CTX(vol_->read_bytes(pending_dev, pending_len, pending_dst), "ext4: reading inode %u", inode.number);
        }
        pending_len = 0;
        return ok();
    };

    std::uint64_t pos = offset;
    while (pos < end) {
        const std::uint64_t logical = pos / bs;
        const Run run = TRY(map_blocks(*vol_, inode, logical, last_block - logical + 1));
        // (logical + count) * bs may not fit 64 bits near a hostile 2^64 size: compare in blocks first.
        const std::uint64_t run_end = logical + run.count > end / bs ? end : (logical + run.count) * bs;
        const std::uint64_t n = run_end - pos;
        if (run.mapped) {
            const std::uint64_t dev = run.physical * bs + (pos - logical * bs);
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

Result<std::uint64_t> Ext4::read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) {
    if (file.id > 0xFFFFFFFFull) return Error::make(Errc::invalid_argument, "ext4: bad inode number");
    const Inode inode = TRY(read_inode(*vol_, static_cast<std::uint32_t>(file.id)));
    if (inode.type() != NodeType::file && inode.type() != NodeType::symlink) {
        return Error::make(Errc::invalid_argument, "ext4: inode %u is not a file", inode.number);
    }
    return read_data(inode, offset, buf);
}

// ---- Directories.

class FindEntry final : public EntryVisitor {
  public:
    explicit FindEntry(std::string_view name) : name_(name) {}
    Result<bool> entry(std::uint32_t inode, std::string_view name) override {
        if (name != name_) return true;
        found = inode;
        return false;
    }
    std::uint32_t found = 0;

  private:
    std::string_view name_;
};

Result<std::uint32_t> Ext4::find_entry(const Inode& dir, std::string_view name) {
    TRY(refuse_encrypted(dir));
    FindEntry finder(name);
    TRY(walk_directory(*vol_, dir, scratch_, finder));
    return finder.found;
}

class ListEntries final : public EntryVisitor {
  public:
    ListEntries(Volume& vol, DirVisitor& visitor) : vol_(vol), visitor_(visitor) {}
    Result<bool> entry(std::uint32_t inode, std::string_view name) override {
        const Inode child =
            TRY_CTX(read_inode(vol_, inode), "ext4: entry %.*s", static_cast<int>(name.size()), name.data());
        return visitor_.visit(DirEntry{name, node_of(child)});
    }

  private:
    Volume& vol_;
    DirVisitor& visitor_;
};

Status Ext4::list(const Node& dir, DirVisitor& visitor) {
    if (dir.id > 0xFFFFFFFFull) return Error::make(Errc::invalid_argument, "ext4: bad inode number");
    const Inode inode = TRY(read_inode(*vol_, static_cast<std::uint32_t>(dir.id)));
    if (inode.type() != NodeType::directory) {
        return Error::make(Errc::invalid_argument, "ext4: inode %u is not a directory", inode.number);
    }
    TRY(refuse_encrypted(inode));
    ListEntries lister(*vol_, visitor);
    return walk_directory(*vol_, inode, scratch_, lister);
}

// ---- Paths.

Result<Node> Ext4::lookup(std::string_view path) {
    if (path.size() >= kMaxPath) return Error::make(Errc::invalid_argument, "ext4: path too long");
    if (!path.empty()) std::memcpy(path_, path.data(), path.size());
    std::string_view rest(path_, path.size());
    Inode current = TRY(read_inode(*vol_, kRootInode));
    unsigned follows = 0;
    for (;;) {
        while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
        if (rest.empty()) return node_of(current);
        const std::size_t slash = rest.find('/');
        const std::string_view name = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
        if (name == ".") continue;
        if (name.size() > kMaxName) {
            return Error::make(Errc::invalid_argument, "ext4: path component longer than %zu bytes", kMaxName);
        }
        if (current.type() != NodeType::directory) {
            return Error::make(Errc::not_found, "ext4: %.*s: not a directory (inode %u)", static_cast<int>(name.size()),
                               name.data(), current.number);
        }
        // ".." is the directory's own ".." entry (the root's points to itself).
        const std::uint32_t number = TRY(find_entry(current, name));
        if (number == 0) {
            return Error::make(Errc::not_found, "ext4: %.*s: not found", static_cast<int>(name.size()), name.data());
        }
        const Inode found = TRY(read_inode(*vol_, number));
        if (found.type() != NodeType::symlink) {
            current = found;
            continue;
        }
        if (++follows > kMaxSymlinkFollows) {
            return Error::make(Errc::bad_data, "ext4: too many levels of symbolic links (more than %u) at %.*s",
                               kMaxSymlinkFollows, static_cast<int>(name.size()), name.data());
        }
        // The target, then the rest of the path, resolved from the directory
        // holding the link (or the root for an absolute target).
        if (found.size == 0 || found.size >= kMaxPath || found.size + rest.size() >= kMaxPath) {
            return Error::make(Errc::bad_data, "ext4: symlink inode %u: target of %lu bytes", number, found.size);
        }
        const std::uint64_t target = found.size;
        const std::uint64_t got = TRY(read_data(found, 0, {reinterpret_cast<std::uint8_t*>(next_path_), target}));
        if (got != target) return Error::make(Errc::bad_data, "ext4: symlink inode %u: short target", number);
        if (!rest.empty()) std::memcpy(next_path_ + target, rest.data(), rest.size());
        const std::size_t length = target + rest.size();
        if (std::memchr(next_path_, '\0', target) != nullptr) {
            return Error::make(Errc::bad_data, "ext4: symlink inode %u: NUL in the target", number);
        }
        char* swap = path_;
        path_ = next_path_;
        next_path_ = swap;
        rest = std::string_view(path_, length);
        if (rest.front() == '/') current = TRY(read_inode(*vol_, kRootInode));
    }
}

}  // namespace

Result<Filesystem*> mount(BlockDevice& dev) {
    TRY_CTX(detail::check_block_size(dev), "ext4: %s", dev.name());
    // The superblock: 1024 bytes at byte 1024, read through whole device blocks.
    const std::uint32_t dbs = dev.block_size();
    const std::uint64_t first = kSuperblockOffset / dbs;
    const std::uint64_t count = (kSuperblockOffset + kSuperblockSize + dbs - 1) / dbs - first;
    if (dev.block_count() < first + count) return Error::make(Errc::not_found, "no ext2/3/4 superblock");
    std::uint8_t* raw = new (std::nothrow) std::uint8_t[count * dbs];
    if (raw == nullptr) return Error::make(Errc::no_memory, "ext4: no memory for the superblock");
    const Status read = dev.read(first, count, raw);
    Result<Superblock> parsed =
        read.ok() ? parse_superblock(raw + (kSuperblockOffset - first * dbs)) : Result<Superblock>(read.error());
    delete[] raw;
    if (!parsed.ok()) return parsed.error();
    const Superblock& sb = parsed.value();

    // Every block number is checked against blocks_count, so the filesystem
    // must fit the device (which also keeps byte offsets from overflowing).
    bool fits;
    if (sb.block_size >= dbs) {
        fits = sb.blocks_count <= dev.block_count() / (sb.block_size / dbs);
    } else {
        const std::uint32_t per = dbs / sb.block_size;  // filesystem blocks per device block
        fits = sb.blocks_count / per + (sb.blocks_count % per != 0 ? 1 : 0) <= dev.block_count();
    }
    if (!fits) {
        return Error::make(Errc::bad_data, "ext4: %s: the filesystem (%lu blocks of %u) is larger than the device",
                           dev.name(), sb.blocks_count, sb.block_size);
    }

    const char* warning = sb.has_incompat(kIncompatRecover) ? "journal needs recovery: reading anyway" : "";
    Volume* vol = TRY(Volume::create(dev, sb));
    Ext4* fs = new (std::nothrow) Ext4(vol, warning);
    if (fs == nullptr) {
        delete vol;
        return Error::make(Errc::no_memory, "ext4: no memory for the filesystem");
    }
    if (!fs->allocate()) {
        delete fs;
        return Error::make(Errc::no_memory, "ext4: no memory for the filesystem buffers");
    }
    // The root must be a directory, or nothing can be found.
    Result<Inode> root = read_inode(*vol, kRootInode);
    if (!root.ok() || root.value().type() != NodeType::directory) {
        Error e = root.ok() ? Error::make(Errc::bad_data, "ext4: the root inode is not a directory") : root.error();
        delete fs;
        return e;
    }
    return static_cast<Filesystem*>(fs);
}

}  // namespace xb::fs::ext4
