// ext2/3/4 reader: images made by e2fsprogs at test time (mke2fs -d from a
// source tree built here with deterministic pseudo-random content, debugfs
// and e2fsck to tweak them), read back through fs::ext4 and compared with the
// source tree file by file and directory by directory; then damaged images
// (superblock fields, extent headers, directory entries, unknown features)
// that must give clear errors; and the device-read count of a large read.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "fs/ext4/ext4.h"
#include "tests/sim/file_block_device.h"
#include "tests/sim/host_tools.h"
#include "tests/sim/mem_block_device.h"

namespace {

using namespace xb;
namespace stdfs = std::filesystem;
using fs::Node;
using fs::NodeType;
using sim::MemBlockDevice;
using sim::TempDir;

// ---------------------------------------------------------------- helpers

// Runs a shell command of host tools (e2fsprogs); its stdout and stderr.
std::string run(const std::string& command, bool expect_ok = true) {
    return sim::run_tool(command, sim::Stderr::merged, !expect_ok).output;
}

std::vector<std::uint8_t> pseudo_random(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> d(n);
    std::mt19937 rng(seed);
    for (auto& b : d) b = static_cast<std::uint8_t>(rng());
    return d;
}

void write_file(const std::string& path, std::size_t size, unsigned seed) {
    const auto data = pseudo_random(size, seed);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// Writes `size` pseudo-random bytes at `offset` of an existing file (conv=notrunc).
void write_at(const std::string& path, std::uint64_t offset, std::size_t size, unsigned seed) {
    const auto data = pseudo_random(size, seed);
    const int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, data.data(), size, static_cast<off_t>(offset)), static_cast<ssize_t>(size));
    ::close(fd);
}

void sparse_file(const std::string& path, std::uint64_t size) {
    std::ofstream(path).close();
    stdfs::resize_file(path, size);
}

