// Fuzzes the FAT reader: the input is a disk image (at most 512 KiB given;
// followed by zeros up to the size its boot sector claims, at most 1 GiB, so
// that FAT16 and FAT32 volumes, which need >= 4085 and >= 65525 clusters, fit
// in a seed without their empty tail). It is mounted with 512- and 4096-byte blocks; the tree is walked
// (bounded in entries and depth, listing re-entrantly from inside the
// visitor), some paths are looked up, and every file is read, whole and in
// pieces, into buffers with guard bytes. Must end without a crash, hang or
// write outside the buffers.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fs/fat/fat.h"
#include "lib/block_device.h"

namespace {

using xb::fs::DirEntry;
using xb::fs::Filesystem;
using xb::fs::Node;
using xb::fs::NodeType;

constexpr std::size_t kMaxInput = 512 * 1024;
constexpr std::uint64_t kMaxClaimed = 1024 * 1024 * 1024;
constexpr unsigned kMaxEntries = 3000;
constexpr unsigned kMaxDepth = 8;
constexpr std::size_t kReadCap = 64 * 1024;
constexpr std::size_t kGuard = 64;
constexpr std::uint8_t kGuardByte = 0x5a;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct Walk {
    Filesystem* fs;
    unsigned entries = 0;
    std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(kReadCap + 2 * kGuard);
    std::vector<std::string> paths;

    void read_file(const Node& node) {
        std::memset(buf.data(), kGuardByte, buf.size());
        const std::size_t want = node.size < kReadCap ? node.size : kReadCap;
        auto r = fs->read(node, 0, std::span<std::uint8_t>(buf.data() + kGuard, want));
        if (r.ok()) check(r.value() == want);
        // A second read from an odd offset in small pieces.
        if (node.size > 1) {
            auto piece = fs->read(node, node.size / 3, std::span<std::uint8_t>(buf.data() + kGuard, 777));
            if (piece.ok()) check(piece.value() <= 777);
        }
        for (std::size_t i = 0; i < kGuard; ++i) check(buf[i] == kGuardByte);
        for (std::size_t i = kGuard + kReadCap; i < buf.size(); ++i) check(buf[i] == kGuardByte);
    }

    void list(const Node& dir, const std::string& path, unsigned depth);
};

struct Visitor final : xb::fs::DirVisitor {
    Walk* walk;
    std::string path;
    unsigned depth;
    bool visit(const DirEntry& e) override {
        if (++walk->entries > kMaxEntries) return false;
        check(e.name.find('\0') == std::string_view::npos);
        if (e.name == "." || e.name == "..") return true;
        const std::string child = path + "/" + std::string(e.name);
        if (walk->paths.size() < 16) walk->paths.push_back(child);
        if (e.node.type == NodeType::directory) walk->list(e.node, child, depth + 1);
        else if (e.node.type == NodeType::file) walk->read_file(e.node);
        return true;
    }
};

void Walk::list(const Node& dir, const std::string& path, unsigned depth) {
    if (depth > kMaxDepth) return;
    Visitor v;
    v.walk = this;
    v.path = path;
    v.depth = depth;
    (void)fs->list(dir, v);
}

// A disk holding the input followed by zeros up to `claimed` bytes, without
// storing them (a FAT32 volume needs >= 65525 clusters: tens of MiB).
class SparseDisk final : public xb::BlockDevice {
  public:
    SparseDisk(const std::uint8_t* data, std::size_t size, std::uint64_t claimed, std::uint32_t block_size)
        : data_(data), size_(size), block_size_(block_size), blocks_((claimed + block_size - 1) / block_size) {}
    const char* name() const override { return "fuzz"; }
    std::uint32_t block_size() const override { return block_size_; }
    std::uint64_t block_count() const override { return blocks_; }
    bool read_only() const override { return true; }
    xb::Status read(std::uint64_t block, std::uint64_t count, void* buf) override {
        if (block > blocks_ || count > blocks_ - block) {
            return xb::Error::make(xb::Errc::invalid_argument, "fuzz: blocks %lu+%lu beyond the disk", block, count);
        }
        const std::uint64_t at = block * block_size_, length = count * block_size_;
        auto* out = static_cast<std::uint8_t*>(buf);
        const std::uint64_t have = at >= size_ ? 0 : (size_ - at < length ? size_ - at : length);
        if (have != 0) std::memcpy(out, data_ + at, have);
        std::memset(out + have, 0, length - have);
        return xb::ok();
    }
    xb::Status write(std::uint64_t, std::uint64_t, const void*) override {
        return xb::Error::make(xb::Errc::invalid_argument, "fuzz: read-only");
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::uint32_t block_size_;
    std::uint64_t blocks_;
};

void run(const std::uint8_t* data, std::size_t size, std::uint64_t claimed, std::uint32_t block_size) {
    SparseDisk disk(data, size, claimed, block_size);
    auto mounted = xb::fs::fat::mount(disk);
    if (!mounted.ok()) return;
    Walk walk;
    walk.fs = mounted.value();
    check(std::strlen(walk.fs->warning()) < 200);
    // GRUB's search --fs-uuid/--label values: fixed form, label read from the root directory.
    check(walk.fs->uuid().size() == 9 && walk.fs->uuid()[4] == '-');
    check(walk.fs->label().size() <= 11 && walk.fs->label() == walk.fs->label());
    auto root = walk.fs->lookup("/");
    check(root.ok() && root.value().type == NodeType::directory);
    walk.list(root.value(), "", 0);
    static const char* const kPaths[] = {"/boot/Image", "/BOOT/EXTLINUX/EXTLINUX.CONF", "/a/../b/./c", "..",
                                         "/x/y/z/w"};
    for (const char* p : kPaths) walk.paths.push_back(p);
    for (const std::string& p : walk.paths) {
        auto node = walk.fs->lookup(p);
        if (node.ok() && node.value().type == NodeType::file) walk.read_file(node.value());
    }
    delete walk.fs;
}

// The size the boot sector claims, if larger than the input (and at most
// kMaxClaimed): the rest reads as zeros.
std::uint64_t claimed_size(const std::uint8_t* data, std::size_t size) {
    if (size < 40) return size;
    const std::uint32_t bps = data[11] | data[12] << 8;
    std::uint64_t total = data[19] | data[20] << 8;
    if (total == 0) total = data[32] | data[33] << 8 | data[34] << 16 | static_cast<std::uint64_t>(data[35]) << 24;
    const std::uint64_t bytes = total * bps;
    return bytes > size && bytes <= kMaxClaimed ? bytes : size;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > kMaxInput) return 0;
    const std::uint64_t claimed = claimed_size(data, size);
    run(data, size, claimed, 512);
    run(data, size, claimed, 4096);
    return 0;
}
