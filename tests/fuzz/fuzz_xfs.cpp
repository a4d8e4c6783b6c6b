// Fuzzes the XFS reader: the input is the start of a disk image (at most 1
// MiB; the device claims the size the superblock gives, up to 64 MiB, and
// reads past the input fail as I/O errors), mounted as 512-byte sectors (and
// as 4096-byte sectors when it is a whole number of them); the tree is walked (bounded depth and entry count), every
// file and symlink read into a buffer with guard bytes around it, and a few
// paths looked up (symlink loops, "..", long names). Must end without a crash,
// hang or out-of-bounds access; reads must stay inside the buffer and never
// return more than asked or past the node's size.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fs/xfs/xfs.h"
#include "tests/fuzz/fs_walk.h"
#include "tests/sim/mem_block_device.h"

namespace {

using xb::fs::DirEntry;
using xb::fs::Filesystem;
using xb::fs::Node;
using xb::fs::NodeType;

constexpr std::size_t kMaxImage = 1 << 20;
constexpr std::uint64_t kMaxClaimed = std::uint64_t{64} << 20;
constexpr unsigned kMaxEntries = 300;  // listed, in total

using xb::fuzz::check;
using xb::fuzz::read_checked;
using xb::fuzz::walk;

void run(const std::uint8_t* data, std::size_t size, std::uint32_t sector) {
    // sb_blocksize * sb_dblocks (big-endian at 4 and 8), capped.
    std::uint64_t claimed = 0;
    if (size >= 16) {
        std::uint64_t bs = 0, blocks = 0;
        for (int i = 0; i < 4; ++i) bs = bs << 8 | data[4 + i];
        for (int i = 0; i < 8; ++i) blocks = blocks << 8 | data[8 + i];
        if (bs <= 65536 && blocks <= kMaxClaimed) claimed = bs * blocks;
    }
    if (claimed > kMaxClaimed) claimed = kMaxClaimed;
    auto disk = xb::sim::MemBlockDevice::from_image("fuzz", sector, std::vector<std::uint8_t>(data, data + size),
                                                    claimed / sector);
    auto mounted = xb::fs::xfs::mount(disk);
    if (!mounted.ok()) return;
    std::unique_ptr<Filesystem> fs(mounted.value());
    check(fs->type_name() != nullptr && fs->warning() != nullptr);
    check(fs->uuid().size() == 36 && fs->label().size() <= 12 && std::string_view(fs->type_name()) == "xfs");
    auto root = fs->lookup("/");
    if (!root.ok()) return;
    check(root.value().type == NodeType::directory);
    unsigned budget = kMaxEntries;
    walk(*fs, root.value(), "", 0, &budget, xb::fuzz::WalkLimits{});
    for (const char* p : {"/links/loop1", "/links/remote", "/links/dir/hello", "/a/../a/b/./hello", "/../..",
                          "/leaf/..", "/leaf/entry-150", "/a/numbers/x"}) {
        auto n = fs->lookup(p);
        if (n.ok() && n.value().type == NodeType::file) read_checked(*fs, n.value(), 0, 4096);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > kMaxImage) return 0;
    run(data, size, 512);
    if (size % 4096 == 0) run(data, size, 4096);
    return 0;
}