std::vector<std::uint8_t> load(const std::string& path) {
    std::vector<std::uint8_t> bytes(stdfs::file_size(path));
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

struct TreeOptions {
    bool big_sparse = false;  // a 72 MiB sparse file (triple indirect with 1 KiB blocks)
};

// The source tree every variant is made from: files of sizes around the
// block and map boundaries, nested and deep directories, every kind of
// symlink, sparse files with holes at the start, middle and end.
void make_tree(const std::string& root, const TreeOptions& opt = {}) {
    unsigned seed = 1;
    const std::size_t sizes[] = {0,    1,    59,   60,   61,   511,   512,   513,       1023,       1024,
                                 1025, 2048, 4095, 4096, 4097, 12288, 12289, 13 * 1024, 300 * 1024, 1100 * 1024};
    stdfs::create_directories(root + "/files");
    for (std::size_t s : sizes) write_file(root + "/files/f" + std::to_string(s), s, seed++);
    stdfs::create_directories(root + "/a/b/c");
    write_file(root + "/a/b/c/leaf.txt", 777, seed++);
    write_file(root + "/a/top", 5000, seed++);
    stdfs::create_directories(root + "/empty");
    // 30 levels deep.
    std::string deep = root + "/deep";
    for (int i = 1; i <= 30; ++i) deep += "/d" + std::to_string(i);
    stdfs::create_directories(deep);
    write_file(deep + "/bottom", 3333, seed++);
    // A long name (255 bytes).
    write_file(root + "/a/" + std::string(255, 'n'), 10, seed++);
    // Symlinks: fast relative, slow (> 60 bytes), absolute, chain, to a
    // directory (used mid-path), dangling, loop.
    stdfs::create_directories(root + "/links");
    stdfs::create_symlink("../a/top", root + "/links/fast");
    std::string slow = "..";
    for (int i = 0; i < 12; ++i) slow += "/./../links";
    slow += "/../a/b/c/leaf.txt";
    stdfs::create_symlink(slow, root + "/links/slow");
    stdfs::create_symlink("/a/b/c/leaf.txt", root + "/links/absolute");
    stdfs::create_symlink("fast", root + "/links/chain1");
    stdfs::create_symlink("chain1", root + "/links/chain2");
    stdfs::create_symlink("../a/b", root + "/links/dir");
    stdfs::create_symlink("/deep/d1/d2/d3", root + "/links/deepdir");
    stdfs::create_symlink("nowhere", root + "/links/dangling");
    stdfs::create_symlink("loop2", root + "/links/loop1");
    stdfs::create_symlink("loop1", root + "/links/loop2");
    // Sparse: holes at the start, in the middle, at the end.
    stdfs::create_directories(root + "/sparse");
    sparse_file(root + "/sparse/start", 256 * 1024);
    write_at(root + "/sparse/start", 200 * 1024, 8192, seed++);
    sparse_file(root + "/sparse/middle", 256 * 1024);
    write_at(root + "/sparse/middle", 0, 16384, seed++);
    write_at(root + "/sparse/middle", 128 * 1024, 5000, seed++);
    sparse_file(root + "/sparse/end", 300 * 1024);
    write_at(root + "/sparse/end", 0, 12345, seed++);
    sparse_file(root + "/sparse/all-hole", 100 * 1024);
    if (opt.big_sparse) {
        // Data at 0, at 1 MiB (double indirect with 1 KiB blocks) and at
        // 70 MiB (triple indirect: beyond 12 + 256 + 256^2 blocks).
        sparse_file(root + "/sparse/big", 72 * 1024 * 1024);
        write_at(root + "/sparse/big", 0, 4096, seed++);
        write_at(root + "/sparse/big", 1024 * 1024, 8192, seed++);
        write_at(root + "/sparse/big", 70 * 1024 * 1024, 4096 * 3, seed++);
    }
}

// mke2fs -d `src` into `image` of `size`; returns the image path.
std::string mkfs(const std::string& src, const std::string& image, const std::string& options,
                 const std::string& size) {
    sim::make_ext_image(src, image, options, size, "root_owner=0:0,lazy_itable_init=1");
    return image;
}

std::unique_ptr<fs::Filesystem> mount(BlockDevice& dev) {
    Result<fs::Filesystem*> r = fs::ext4::mount(dev);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return std::unique_ptr<fs::Filesystem>(r.ok() ? r.value() : nullptr);
}

std::string mount_error(BlockDevice& dev, Errc* code = nullptr) {
    Result<fs::Filesystem*> r = fs::ext4::mount(dev);
    if (r.ok()) {
        delete r.value();
        return "(mounted)";
    }
    if (code != nullptr) *code = r.error().code();
    return r.error().message();
}

struct Listing final : fs::DirVisitor {
    std::map<std::string, Node> entries;
    bool visit(const fs::DirEntry& e) override {
        EXPECT_TRUE(entries.emplace(std::string(e.name), e.node).second) << "duplicate " << e.name;
        return true;
    }
};

Listing list(fs::Filesystem& f, const Node& dir) {
    Listing l;
    Status s = f.list(dir, l);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return l;
}

std::vector<std::uint8_t> read_all(fs::Filesystem& f, const Node& node) {
    std::vector<std::uint8_t> out(node.size + 16, 0xcc);
    Result<std::uint64_t> r = f.read(node, 0, {out.data(), out.size()});
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (!r.ok()) return {};
    EXPECT_EQ(r.value(), node.size);
    for (std::size_t i = node.size; i < out.size(); ++i) EXPECT_EQ(out[i], 0xcc) << "wrote past the file";
    out.resize(r.value());
    return out;
}

struct CompareStats {
    unsigned files = 0, dirs = 0, links = 0;
};

// Compares directory `rel` of the filesystem with the host tree: names,
// types, sizes; every file's bytes (whole, and in odd-sized chunks for the
// smaller ones); every directory recursively.
void compare_dir(fs::Filesystem& f, const std::string& host_root, const std::string& rel, CompareStats& stats) {
    const std::string host = host_root + rel;
    Result<Node> dir = f.lookup(rel.empty() ? "/" : rel);
    ASSERT_TRUE(dir.ok()) << rel << ": " << dir.error().message();
    ASSERT_EQ(dir.value().type, NodeType::directory) << rel;
    ++stats.dirs;
    Listing l = list(f, dir.value());
    ASSERT_EQ(l.entries.count("."), 1u) << rel;
    ASSERT_EQ(l.entries.count(".."), 1u) << rel;
    EXPECT_EQ(l.entries["."].id, dir.value().id);
    std::size_t expected = 2;
    if (rel.empty() && l.entries.count("lost+found") != 0) ++expected;
    for (const auto& entry : stdfs::directory_iterator(host)) {
        ++expected;
        const std::string name = entry.path().filename().string();
        const std::string path = rel + "/" + name;
        auto it = l.entries.find(name);
        ASSERT_NE(it, l.entries.end()) << path << " missing from the listing";
        const Node& node = it->second;
        const stdfs::file_status st = entry.symlink_status();
        if (stdfs::is_symlink(st)) {
            ++stats.links;
            EXPECT_EQ(node.type, NodeType::symlink) << path;
            EXPECT_EQ(node.size, stdfs::read_symlink(entry.path()).string().size()) << path;
        } else if (stdfs::is_directory(st)) {
            EXPECT_EQ(node.type, NodeType::directory) << path;
            compare_dir(f, host_root, path, stats);
        } else {
            ++stats.files;
            EXPECT_EQ(node.type, NodeType::file) << path;
            const auto want = load(entry.path().string());
            ASSERT_EQ(node.size, want.size()) << path;
            if (l.entries.size() < 100) {  // (a linear search each: quadratic in big directories)
                Result<Node> found = f.lookup(path);
                ASSERT_TRUE(found.ok()) << path << ": " << found.error().message();
                EXPECT_EQ(found.value().id, node.id) << path;
            }
            EXPECT_TRUE(read_all(f, node) == want) << path << ": contents differ";
            if (want.size() > 1 && want.size() <= 2 * 1024 * 1024) {
                // Odd chunks: partial blocks at both ends of every read.
                std::vector<std::uint8_t> got(want.size());
                std::uint64_t at = 0;
                const std::size_t chunk = want.size() > 100000 ? 65537 : 1000;
                while (at < want.size()) {
                    Result<std::uint64_t> r = f.read(node, at, {got.data() + at, std::min(chunk, got.size() - at)});
                    ASSERT_TRUE(r.ok()) << path << ": " << r.error().message();
                    ASSERT_NE(r.value(), 0u);
                    at += r.value();
                }
                EXPECT_TRUE(got == want) << path << ": chunked contents differ";
            }
        }
    }
    EXPECT_EQ(l.entries.size(), expected) << rel << ": entries the host tree does not have";
}

CompareStats compare_tree(fs::Filesystem& f, const std::string& host_root) {
    CompareStats stats;
    compare_dir(f, host_root, "", stats);
    return stats;
}

// Checks lookups through every kind of symlink in make_tree's tree.
void check_symlinks(fs::Filesystem& f, const std::string& src) {
    const auto top = load(src + "/a/top");
    const auto leaf = load(src + "/a/b/c/leaf.txt");
    for (const char* p : {"/links/fast", "links/chain2", "/links/chain1", "/links/dir/../top", "/a/b/c/../../top"}) {
        Result<Node> n = f.lookup(p);
        ASSERT_TRUE(n.ok()) << p << ": " << n.error().message();
        EXPECT_EQ(n.value().type, NodeType::file) << p;
        EXPECT_TRUE(read_all(f, n.value()) == top) << p;
    }
    for (const char* p : {"/links/slow", "/links/absolute", "/links/dir/c/leaf.txt", "//links/./dir/c//leaf.txt",
                          "/links/deepdir/../../../d1/d2/d3/../../../../a/b/c/leaf.txt"}) {
        Result<Node> n = f.lookup(p);
        ASSERT_TRUE(n.ok()) << p << ": " << n.error().message();
        EXPECT_TRUE(read_all(f, n.value()) == leaf) << p;
    }
    Result<Node> deep = f.lookup(
        "/links/deepdir/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19/d20/d21/d22/"
        "d23/d24/d25/d26/d27/d28/d29/d30/bottom");
    ASSERT_TRUE(deep.ok()) << deep.error().message();
    EXPECT_TRUE(read_all(f, deep.value()) == load(src + "/deep/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/"
                                                        "d16/d17/d18/d19/d20/d21/d22/d23/d24/d25/d26/d27/d28/d29/d30/"
                                                        "bottom"));
    Result<Node> empty = f.lookup(std::string_view());
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty.value().id, 2u);
    // ".." never goes above the root.
    Result<Node> up = f.lookup("/../../a/../..");
    ASSERT_TRUE(up.ok());
    EXPECT_EQ(up.value().id, 2u);
    Result<Node> loop = f.lookup("/links/loop1");
    ASSERT_FALSE(loop.ok());
    EXPECT_NE(std::string(loop.error().message()).find("too many levels of symbolic links"), std::string::npos)
        << loop.error().message();
    Result<Node> dangling = f.lookup("/links/dangling");
    ASSERT_FALSE(dangling.ok());
    EXPECT_EQ(dangling.error().code(), Errc::not_found);
    EXPECT_NE(std::string(dangling.error().message()).find("nowhere"), std::string::npos);
    // Reading the links themselves gives their targets.
    for (const char* link : {"/links/fast", "/links/slow", "/links/absolute"}) {
        Listing l = list(f, f.lookup("/links").value());
        const Node& node = l.entries[stdfs::path(link).filename().string()];
        ASSERT_EQ(node.type, NodeType::symlink) << link;
        const std::string target = stdfs::read_symlink(src + link).string();
        const auto got = read_all(f, node);
        EXPECT_EQ(std::string(got.begin(), got.end()), target) << link;
    }
    Result<Node> missing = f.lookup("/a/b/missing/x");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code(), Errc::not_found);
    EXPECT_NE(std::string(missing.error().message()).find("missing"), std::string::npos);
    Result<Node> through_file = f.lookup("/a/top/x");
    ASSERT_FALSE(through_file.ok());
    EXPECT_EQ(through_file.error().code(), Errc::not_found);
    Result<Node> too_long = f.lookup("/a/" + std::string(256, 'n'));
    ASSERT_FALSE(too_long.ok());
    Result<Node> longest = f.lookup("/a/" + std::string(255, 'n'));
    ASSERT_TRUE(longest.ok()) << longest.error().message();
    EXPECT_EQ(longest.value().size, 10u);
}

