// btrfs reader: images made by the kernel's own btrfs (mkfs.btrfs, then loop
// mounts with compress=zstd:1 / lzo / zlib, subvolumes, set-default, holes,
// fallocate: tests/unit/fs/btrfs_images.sh), read back through fs::btrfs and
// compared with the kernel reading the same image (every file copied out of a
// read-only mount of the top level) and with grub-fstest; then damaged copies
// (node checksums, tree loops, chunks past the device, extents past the end,
// broken compressed data) that must end in errors. Needs root (loop mounts in
// `unshare -m`) and btrfs-progs: skipped with the reason otherwise.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "fs/btrfs/btrfs.h"
#include "fs/mount.h"
#include "lib/crc32c.h"
#include "tests/sim/file_block_device.h"
#include "tests/sim/host_tools.h"
#include "tests/sim/mem_block_device.h"

namespace {

using namespace xb;
namespace stdfs = std::filesystem;
using fs::Node;
using fs::NodeType;
using sim::FileBlockDevice;
using sim::TempDir;

std::string script() { return std::string(XB_SOURCE_DIR) + "/tests/unit/fs/btrfs_images.sh"; }

// Why images cannot be made here ("" when they can).
std::string cannot_make_images() {
    if (geteuid() != 0) return "needs root for loop mounts";
    for (const char* tool : {"mkfs.btrfs", "btrfs", "unshare", "mount", "losetup", "btrfs-map-logical"}) {
        if (!sim::have_tool(tool)) return std::string(tool) + " is not installed";
    }
    return "";
}

// One image and the kernel's copy of its files, made once per test run.
struct Image {
    TempDir dir{"btrfs"};
    std::string img;
    std::string oracle;
    bool ok = false;
};

const Image& image(const std::string& kind) {
    static std::map<std::string, std::unique_ptr<Image>> made;
    std::unique_ptr<Image>& slot = made[kind];
    if (!slot) {
        slot = std::make_unique<Image>();
        slot->img = slot->dir / (kind + ".img");
        slot->oracle = slot->dir / "oracle";
        slot->ok = sim::run_tool("unshare -m sh " + script() + " " + kind + " " + slot->img + " " +
                                 (slot->dir / "mnt") + " " + slot->oracle + " >/dev/null")
                       .ok;
    }
    return *slot;
}

#define REQUIRE_IMAGE(kind)                                           \
    if (const std::string why = cannot_make_images(); !why.empty()) { \
        GTEST_SKIP() << why;                                          \
    }                                                                 \
    const Image& img = image(kind);                                   \
    ASSERT_TRUE(img.ok)

std::unique_ptr<fs::btrfs::BtrfsFilesystem> open_fs(BlockDevice& dev) {
    auto r = fs::btrfs::open(dev);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    return std::unique_ptr<fs::btrfs::BtrfsFilesystem>(r.ok() ? r.value() : nullptr);
}

std::string mount_error(BlockDevice& dev, Errc* code = nullptr) {
    auto r = fs::btrfs::open(dev);
    if (r.ok()) {
        delete r.value();
        return "(mounted)";
    }
    if (code != nullptr) *code = r.error().code();
    return r.error().message();
}

std::vector<std::uint8_t> read_all(fs::Filesystem& f, const Node& n, Status* status = nullptr) {
    std::vector<std::uint8_t> out(n.size);
    auto r = f.read(n, 0, out);
    if (status != nullptr) *status = r.ok() ? ok() : Status(r.error());
    if (!r.ok()) {
        if (status == nullptr) ADD_FAILURE() << r.error().message();
        return {};
    }
    EXPECT_EQ(r.value(), n.size);
    return out;
}

std::string as_string(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

struct Collect final : fs::DirVisitor {
    std::map<std::string, Node> entries;
    std::vector<std::string> order;
    bool visit(const fs::DirEntry& e) override {
        entries[std::string(e.name)] = e.node;
        order.emplace_back(e.name);
        return true;
    }
};

Collect list(fs::Filesystem& f, const Node& dir) {
    Collect c;
    auto s = f.list(dir, c);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
    return c;
}

// Walks `dir` of the reader and `host` of the oracle side by side: same names,
// types, sizes, file bytes and symlink targets. Counts what it compared.
void compare_tree(fs::Filesystem& f, const Node& dir, const stdfs::path& host, unsigned* files) {
    const Collect c = list(f, dir);
    std::map<std::string, stdfs::directory_entry> want;
    for (const auto& e : stdfs::directory_iterator(host)) want[e.path().filename().string()] = e;
    ASSERT_EQ(c.entries.size(), want.size()) << host;
    for (const auto& [name, entry] : want) {
        SCOPED_TRACE(entry.path().string());
        auto it = c.entries.find(name);
        ASSERT_NE(it, c.entries.end());
        const Node& n = it->second;
        if (entry.is_symlink()) {
            ASSERT_EQ(n.type, NodeType::symlink);
            EXPECT_EQ(as_string(read_all(f, n)), stdfs::read_symlink(entry.path()).string());
        } else if (entry.is_directory()) {
            ASSERT_EQ(n.type, NodeType::directory);
            compare_tree(f, n, entry.path(), files);
        } else {
            ASSERT_EQ(n.type, NodeType::file);
            ASSERT_EQ(n.size, entry.file_size());
            EXPECT_TRUE(read_all(f, n) == sim::read_file(entry.path().string()));
        }
        ++*files;
    }
}

Node must_lookup(fs::Filesystem& f, const std::string& path) {
    auto r = f.lookup(path);
    EXPECT_TRUE(r.ok()) << path << ": " << (r.ok() ? "" : r.error().message());
    return r.ok() ? r.value() : Node{};
}

// ---------------------------------------------------------------- real images

TEST(Btrfs, FedoraLayoutMatchesTheKernel) {
    REQUIRE_IMAGE("fedora");
    FileBlockDevice dev(img.img, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    EXPECT_STREQ(f->type_name(), "btrfs");
    EXPECT_STREQ(f->warning(), "");
    EXPECT_EQ(f->label(), "fedora-root");
    const std::string blkid = sim::run_tool("blkid -p -s UUID -o value " + img.img).output;
    EXPECT_EQ(std::string(f->uuid()) + "\n", blkid);
    unsigned files = 0;
    compare_tree(*f, must_lookup(*f, "/"), img.oracle, &files);
    EXPECT_GT(files, 3000u);
}

TEST(Btrfs, DefaultSubvolumeIsReportedPathsStayAtTheTop) {
    REQUIRE_IMAGE("fedora");
    FileBlockDevice dev(img.img, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->default_subvolume(), 256u);
    EXPECT_EQ(f->default_subvolume_path(), "root");
    const Collect top = list(*f, must_lookup(*f, "/"));
    EXPECT_EQ(top.entries.count("root"), 1u);
    EXPECT_EQ(top.entries.count("home"), 1u);
}

TEST(Btrfs, FedoraPathsAndSymlinks) {
    REQUIRE_IMAGE("fedora");
    FileBlockDevice dev(img.img, 4096);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    const std::string entry = "/loader/entries/3f1c2e6d-6.9.7-200.fc40.aarch64.conf";
    const std::string want = as_string(sim::read_file(img.oracle + "/root/boot" + entry));
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(as_string(read_all(*f, must_lookup(*f, "/root/boot" + entry))), want);
    EXPECT_EQ(as_string(read_all(*f, must_lookup(*f, "/bootlink" + entry))), want);  // absolute link
    EXPECT_EQ(as_string(read_all(*f, must_lookup(*f, "root/etc/entries/../entries/" + entry.substr(16)))), want);
    EXPECT_EQ(as_string(read_all(*f, must_lookup(*f, "/home/../root/./boot/" + entry))), want);
    EXPECT_EQ(as_string(read_all(*f, must_lookup(*f, "/../../home/user/hello"))), "hello\n");
    EXPECT_EQ(must_lookup(*f, "/root/boot/..").type, NodeType::directory);
    EXPECT_EQ(list(*f, must_lookup(*f, "/root/boot/loader/entries")).entries.size(), 2u);

    auto missing = f->lookup("/root/boot/nothing");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code(), Errc::not_found);
    EXPECT_STREQ(missing.error().message(), "btrfs: nothing: not found");
    auto loop = f->lookup("/loop1");
    ASSERT_FALSE(loop.ok());
    EXPECT_EQ(loop.error().code(), Errc::bad_data);
    EXPECT_STREQ(loop.error().message(), "btrfs: too many levels of symbolic links (more than 40) at loop1");
    auto notdir = f->lookup("/home/user/hello/x");
    ASSERT_FALSE(notdir.ok());
    EXPECT_EQ(notdir.error().code(), Errc::not_found);
}

TEST(Btrfs, ProbedAfterExt4) {
    REQUIRE_IMAGE("fedora");
    FileBlockDevice dev(img.img, 512);
    auto r = fs::mount(dev);
    ASSERT_TRUE(r.ok()) << r.error().message();
    fs::MountedFs m(r.value());
    EXPECT_STREQ(m->type_name(), "btrfs");
    bool listed = false;
    for (const fs::FsProber& p : fs::fs_probers()) listed = listed || std::string(p.name) == "btrfs";
    EXPECT_TRUE(listed);
}

// Reads in odd pieces, crossing extents, compressed and not, match the kernel's bytes.
TEST(Btrfs, ReadsAtAnyOffset) {
    REQUIRE_IMAGE("fedora");
    FileBlockDevice dev(img.img, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    for (const char* path : {"/root/boot/vmlinuz-6.9.7-200.fc40.aarch64", "/lzo/big", "/zlib/big", "/plain/big",
                             "/plain/sparse", "/plain/prealloc", "/plain/gap", "/zlib/random", "/lzo/random"}) {
        SCOPED_TRACE(path);
        const auto want = sim::read_file(img.oracle + path);
        const Node n = must_lookup(*f, path);
        ASSERT_EQ(n.size, want.size());
        std::vector<std::uint8_t> got(want.size());
        std::uint64_t pos = 0;
        for (std::uint64_t step = 1; pos < want.size(); step = step * 7 % 300007 + 1) {
            auto r = f->read(n, pos, {got.data() + pos, std::min<std::uint64_t>(step, want.size() - pos)});
            ASSERT_TRUE(r.ok()) << r.error().message();
            ASSERT_GT(r.value(), 0u);
            pos += r.value();
        }
        EXPECT_TRUE(got == want);
        std::uint8_t past[4];
        auto end = f->read(n, want.size(), past);
        ASSERT_TRUE(end.ok());
        EXPECT_EQ(end.value(), 0u);
    }
}

// Compressed extents come through a read-ahead window: reading a file's
// pieces backwards and then every other one (each outside the last window,
// before it or far past it) must give the kernel's bytes; ASan checks that
// no read strays outside the window.
TEST(Btrfs, CompressedReadsInAnyOrder) {
    REQUIRE_IMAGE("fedora");
    FileBlockDevice dev(img.img, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    for (const char* path : {"/root/boot/vmlinuz-6.9.7-200.fc40.aarch64", "/lzo/big", "/zlib/big"}) {
        SCOPED_TRACE(path);
        const auto want = sim::read_file(img.oracle + path);
        const Node n = must_lookup(*f, path);
        ASSERT_EQ(n.size, want.size());
        constexpr std::uint64_t kPiece = 100000;
        const std::uint64_t pieces = (want.size() + kPiece - 1) / kPiece;
        std::vector<std::uint8_t> got(want.size());
        auto read_piece = [&](std::uint64_t i) {
            const std::uint64_t at = i * kPiece, len = std::min<std::uint64_t>(kPiece, want.size() - at);
            auto r = f->read(n, at, {got.data() + at, len});
            ASSERT_TRUE(r.ok()) << r.error().message();
            ASSERT_EQ(r.value(), len);
        };
        for (std::uint64_t i = pieces; i-- > 0;) read_piece(i);
        EXPECT_TRUE(got == want);
        std::fill(got.begin(), got.end(), 0);
        for (std::uint64_t i = 0; i < pieces; i += 2) read_piece(i);
        for (std::uint64_t i = 1; i < pieces; i += 2) read_piece(i);
        EXPECT_TRUE(got == want);
    }
}

// An uncompressed 5 MB file in one on-disk run (fallocated whole, then
// written: btrfs_images.sh) is one large device read (plus the few tree nodes
// not yet cached), not one per block, however many extent items it has.
TEST(Btrfs, ContiguousExtentsAreOneDeviceRead) {
    REQUIRE_IMAGE("fedora");
    FileBlockDevice dev(img.img, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    const Node n = must_lookup(*f, "/plain/big");
    std::vector<std::uint8_t> buf(n.size);
    ASSERT_TRUE(f->read(n, 0, {buf.data(), 4096}).ok());  // warms the path to the extent items
    const std::uint64_t before = dev.reads();
    auto r = f->read(n, 0, buf);
    ASSERT_TRUE(r.ok());
    EXPECT_LE(dev.reads() - before, 4u);
    EXPECT_TRUE(buf == sim::read_file(img.oracle + "/plain/big"));
}

// GRUB 2.06's btrfs reads neither prealloc extents ("unsupported extent type
// 0x2") nor a no-holes file that starts with a gap ("extent not found"): those
// files are compared with the kernel's copy only.
TEST(Btrfs, GrubFstestReadsTheSameBytes) {
    REQUIRE_IMAGE("fedora");
    if (!sim::have_tool("grub-fstest")) GTEST_SKIP() << "grub-fstest is not installed";
    FileBlockDevice dev(img.img, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    for (const char* path : {"/root/boot/loader/entries/3f1c2e6d-6.8.5-301.fc40.aarch64.conf",
                             "/root/boot/vmlinuz-6.9.7-200.fc40.aarch64", "/lzo/big", "/zlib/small", "/plain/big"}) {
        SCOPED_TRACE(path);
        const auto data = read_all(*f, must_lookup(*f, path));
        char want[16];
        std::snprintf(want, sizeof want, "%08x",
                      static_cast<unsigned>(crc32(0, data.data(), static_cast<uInt>(data.size()))));
        const std::string out = sim::run_tool("grub-fstest " + img.img + " crc " + path).output;
        EXPECT_NE(out.find(want), std::string::npos) << out;
    }
}

TEST(Btrfs, SingleMetadataWithExplicitHoles) {
    REQUIRE_IMAGE("single");
    FileBlockDevice dev(img.img, 4096);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->default_subvolume(), 5u);
    EXPECT_EQ(f->default_subvolume_path(), "");
    unsigned files = 0;
    compare_tree(*f, must_lookup(*f, "/"), img.oracle, &files);
    EXPECT_EQ(files, 5u);
    // The hole in front of /dir/gap is an explicit extent (disk_bytenr 0) here.
    const std::string dump = sim::run_tool("btrfs inspect-internal dump-tree -t 5 " + img.img).output;
    EXPECT_NE(dump.find("extent data disk byte 0 nr 0"), std::string::npos);
}

// ---------------------------------------------------------------- damaged copies

// A sparse copy of an image, patched in place.
std::string copy_image(const Image& img, const std::string& name) {
    const std::string out = img.dir / name;
    sim::run_tool("cp --sparse=always " + img.img + " " + out);
    return out;
}

void patch(const std::string& file, std::uint64_t offset, const std::vector<std::uint8_t>& bytes) {
    FILE* f = std::fopen(file.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(fseeko(f, static_cast<off_t>(offset), SEEK_SET), 0);
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    std::fclose(f);
}

std::vector<std::uint8_t> peek(const std::string& file, std::uint64_t offset, std::size_t len) {
    std::vector<std::uint8_t> out(len);
    FILE* f = std::fopen(file.c_str(), "rb");
    EXPECT_NE(f, nullptr);
    if (f == nullptr) return out;
    EXPECT_EQ(fseeko(f, static_cast<off_t>(offset), SEEK_SET), 0);
    EXPECT_EQ(std::fread(out.data(), 1, len, f), len);
    std::fclose(f);
    return out;
}

std::vector<std::uint8_t> le64(std::uint64_t v) {
    std::vector<std::uint8_t> b(8);
    for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    return b;
}

std::uint64_t get_le64(const std::vector<std::uint8_t>& b, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | b[at + static_cast<std::size_t>(i)];
    return v;
}

// Re-checksums a block (a tree node or the superblock) after patching it: crc32c of
// everything after the 32-byte csum field, stored little-endian in front.
void fix_csum(const std::string& file, std::uint64_t offset, std::size_t size) {
    const auto block = peek(file, offset, size);
    const std::uint32_t c = crc32c(0, block.data() + 32, size - 32);
    patch(file, offset,
          {static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(c >> 8), static_cast<std::uint8_t>(c >> 16),
           static_cast<std::uint8_t>(c >> 24)});
}

// Device byte of logical `logical` (mirror 1), from btrfs-map-logical.
std::uint64_t physical(const std::string& img, std::uint64_t logical) {
    const std::string out = sim::run_tool("btrfs-map-logical -l " + std::to_string(logical) + " " + img).output;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(out, m, std::regex("physical (\\d+)"))) << out;
    return m.empty() ? 0 : std::stoull(m[1]);
}

constexpr std::uint64_t kSuper = 65536;
constexpr std::size_t kNode = 16384;  // mkfs.btrfs's default node size

// The leaf holding (ino, EXTENT_DATA, 0) in the top-level tree, that item's
// offset in the leaf's data area and the extent's disk byte (dump-tree).
struct ExtentItem {
    std::uint64_t leaf = 0, itemoff = 0, disk = 0;
};
ExtentItem find_extent(const std::string& img, std::uint64_t ino) {
    const std::string dump =
        sim::run_tool("btrfs inspect-internal dump-tree -t 5 " + img, sim::Stderr::discarded).output;
    ExtentItem e;
    std::uint64_t leaf = 0;
    std::istringstream lines(dump);
    std::string line;
    const std::regex leaf_re("^leaf (\\d+) ");
    const std::regex item_re("key \\(" + std::to_string(ino) + " EXTENT_DATA 0\\) itemoff (\\d+)");
    const std::regex disk_re("extent data disk byte (\\d+)");
    bool in_item = false;
    std::smatch m;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, m, leaf_re)) leaf = std::stoull(m[1]);
        if (std::regex_search(line, m, item_re)) {
            e.leaf = leaf;
            e.itemoff = std::stoull(m[1]);
            in_item = true;
        } else if (in_item && std::regex_search(line, m, disk_re)) {
            e.disk = std::stoull(m[1]);
            break;
        }
    }
    EXPECT_NE(e.leaf, 0u) << "no EXTENT_DATA item for inode " << ino;
    return e;
}

TEST(BtrfsDamage, NotBtrfsAndMirrorFallback) {
    REQUIRE_IMAGE("fedora");
    // The primary's checksum broken: the mirror at 64 MiB is used, with a warning.
    const std::string bad = copy_image(img, "bad-primary.img");
    patch(bad, kSuper + 0x200, {0x12, 0x34});
    FileBlockDevice dev(bad, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    EXPECT_STREQ(f->warning(), "primary superblock damaged: using the copy at 64 MiB");
    EXPECT_EQ(as_string(read_all(*f, must_lookup(*f, "/home/user/hello"))), "hello\n");
    // No magic at 64 KiB: not btrfs, even with mirrors further on.
    patch(bad, kSuper + 0x40, {0, 0, 0, 0, 0, 0, 0, 0});
    FileBlockDevice wiped(bad, 512);
    Errc code{};
    EXPECT_EQ(mount_error(wiped, &code), "no btrfs superblock");
    EXPECT_EQ(code, Errc::not_found);
    // A small device with nothing on it.
    auto empty = sim::MemBlockDevice("empty", 512, 256);
    EXPECT_EQ(mount_error(empty, &code), "no btrfs superblock");
}

// Metadata is DUP: one damaged copy of a node is read from the other; both
// damaged is an error naming the node.
TEST(BtrfsDamage, BadNodeChecksum) {
    REQUIRE_IMAGE("fedora");
    const std::string bad = copy_image(img, "bad-node.img");
    const std::uint64_t root = get_le64(peek(bad, kSuper, 4096), 0x50);
    const std::string map = sim::run_tool("btrfs-map-logical -l " + std::to_string(root) + " " + bad).output;
    std::vector<std::uint64_t> copies;
    const std::regex re("physical (\\d+)");
    for (auto it = std::sregex_iterator(map.begin(), map.end(), re); it != std::sregex_iterator(); ++it) {
        copies.push_back(std::stoull((*it)[1]));
    }
    ASSERT_EQ(copies.size(), 2u) << map;
    patch(bad, copies[0] + 300, {0xde, 0xad});
    {
        FileBlockDevice dev(bad, 512);
        auto f = open_fs(dev);
        ASSERT_TRUE(f);
        EXPECT_EQ(as_string(read_all(*f, must_lookup(*f, "/home/user/hello"))), "hello\n");
    }
    patch(bad, copies[1] + 300, {0xde, 0xad});
    FileBlockDevice dev(bad, 512);
    Errc code{};
    const std::string msg = mount_error(dev, &code);
    EXPECT_EQ(code, Errc::bad_data);
    EXPECT_NE(msg.find("btrfs: tree node at " + std::to_string(root) + ": checksum 0x"), std::string::npos) << msg;
}

TEST(BtrfsDamage, ChildPointersToItselfOrElsewhere) {
    REQUIRE_IMAGE("fedora");
    const std::string dump =
        sim::run_tool("btrfs inspect-internal dump-tree -t 5 " + img.img, sim::Stderr::discarded).output;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(dump, m, std::regex("node (\\d+) level (\\d+) items (\\d+)"))) << dump.substr(0, 400);
    const std::uint64_t node = std::stoull(m[1]);
    ASSERT_GE(std::stoul(m[3]), 2u);  // 3000 entries: the top-level tree has a root node over leaves
    for (int variant = 0; variant < 2; ++variant) {
        SCOPED_TRACE(variant);
        const std::string bad = copy_image(img, "bad-ptr.img");
        const std::uint64_t at = physical(bad, node);
        if (variant == 0) {
            patch(bad, at + 101 + 17, le64(node));  // slot 0 points at the node itself
        } else {
            const std::uint64_t first_child = get_le64(peek(bad, at + 101 + 17, 8), 0);
            patch(bad, at + 101 + 33 + 17, le64(first_child));  // slot 1 points at slot 0's child
        }
        fix_csum(bad, at, kNode);
        FileBlockDevice dev(bad, 512);
        auto r = fs::btrfs::open(dev);
        std::string msg;
        if (r.ok()) {
            std::unique_ptr<fs::Filesystem> f(r.value());
            // Every entry of the big directory: some lie under the broken pointer.
            Status s = ok();
            for (int i = 0; i < 3000 && s.ok(); i += 7) {
                auto n = f->lookup("/plain/many/entry-" + std::to_string(i));
                if (!n.ok()) s = n.error();
            }
            ASSERT_FALSE(s.ok());
            msg = s.error().message();
            EXPECT_EQ(s.error().code(), Errc::bad_data) << msg;
        } else {
            msg = r.error().message();
            EXPECT_EQ(r.error().code(), Errc::bad_data) << msg;
        }
        const char* want = variant == 0 ? "has level 1, expected 0" : "first key differs from its parent's pointer";
        EXPECT_NE(msg.find(want), std::string::npos) << msg;
    }
}

TEST(BtrfsDamage, ChunkPastTheDevice) {
    REQUIRE_IMAGE("fedora");
    const std::string bad = copy_image(img, "bad-chunk.img");
    // The first system chunk's stripe offsets (sys_chunk_array at 0x32b: key 17, chunk 48, stripes of 32
    // bytes: devid 8, offset 8).
    // Both copies: the system chunk is DUP, and a node whose first copy cannot be read comes from the second.
    patch(bad, kSuper + 0x32b + 17 + 48 + 8, le64(1ULL << 40));
    patch(bad, kSuper + 0x32b + 17 + 48 + 32 + 8, le64(1ULL << 40));
    fix_csum(bad, kSuper, 4096);
    FileBlockDevice dev(bad, 512);
    Errc code{};
    const std::string msg = mount_error(dev, &code);
    EXPECT_EQ(code, Errc::bad_data);
    EXPECT_NE(msg.find("past the end of"), std::string::npos) << msg;
}

TEST(BtrfsDamage, ExtentPastTheEnd) {
    REQUIRE_IMAGE("fedora");
    std::uint64_t ino;
    {
        FileBlockDevice dev(img.img, 512);
        auto f = open_fs(dev);
        ASSERT_TRUE(f);
        ino = must_lookup(*f, "/plain/big").id & 0xffffffffffffULL;
    }
    const ExtentItem e = find_extent(img.img, ino);
    const std::string bad = copy_image(img, "bad-extent.img");
    const std::uint64_t leaf = physical(bad, e.leaf);
    patch(bad, leaf + 101 + e.itemoff + 21, le64(1ULL << 50));
    fix_csum(bad, leaf, kNode);
    FileBlockDevice dev(bad, 512);
    auto f = open_fs(dev);
    ASSERT_TRUE(f);
    Status s = ok();
    const auto data = read_all(*f, must_lookup(*f, "/plain/big"), &s);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::bad_data);
    EXPECT_NE(std::string(s.error().message()).find("logical 1125899906842624 is in no chunk"), std::string::npos)
        << s.error().message();
}

TEST(BtrfsDamage, BrokenCompressedData) {
    REQUIRE_IMAGE("fedora");
    for (const char* path : {"/root/boot/vmlinuz-6.9.7-200.fc40.aarch64", "/lzo/big", "/zlib/big"}) {
        SCOPED_TRACE(path);
        std::uint64_t ino;
        bool in_root = std::string(path).rfind("/root/", 0) == 0;
        {
            FileBlockDevice dev(img.img, 512);
            auto f = open_fs(dev);
            ASSERT_TRUE(f);
            ino = must_lookup(*f, path).id & 0xffffffffffffULL;
        }
        const std::string dump_tree = in_root ? "256" : "5";
        ExtentItem e;
        {
            const std::string dump = sim::run_tool("btrfs inspect-internal dump-tree -t " + dump_tree + " " + img.img,
                                                   sim::Stderr::discarded)
                                         .output;
            std::smatch m;
            const std::regex re("key \\(" + std::to_string(ino) +
                                " EXTENT_DATA 0\\)[^\\n]*\\n[^\\n]*\\n\\s*extent data disk byte (\\d+)");
            ASSERT_TRUE(std::regex_search(dump, m, re));
            e.disk = std::stoull(m[1]);
        }
        const std::string bad = copy_image(img, "bad-data.img");
        patch(bad, physical(bad, e.disk), std::vector<std::uint8_t>(64, 0x5a));
        FileBlockDevice dev(bad, 512);
        auto f = open_fs(dev);
        ASSERT_TRUE(f);
        Status s = ok();
        (void)read_all(*f, must_lookup(*f, path), &s);
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().code(), Errc::bad_data) << s.error().message();
    }
}

TEST(BtrfsDamage, MultiDeviceIsRefused) {
    if (!sim::have_tool("mkfs.btrfs")) GTEST_SKIP() << "mkfs.btrfs is not installed";
    TempDir dir("btrfs-raid");
    const std::string a = dir.file("a.img", 128 << 20), b = dir.file("b.img", 128 << 20);
    sim::run_tool("mkfs.btrfs -q -f -d raid1 -m raid1 " + a + " " + b + " >/dev/null");
    FileBlockDevice dev(a, 512);
    Errc code{};
    EXPECT_EQ(mount_error(dev, &code), "btrfs: 2 devices: only single-device filesystems are supported");
    EXPECT_EQ(code, Errc::unsupported);
}

}  // namespace
