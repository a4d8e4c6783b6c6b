// Fuzzes the btrfs reader. A btrfs image is mostly zeros (the smallest mkfs
// makes is 13 MiB), so the input is sparse: records of a LE32 4 KiB-block
// index (below 16384: a device of at most 64 MiB) and that block's 4096
// bytes, at most 256 records; every other block reads as zeros and the device
// ends after the highest block given. It is mounted as 4096- and 512-byte
// sectors; the tree is walked (bounded depth and entry count), every file and
// symlink read into a buffer with guard bytes around it, and a few paths
// looked up (subvolumes, symlink loops, ".."). Must end without a crash, hang
// or out-of-bounds access; reads stay inside the buffer and never return more
// than asked or past the node's size. Checksums stop most mutations at the
// first node, so each input runs twice: as given, and with the crc32c of the
// superblock (block 16) and of every 4 KiB block carrying the superblock's
// fsid at bytes 32..47 (the tree nodes of a mixed-mode image, whose nodes are
// one 4 KiB sector) recomputed.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fs/btrfs/btrfs.h"
#include "lib/crc32c.h"
#include "tests/fuzz/fs_walk.h"

namespace {

using xb::fs::DirEntry;
using xb::fs::Filesystem;
using xb::fs::Node;
using xb::fs::NodeType;

constexpr std::size_t kRecord = 4 + 4096;
constexpr std::size_t kMaxRecords = 256;
constexpr std::uint32_t kMaxBlocks = 16384;
constexpr unsigned kMaxEntries = 300;
// The first read of a file: more than one 128 KiB compressed extent.
constexpr xb::fuzz::WalkLimits kLimits{6, 300000, false};

using xb::fuzz::check;
using xb::fuzz::read_checked;
using xb::fuzz::walk;

class SparseDevice final : public xb::BlockDevice {
  public:
    SparseDevice(const std::map<std::uint32_t, const std::uint8_t*>& blocks, std::uint32_t sector)
        : blocks_(blocks), sector_(sector) {
        const std::uint64_t end = blocks.empty() ? 1 : std::uint64_t{blocks.rbegin()->first} + 1;
        count_ = end * (4096 / sector);
    }
    const char* name() const override { return "fuzz"; }
    std::uint32_t block_size() const override { return sector_; }
    std::uint64_t block_count() const override { return count_; }
    bool read_only() const override { return true; }
    xb::Status read(std::uint64_t block, std::uint64_t count, void* buf) override {
        if (block > count_ || count > count_ - block) {
            return xb::Error::make(xb::Errc::invalid_argument, "fuzz: blocks %lu+%lu past the end", block, count);
        }
        auto* out = static_cast<std::uint8_t*>(buf);
        for (std::uint64_t i = 0; i < count; ++i) {
            const std::uint64_t byte = (block + i) * sector_;
            auto it = blocks_.find(static_cast<std::uint32_t>(byte / 4096));
            if (it == blocks_.end()) std::memset(out + i * sector_, 0, sector_);
            else std::memcpy(out + i * sector_, it->second + byte % 4096, sector_);
        }
        return xb::ok();
    }
    xb::Status write(std::uint64_t, std::uint64_t, const void*) override {
        return xb::Error::make(xb::Errc::invalid_argument, "read-only");
    }

  private:
    const std::map<std::uint32_t, const std::uint8_t*>& blocks_;
    std::uint32_t sector_;
    std::uint64_t count_ = 0;
};

void run(const std::map<std::uint32_t, const std::uint8_t*>& blocks, std::uint32_t sector) {
    SparseDevice disk(blocks, sector);
    auto mounted = xb::fs::btrfs::open(disk);
    if (!mounted.ok()) return;
    std::unique_ptr<xb::fs::btrfs::BtrfsFilesystem> fs(mounted.value());
    check(std::string_view(fs->type_name()) == "btrfs" && fs->warning() != nullptr);
    check(fs->uuid().size() == 36 && fs->label().size() <= 256 && fs->default_subvolume_path().size() < 256);
    auto root = fs->lookup("/");
    if (!root.ok()) return;
    check(root.value().type == NodeType::directory);
    unsigned budget = kMaxEntries;
    walk(*fs, root.value(), "", 0, &budget, kLimits);
    for (const char* p : {"/root/boot/loader/entries/a.conf", "/loop1", "/fastlink", "/a/../a/b/./hello", "/../..",
                          "/sub/inner/file", "/a/numbers/x"}) {
        auto n = fs->lookup(p);
        if (n.ok() && n.value().type == NodeType::file) read_checked(*fs, n.value(), 0, 4096);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::map<std::uint32_t, const std::uint8_t*> blocks;
    for (std::size_t at = 0; at + kRecord <= size && blocks.size() < kMaxRecords; at += kRecord) {
        const std::uint32_t index =
            (data[at] | data[at + 1] << 8 | data[at + 2] << 16 | static_cast<std::uint32_t>(data[at + 3]) << 24) %
            kMaxBlocks;
        blocks[index] = data + at + 4;
    }
    if (blocks.empty()) return 0;
    run(blocks, 4096);
    run(blocks, 512);
    // The same with checksums made right.
    static std::vector<std::uint8_t> copy(kMaxRecords * 4096);
    std::map<std::uint32_t, const std::uint8_t*> fixed;
    std::size_t n = 0;
    for (const auto& [index, bytes] : blocks) {
        std::memcpy(copy.data() + n * 4096, bytes, 4096);
        fixed[index] = copy.data() + n * 4096;
        ++n;
    }
    auto super = fixed.find(16);
    if (super == fixed.end()) return 0;
    std::uint8_t* sb = copy.data() + (super->second - copy.data());
    auto set_crc = [](std::uint8_t* block) {
        const std::uint32_t c = xb::crc32c(0, block + 32, 4096 - 32);
        for (int i = 0; i < 4; ++i) block[i] = static_cast<std::uint8_t>(c >> (8 * i));
    };
    for (auto& [index, bytes] : fixed) {
        std::uint8_t* b = copy.data() + (bytes - copy.data());
        if (index != 16 && std::memcmp(b + 32, sb + 32, 16) == 0) set_crc(b);
    }
    set_crc(sb);
    run(fixed, 4096);
    run(fixed, 512);
    return 0;
}