struct Variant {
    const char* options;
    const char* size;
    const char* type;
    bool big_sparse = false;
    std::uint32_t device_block = 512;
};

// Builds the tree, makes the image, mounts it, compares everything.
void check_variant(const Variant& v) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    make_tree(src, {v.big_sparse});
    const std::string image = mkfs(src, tmp.path + "/image", v.options, v.size);
    auto dev = MemBlockDevice::from_image("img", v.device_block, load(image));
    auto f = mount(dev);
    ASSERT_TRUE(f);
    EXPECT_STREQ(f->type_name(), v.type);
    EXPECT_STREQ(f->warning(), "");
    const CompareStats stats = compare_tree(*f, src);
    EXPECT_EQ(stats.files, v.big_sparse ? 29u : 28u);
    EXPECT_GE(stats.dirs, 38u);
    EXPECT_EQ(stats.links, 10u);
    check_symlinks(*f, src);
}

std::string debugfs(const std::string& image, const std::string& request, bool write = false) {
    return run(std::string("debugfs ") + (write ? "-w " : "") + "-R '" + request + "' " + image);
}

// Where inode of `path` lies in the image: byte offset (debugfs imap).
std::uint64_t inode_offset(const std::string& image, const std::string& path, std::uint32_t block_size) {
    const std::string out = debugfs(image, "imap " + path);
    std::smatch m;
    EXPECT_TRUE(std::regex_search(out, m, std::regex("located at block (\\d+), offset (0x[0-9a-f]+)"))) << out;
    if (m.empty()) return 0;
    return std::stoull(m[1]) * block_size + std::stoull(m[2], nullptr, 16);
}

std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
std::uint32_t le32(const std::uint8_t* p) { return le16(p) | static_cast<std::uint32_t>(le16(p + 2)) << 16; }

// ---------------------------------------------------------------- variants

TEST(Ext4, Ext2With1KBlocksAndTripleIndirect) { check_variant({"-t ext2 -b 1024", "16M", "ext2", true}); }

TEST(Ext4, Ext2On4KDeviceBlocks) {
    // A 1 KiB-block filesystem on a 4 KiB-sector disk: blocks are not device-aligned.
    check_variant({"-t ext2 -b 1024", "8M", "ext2", false, 4096});
}

TEST(Ext4, Ext3With4KBlocks) { check_variant({"-t ext3 -b 4096", "16M", "ext3"}); }

TEST(Ext4, Ext4Default) { check_variant({"-t ext4", "16M", "ext4"}); }

TEST(Ext4, Ext4WithoutExtents1K) { check_variant({"-t ext4 -b 1024 -O ^extent,^64bit", "16M", "ext4", true}); }

TEST(Ext4, Ext4With2KBlocksNo64bit) { check_variant({"-t ext4 -b 2048 -O ^64bit,^metadata_csum", "16M", "ext4"}); }

TEST(Ext4, Ext4MetaBg) { check_variant({"-t ext4 -b 1024 -O ^resize_inode,meta_bg", "16M", "ext4"}); }

TEST(Ext4, Ext4With4KDeviceBlocks) { check_variant({"-t ext4 -b 4096", "16M", "ext4", false, 4096}); }

// ---------------------------------------------------------------- features

// A directory of `count` entries named entry-NNNNN plus a suffix of up to
// `pad` bytes; every 1000th has content. e2fsck -fyD indexes it (mke2fs -d
// writes linear directories).
void check_htree(unsigned count, int pad, const std::string& options, const char* levels) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    stdfs::create_directories(src + "/big");
    const std::string suffix = "-" + std::string(static_cast<std::size_t>(pad), 'p');
    auto name_of = [&](unsigned i) {
        char name[32];
        std::snprintf(name, sizeof name, "entry-%05u", i);
        return std::string(name) + suffix.substr(0, i % (suffix.size() + 1));
    };
    for (unsigned i = 0; i < count; ++i) {
        if (i % 1000 == 7) {
            write_file(src + "/big/" + name_of(i), 100 + i / 100, i);
        } else {
            std::ofstream(src + "/big/" + name_of(i)).close();
        }
    }
    const std::string image = mkfs(src, tmp.path + "/image", options, "32M");
    run("e2fsck -fyD " + image + " >/dev/null");
    const std::string htree = debugfs(image, "htree /big");
    ASSERT_NE(htree.find("Root node dump"), std::string::npos) << "not indexed:\n" << htree.substr(0, 500);
    ASSERT_NE(htree.find(levels), std::string::npos) << htree.substr(0, 500);
    auto dev = MemBlockDevice::from_image("img", 512, load(image));
    auto f = mount(dev);
    ASSERT_TRUE(f);
    const CompareStats stats = compare_tree(*f, src);
    EXPECT_EQ(stats.files, count);
    for (unsigned i : {0u, 7u, count / 2, count - 1}) {
        Result<Node> n = f->lookup("/big/" + name_of(i));
        ASSERT_TRUE(n.ok()) << name_of(i) << ": " << n.error().message();
        EXPECT_EQ(n.value().size, i % 1000 == 7 ? 100u + i / 100 : 0u);
    }
    EXPECT_FALSE(f->lookup("/big/" + name_of(count)).ok());
}

TEST(Ext4, HtreeDirectoryWith10000Entries) { check_htree(10000, 16, "-t ext4 -b 4096 -N 12000", "Indirect levels: 0"); }

TEST(Ext4, HtreeWithInteriorIndexBlocks) {
    // Long names on 1 KiB blocks: more leaves than the root holds, so the
    // index has a level of dx_node blocks (each a fake empty entry).
    check_htree(1500, 200, "-t ext4 -b 1024", "Indirect levels: 1");
}

TEST(Ext4, InlineData) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    stdfs::create_directories(src + "/small/dir");
    for (unsigned s : {0u, 1u, 30u, 59u, 60u, 61u, 100u, 120u, 140u}) {
        write_file(src + "/small/f" + std::to_string(s), s, s + 100);
    }
    write_file(src + "/small/dir/x", 5, 1);
    stdfs::create_directories(src + "/tiny");
    write_file(src + "/tiny/a", 3, 2);
    stdfs::create_directories(src + "/medium");
    for (int i = 0; i < 4; ++i) write_file(src + "/medium/n" + std::to_string(i), 10, 3 + i);
    write_file(src + "/large", 50000, 9);
    stdfs::create_symlink(std::string(70, 'z'), src + "/small/longlink");
    const std::string image = mkfs(src, tmp.path + "/image", "-t ext4 -b 4096 -O inline_data -I 256", "8M");
    // The tools really stored these inline.
    for (const char* p : {"/small/f30", "/small/f100", "/tiny", "/medium"}) {
        EXPECT_NE(debugfs(image, std::string("stat ") + p).find("Size of inline data"), std::string::npos) << p;
    }
    EXPECT_NE(debugfs(image, "stat /small/f120").find("Size of inline data: 120"), std::string::npos)
        << "f120 does not reach the system.data value";
    auto bytes = load(image);
    {
        auto dev = MemBlockDevice::from_image("img", 512, bytes);
        auto f = mount(dev);
        ASSERT_TRUE(f);
        const CompareStats stats = compare_tree(*f, src);
        EXPECT_EQ(stats.files, 16u);
        // A 70-byte symlink target stored inline (i_block + system.data).
        Listing small = list(*f, f->lookup("/small").value());
        const auto target = read_all(*f, small.entries["longlink"]);
        EXPECT_EQ(std::string(target.begin(), target.end()), std::string(70, 'z'));
        Result<Node> up = f->lookup("/small/dir/../dir/./x");
        ASSERT_TRUE(up.ok()) << up.error().message();
        EXPECT_EQ(up.value().size, 5u);
    }
    // mke2fs never spills a directory into system.data (it converts it to a
    // block directory instead; the kernel does spill): put an entry "moved"
    // for /small/f61 there by hand, as the kernel would lay it out.
    const std::uint64_t at = inode_offset(image, "/tiny", 4096);
    const std::uint32_t ibody = 128 + le16(&bytes[at + 0x80]);
    ASSERT_EQ(le32(&bytes[at + ibody]), 0xEA020000u);
    std::uint8_t* entry = &bytes[at + ibody + 4];
    ASSERT_EQ(entry[0], 4);  // "data"
    ASSERT_EQ(entry[1], 7);  // system.
    ASSERT_EQ(le32(entry + 8), 0u) << "already has a value";
    const std::uint32_t value_at = 256 - 24;
    sim::put_le16(entry + 2, static_cast<std::uint16_t>(value_at - (ibody + 4)));
    sim::put_le32(entry + 8, 24);
    const std::uint32_t f61 = static_cast<std::uint32_t>(
        std::stoul(run("debugfs -R 'ls -l /small' " + image + " 2>/dev/null | awk '$NF == \"f61\" {print $1}'")));
    std::uint8_t* dirent = &bytes[at + value_at];
    sim::put_le32(dirent, f61);
    sim::put_le16(dirent + 4, 24);
    dirent[6] = 5;
    dirent[7] = 1;
    std::memcpy(dirent + 8, "moved", 5);
    auto dev = MemBlockDevice::from_image("img", 512, std::move(bytes));
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Listing l = list(*f, f->lookup("/tiny").value());
    EXPECT_EQ(l.entries.size(), 4u);  // . .. a moved
    Result<Node> moved = f->lookup("/tiny/moved");
    ASSERT_TRUE(moved.ok()) << moved.error().message();
    EXPECT_TRUE(read_all(*f, moved.value()) == load(src + "/small/f61"));
    EXPECT_TRUE(f->lookup("/tiny/a").ok());
}

TEST(Ext4, ExtentTreeOfDepthTwo) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    stdfs::create_directories(src);
    // 500 separate 4 KiB pieces: 500 extents, more than depth 1 holds with
    // 1 KiB blocks (4 index entries in the inode x 84 extents per leaf).
    sparse_file(src + "/fragmented", 500 * 8192);
    for (unsigned i = 0; i < 500; ++i) write_at(src + "/fragmented", i * 8192, 4096, i);
    const std::string image = mkfs(src, tmp.path + "/image", "-t ext4 -b 1024", "8M");
    auto bytes = load(image);
    const std::uint64_t at = inode_offset(image, "/fragmented", 1024);
    ASSERT_EQ(le16(&bytes[at + 0x28]), 0xF30A);
    EXPECT_EQ(le16(&bytes[at + 0x28 + 6]), 2) << "extent tree depth";
    auto dev = MemBlockDevice::from_image("img", 512, std::move(bytes));
    auto f = mount(dev);
    ASSERT_TRUE(f);
    compare_tree(*f, src);
}

TEST(Ext4, UninitializedExtentReadsAsZeros) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    stdfs::create_directories(src);
    write_file(src + "/data", 8192, 5);
    const std::string image = mkfs(src, tmp.path + "/image", "-t ext4 -b 4096", "8M");
    auto bytes = load(image);
    const std::uint64_t at = inode_offset(image, "/data", 4096);
    ASSERT_EQ(le16(&bytes[at + 0x28 + 2]), 1) << "one extent";
    const std::uint64_t len_at = at + 0x28 + 12 + 4;
    ASSERT_EQ(le16(&bytes[len_at]), 2);
    sim::put_le16(&bytes[len_at], 2 + 32768);  // the uninitialized flag
    auto dev = MemBlockDevice::from_image("img", 512, std::move(bytes));
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Result<Node> n = f->lookup("/data");
    ASSERT_TRUE(n.ok());
    EXPECT_TRUE(read_all(*f, n.value()) == std::vector<std::uint8_t>(8192, 0));
}

TEST(Ext4, FileOver4GiB) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    stdfs::create_directories(src);
    const std::uint64_t size = 5ull * 1024 * 1024 * 1024 + 1000;
    const std::uint64_t four_g = 4ull * 1024 * 1024 * 1024;
    sparse_file(src + "/huge", size);
    write_at(src + "/huge", 0, 4096, 1);
    write_at(src + "/huge", four_g - 2048, 4096, 2);  // across the 4 GiB boundary
    write_at(src + "/huge", size - 1000, 1000, 3);
    const std::string image = mkfs(src, tmp.path + "/image", "-t ext4", "64M");
    sim::FileBlockDevice dev(image, 512);
    ASSERT_TRUE(dev.is_open());
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Result<Node> n = f->lookup("/huge");
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n.value().size, size);
    sim::FileBlockDevice host(src + "/huge", 1);
    for (std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{4000}, four_g - 3000, four_g - 2048, four_g + 1,
                                 std::uint64_t{3} << 30, size - 5000}) {
        std::vector<std::uint8_t> got(5000), want(5000);
        Result<std::uint64_t> r = f->read(n.value(), offset, {got.data(), got.size()});
        ASSERT_TRUE(r.ok()) << r.error().message();
        EXPECT_EQ(r.value(), 5000u);
        ASSERT_TRUE(host.read(offset, 5000, want.data()).ok());
        EXPECT_TRUE(got == want) << "at " << offset;
    }
    // Past the end: short, then nothing.
    std::vector<std::uint8_t> tail(3000);
    Result<std::uint64_t> r = f->read(n.value(), size - 100, {tail.data(), tail.size()});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 100u);
    Result<std::uint64_t> none = f->read(n.value(), size, {tail.data(), tail.size()});
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none.value(), 0u);
}

TEST(Ext4, LargeReadIsFewDeviceReads) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    stdfs::create_directories(src);
    constexpr std::size_t kSize = 32 * 1024 * 1024;
    write_file(src + "/kernel", kSize, 77);
    const std::string image = mkfs(src, tmp.path + "/image", "-t ext4", "64M");
    sim::FileBlockDevice dev(image, 512);
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Result<Node> n = f->lookup("/kernel");
    ASSERT_TRUE(n.ok());
    std::vector<std::uint8_t> got(kSize);
    const std::uint64_t reads = dev.reads(), bytes = dev.bytes_read();
    Result<std::uint64_t> r = f->read(n.value(), 0, {got.data(), got.size()});
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value(), kSize);
    // One device read per extent (mke2fs splits the file around the group
    // metadata) and per extent tree block: debugfs lists both, one per line.
    const std::string ex = debugfs(image, "ex /kernel");
    const auto nodes = static_cast<std::uint64_t>(std::count(ex.begin(), ex.end(), '\n')) - 2;
    ASSERT_GE(nodes, 1u) << ex;
    EXPECT_LE(dev.reads() - reads, nodes + 1) << ex;
    EXPECT_LE(dev.bytes_read() - bytes, kSize + (nodes + 1) * 4096);
    EXPECT_TRUE(got == load(src + "/kernel"));
    // Unaligned both ends: only the two partial sectors go through the bounce buffer.
    const std::uint64_t reads2 = dev.reads();
    std::vector<std::uint8_t> part(kSize - 3000);
    Result<std::uint64_t> r2 = f->read(n.value(), 1000, {part.data(), part.size()});
    ASSERT_TRUE(r2.ok());
    EXPECT_LE(dev.reads() - reads2, nodes + 3);
    EXPECT_TRUE(std::equal(part.begin(), part.end(), got.begin() + 1000));
}

TEST(Ext4, NeedsRecoveryIsReadWithAWarning) {
    TempDir tmp;
    const std::string src = tmp.path + "/src";
    stdfs::create_directories(src);
    write_file(src + "/file", 20000, 3);
    const std::string image = mkfs(src, tmp.path + "/image", "-t ext4", "16M");
    debugfs(image, "feature needs_recovery", true);
    ASSERT_NE(run("dumpe2fs -h " + image).find("needs_recovery"), std::string::npos);
    auto dev = MemBlockDevice::from_image("img", 512, load(image));
    auto f = mount(dev);
    ASSERT_TRUE(f);
    EXPECT_STREQ(f->warning(), "journal needs recovery: reading anyway");
    compare_tree(*f, src);
}

// ---------------------------------------------------------------- damaged images

struct Damaged {
    TempDir tmp;
    std::string src, image;
    std::vector<std::uint8_t> bytes;
    std::uint32_t block_size;

    explicit Damaged(const std::string& options = "-t ext4 -b 1024", std::uint32_t bs = 1024) : block_size(bs) {
        src = tmp.path + "/src";
        stdfs::create_directories(src + "/dir");
        for (int i = 0; i < 20; ++i) write_file(src + "/dir/file" + std::to_string(i), 3000, i);
        write_file(src + "/top", 5000, 99);
        image = mkfs(src, tmp.path + "/image", options, "4M");
        bytes = load(image);
    }
    std::uint8_t* sb() { return &bytes[1024]; }
    MemBlockDevice device() { return MemBlockDevice::from_image("img", 512, bytes); }
};

TEST(Ext4Bad, NoSuperblockIsNotFound) {
    Damaged d;
    d.sb()[0x38] = 0;
    auto dev = d.device();
    Errc code{};
    EXPECT_EQ(mount_error(dev, &code), "no ext2/3/4 superblock");
    EXPECT_EQ(code, Errc::not_found);
    MemBlockDevice tiny("tiny", 512, 2);
    EXPECT_EQ(mount_error(tiny, &code), "no ext2/3/4 superblock");
}

TEST(Ext4Bad, SuperblockFields) {
    struct Case {
        unsigned offset, width;
        std::uint32_t value;
        const char* message;
    };
    const Case cases[] = {
        {0x18, 4, 7, "s_log_block_size"},          {0x28, 4, 0, "inodes per group"},
        {0x20, 4, 0, "0 blocks per group"},        {0x58, 2, 100, "inode size"},
        {0xFE, 2, 48, "group descriptor size"},    {0x04, 4, 0x7fffffff, "larger than the device"},
        {0x14, 4, 0x7fffffff, "first data block"}, {0x00, 4, 0xffffffff, "inodes do not fit"},
    };
    Damaged d;
    for (const Case& c : cases) {
        auto bytes = d.bytes;
        if (c.width == 2) {
            sim::put_le16(&bytes[1024 + c.offset], static_cast<std::uint16_t>(c.value));
        } else {
            sim::put_le32(&bytes[1024 + c.offset], c.value);
        }
        auto dev = MemBlockDevice::from_image("img", 512, bytes);
        Errc code{};
        const std::string message = mount_error(dev, &code);
        EXPECT_NE(message.find(c.message), std::string::npos) << message;
        EXPECT_EQ(code, Errc::bad_data) << message;
    }
}

TEST(Ext4Bad, UnsupportedIncompatFeatures) {
    Damaged d;
    struct Case {
        std::uint32_t bit;
        const char* message;
    };
    for (const Case& c : {Case{0x80000, "unsupported incompat feature bits 0x80000"}, Case{0x1, "compression"},
                          Case{0x1000, "dirdata"}, Case{0x8, "journal_dev"}}) {
        auto bytes = d.bytes;
        sim::put_le32(&bytes[1024 + 0x60], le32(&bytes[1024 + 0x60]) | c.bit);
        auto dev = MemBlockDevice::from_image("img", 512, bytes);
        Errc code{};
        const std::string message = mount_error(dev, &code);
        EXPECT_NE(message.find(c.message), std::string::npos) << message;
        EXPECT_EQ(code, Errc::unsupported);
    }
    // The same with debugfs setting the field, and unknown ro_compat bits are fine.
    debugfs(d.image, "ssv feature_incompat 0x402c2", true);
    auto dev = MemBlockDevice::from_image("img", 512, load(d.image));
    EXPECT_NE(mount_error(dev).find("0x40000"), std::string::npos);
    auto ro = d.bytes;
    sim::put_le32(&ro[1024 + 0x64], le32(&ro[1024 + 0x64]) | 0x40000000);
    auto ro_dev = MemBlockDevice::from_image("img", 512, ro);
    EXPECT_TRUE(mount(ro_dev));
}

TEST(Ext4Bad, ExtentHeaders) {
    Damaged d;
    const std::uint64_t at = d.bytes.size() ? inode_offset(d.image, "/top", 1024) + 0x28 : 0;
    struct Case {
        unsigned field;
        std::uint16_t value;
        const char* message;
    };
    for (const Case& c : {Case{0, 0x1234, "bad extent header magic"}, Case{2, 5, "entries"}, Case{4, 40, "entries"},
                          Case{6, 9, "depth"}}) {
        auto bytes = d.bytes;
        sim::put_le16(&bytes[at + c.field], c.value);
        auto dev = MemBlockDevice::from_image("img", 512, bytes);
        auto f = mount(dev);
        ASSERT_TRUE(f);
        Result<Node> n = f->lookup("/top");
        ASSERT_TRUE(n.ok());
        std::vector<std::uint8_t> buf(5000);
        Result<std::uint64_t> r = f->read(n.value(), 0, {buf.data(), buf.size()});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), Errc::bad_data);
        EXPECT_NE(std::string(r.error().message()).find(c.message), std::string::npos) << r.error().message();
    }
    // An extent pointing past the filesystem.
    auto bytes = d.bytes;
    sim::put_le32(&bytes[at + 12 + 8], 0x7ffffff0);
    auto dev = MemBlockDevice::from_image("img", 512, bytes);
    auto f = mount(dev);
    ASSERT_TRUE(f);
    std::vector<std::uint8_t> buf(5000);
    Result<std::uint64_t> r = f->read(f->lookup("/top").value(), 0, {buf.data(), buf.size()});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(std::string(r.error().message()).find("outside the filesystem"), std::string::npos);
}

TEST(Ext4Bad, DirectoryEntries) {
    Damaged d;
    const std::string bmap = debugfs(d.image, "bmap /dir 0");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(bmap, m, std::regex("(^|\\n)(\\d+)\\s*$")));
    const std::uint64_t dir_block = std::stoull(m[2]);
    struct Case {
        unsigned offset;  // of rec_len within the block
        std::uint16_t value;
    };
    // "." is at 0 (rec_len 12), ".." at 12.
    for (const Case& c : {Case{4, 0}, Case{4, 2}, Case{4, 13}, Case{16, 0}, Case{16, 4000}, Case{4, 4}}) {
        auto bytes = d.bytes;
        sim::put_le16(&bytes[dir_block * 1024 + c.offset], c.value);
        auto dev = MemBlockDevice::from_image("img", 512, bytes);
        auto f = mount(dev);
        ASSERT_TRUE(f);
        Result<Node> dir = f->lookup("/dir");
        ASSERT_TRUE(dir.ok());
        Listing l;
        Status s = f->list(dir.value(), l);
        ASSERT_FALSE(s.ok()) << c.offset << " " << c.value;
        EXPECT_EQ(s.error().code(), Errc::bad_data);
        EXPECT_NE(std::string(s.error().message()).find("bad entry"), std::string::npos) << s.error().message();
        EXPECT_FALSE(f->lookup("/dir/file19").ok());
    }
    // A name with a NUL in it.
    auto bytes = d.bytes;
    bytes[dir_block * 1024 + 12 + 8 + 1] = 0;
    auto dev = MemBlockDevice::from_image("img", 512, bytes);
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Listing l;
    Status s = f->list(f->lookup("/dir").value(), l);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.error().message()).find("bad name"), std::string::npos) << s.error().message();
}

TEST(Ext4Bad, HugeSizeReadsPastTheMapAsZeros) {
    Damaged d;
    const std::uint64_t at = inode_offset(d.image, "/top", 1024);
    sim::put_le32(&d.bytes[at + 0x04], 0xffffffff);
    sim::put_le32(&d.bytes[at + 0x6C], 0xffffffff);
    auto dev = d.device();
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Result<Node> n = f->lookup("/top");
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n.value().size, ~std::uint64_t{0});
    std::vector<std::uint8_t> buf(100, 0xcc);
    Result<std::uint64_t> r = f->read(n.value(), ~std::uint64_t{0} - 60, {buf.data(), buf.size()});
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value(), 60u);
    EXPECT_TRUE(std::all_of(buf.begin(), buf.begin() + 60, [](std::uint8_t b) { return b == 0; }));
    EXPECT_TRUE(std::all_of(buf.begin() + 60, buf.end(), [](std::uint8_t b) { return b == 0xcc; }));
    // The real data is still there.
    std::vector<std::uint8_t> head(5000);
    ASSERT_TRUE(f->read(n.value(), 0, {head.data(), head.size()}).ok());
    EXPECT_TRUE(head == load(d.src + "/top"));
}

TEST(Ext4Bad, ReadErrorsAndBadNodes) {
    Damaged d;
    auto dev = d.device();
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Result<Node> top = f->lookup("/top");
    ASSERT_TRUE(top.ok());
    Node bogus = top.value();
    bogus.id = 0;
    std::vector<std::uint8_t> buf(100);
    EXPECT_FALSE(f->read(bogus, 0, {buf.data(), buf.size()}).ok());
    bogus.id = 1u << 31;
    EXPECT_FALSE(f->read(bogus, 0, {buf.data(), buf.size()}).ok());
    Listing l;
    EXPECT_FALSE(f->list(top.value(), l).ok());
    Result<Node> dir = f->lookup("/dir");
    ASSERT_TRUE(dir.ok());
    EXPECT_FALSE(f->read(dir.value(), 0, {buf.data(), buf.size()}).ok());
}

}  // namespace
