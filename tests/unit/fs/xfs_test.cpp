// XFS reader: images made by mkfs.xfs at test time and filled through a loop
// mount (as root, in a private mount namespace) from a source tree built
// here; the host kernel's view of the mounted tree is copied out and every
// directory, file and symlink is compared with what fs::xfs reads. xfs_db
// confirms the on-disk forms the tree was built to produce (short-form,
// block, leaf and node directories, a B+tree of extents, remote symlinks),
// and locates the blocks the damage tests corrupt (inode, directory block,
// bmbt block); blkid gives the UUID and label.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "fs/mount.h"
#include "fs/xfs/xfs.h"
#include "lib/crc32c.h"
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

std::string run(const std::string& command, bool expect_ok = true) {
    return sim::run_tool(command, sim::Stderr::merged, !expect_ok).output;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
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

void write_at(const std::string& path, std::uint64_t offset, std::size_t size, unsigned seed) {
    const auto data = pseudo_random(size, seed);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, data.data(), size, static_cast<off_t>(offset)), static_cast<ssize_t>(size));
    ::close(fd);
}

std::vector<std::uint8_t> load(const std::string& path) { return sim::read_file(path); }

// A symlink target of exactly `length` bytes that resolves to /files/f4097
// from /links: "../" then "./" pairs then "files/f4097".
std::string long_target(std::size_t length) {
    const std::string tail = "files/f4097";
    std::string t = "../";
    while (t.size() + tail.size() + 2 <= length) t += "./";
    if (t.size() + tail.size() < length) t += "/";
    return t + tail;
}

// The source tree: files around block sizes, directories sized for each
// directory form, inline and remote symlinks, sparse and fragmented files.
void make_tree(const std::string& root) {
    unsigned seed = 1;
    stdfs::create_directories(root + "/files");
    for (std::size_t s : {0, 1, 100, 511, 512, 1023, 1024, 1025, 4095, 4096, 4097, 65536, 300 * 1024 + 7}) {
        write_file(root + "/files/f" + std::to_string(s), s, seed++);
    }
    write_file(root + "/big", 12 * 1024 * 1024 + 123, seed++);
    // Short-form (a few entries), block (fits one directory block), leaf
    // (several data blocks, one leaf block) and node (thousands of entries).
    const std::pair<const char*, int> dirs[] = {{"short", 3}, {"block", 40}, {"leaf", 400}, {"node", 3000}};
    for (const auto& [name, count] : dirs) {
        stdfs::create_directories(root + "/" + name);
        for (int i = 0; i < count; ++i) {
            const std::string entry =
                root + "/" + name + "/entry-" + std::to_string(i) + "-" + std::string(i % 37, 'x');
            if (i % 10 == 3) stdfs::create_directory(entry);
            else if (i % 50 == 7) write_file(entry, static_cast<std::size_t>(i), seed++);
            else std::ofstream(entry).close();
        }
    }
    std::string deep = root + "/deep";
    for (int i = 1; i <= 12; ++i) deep += "/d" + std::to_string(i);
    stdfs::create_directories(deep);
    write_file(deep + "/bottom", 3333, seed++);
    write_file(root + "/files/" + std::string(255, 'n'), 10, seed++);
    // Symlinks: inline (short) and remote (longer than the inode's literal
    // area; 1000 bytes takes two blocks of 1 KiB with their headers), to a
    // directory, absolute, looping.
    stdfs::create_directories(root + "/links");
    stdfs::create_symlink("../files/f100", root + "/links/inline");
    stdfs::create_symlink(long_target(400), root + "/links/remote400");
    stdfs::create_symlink(long_target(1000), root + "/links/remote1000");
    stdfs::create_symlink("/deep/d1/d2", root + "/links/absdir");
    stdfs::create_symlink("loop2", root + "/links/loop1");
    stdfs::create_symlink("loop1", root + "/links/loop2");
    // Holes: start, middle, end, all; and every other 4 KiB block of 8 MiB
    // (over a thousand extents: a B+tree).
    stdfs::create_directories(root + "/sparse");
    write_at(root + "/sparse/start", 200 * 1024, 8192, seed++);
    write_at(root + "/sparse/middle", 0, 16384, seed++);
    write_at(root + "/sparse/middle", 128 * 1024, 5000, seed++);
    write_at(root + "/sparse/end", 0, 12345, seed++);
    stdfs::resize_file(root + "/sparse/end", 300 * 1024);
    std::ofstream(root + "/sparse/all-hole").close();
    stdfs::resize_file(root + "/sparse/all-hole", 100 * 1024);
    for (int i = 0; i < 2048; i += 2) write_at(root + "/frag", std::uint64_t(i) * 4096, 4096, seed++);
}

// Fills `image` from `src` through a loop mount, adds a preallocated file
// (unwritten extents, then data), and copies the mounted tree (the host
// kernel's view) to `expect`.
bool populate(const std::string& image, const std::string& src, const std::string& mnt, const std::string& expect) {
    stdfs::create_directories(mnt);
    stdfs::create_directories(expect);
    // The test shards build the same images (one fixed UUID) and mount them at
    // the same time: nouuid, or XFS refuses "duplicate UUID"; loop-mount.sh
    // retries when two mounts pick the same loop device.
    const std::string script = std::string(XB_SOURCE_DIR) + "/tests/tools/loop-mount.sh nouuid " + image + " " + mnt +
                               " && cp -a " + src + "/. " + mnt +
                               "/ && xfs_io -f -c 'falloc 0 1m' -c 'pwrite -S 0x5a 1m 8k' -c 'falloc 2m 1m' " + mnt +
                               "/prealloc >/dev/null && cp -a " + mnt + "/. " + expect + "/ && find " + mnt +
                               " -printf '/%P\\t%i\\n' >" + expect + ".inodes; r=$?; umount " + mnt + "; exit $r";
    return sim::run_tool("unshare -m sh -c " + sim::shell_quote(script)).ok;
}

std::string db(const std::string& image, const std::string& commands) {
    return run("xfs_db -r " + commands + " " + image);
}

// A field printed by xfs_db for inode `ino` ("core.format = 3 (btree)" -> "3 (btree)").
std::string inode_field(const std::string& image, std::uint64_t ino, const std::string& field) {
    const std::string out = db(image, "-c 'inode " + std::to_string(ino) + "' -c 'print " + field + "'");
    const auto eq = out.find(" = ");
    return eq == std::string::npos ? out : trim(out.substr(eq + 3));
}

std::uint64_t convert(const std::string& image, const std::string& what) {
    const std::string out = db(image, "-c 'convert " + what + "'");
    return std::stoull(out, nullptr, 0);
}

// Inode numbers as the mounted filesystem gave them (find -printf '/%P\t%i'),
// by path from the root ("/", "/a/b").
using InodeMap = std::map<std::string, std::uint64_t>;

InodeMap load_inodes(const std::string& file) {
    InodeMap m;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        const auto tab = line.find('\t');
        if (tab != std::string::npos) m[line.substr(0, tab)] = std::stoull(line.substr(tab + 1));
    }
    return m;
}

std::unique_ptr<fs::Filesystem> mount(BlockDevice& dev) {
    Result<fs::Filesystem*> r = fs::xfs::mount(dev);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return std::unique_ptr<fs::Filesystem>(r.ok() ? r.value() : nullptr);
}

std::string mount_error(BlockDevice& dev, Errc* code = nullptr) {
    Result<fs::Filesystem*> r = fs::xfs::mount(dev);
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

// Compares directory `rel` of the filesystem with the host tree (names,
// types, sizes, file bytes, symlink targets), recursively.
void compare_dir(fs::Filesystem& f, const std::string& host_root, const InodeMap& inos, const std::string& rel,
                 CompareStats& stats) {
    const std::string host = host_root + rel;
    Result<Node> dir = f.lookup(rel.empty() ? "/" : rel);
    ASSERT_TRUE(dir.ok()) << rel << ": " << dir.error().message();
    ASSERT_EQ(dir.value().type, NodeType::directory) << rel;
    ++stats.dirs;
    Listing l;
    Status s = f.list(dir.value(), l);
    ASSERT_TRUE(s.ok()) << rel << ": " << s.error().message();
    ASSERT_EQ(l.entries.count("."), 1u) << rel;
    ASSERT_EQ(l.entries.count(".."), 1u) << rel;
    EXPECT_EQ(l.entries.at(".").id, dir.value().id) << rel;
    std::size_t host_entries = 0;
    for (const auto& e : stdfs::directory_iterator(host)) {
        ++host_entries;
        const std::string name = e.path().filename().string();
        const std::string child = rel + "/" + name;
        auto it = l.entries.find(name);
        ASSERT_NE(it, l.entries.end()) << child << " not listed";
        const Node& node = it->second;
        EXPECT_EQ(node.id, inos.at(child)) << child;
        if (e.is_symlink()) {
            ++stats.links;
            ASSERT_EQ(node.type, NodeType::symlink) << child;
            const std::string target = stdfs::read_symlink(e.path()).string();
            EXPECT_EQ(node.size, target.size()) << child;
            const auto got = read_all(f, node);
            EXPECT_EQ(std::string(got.begin(), got.end()), target) << child;
        } else if (e.is_directory()) {
            ASSERT_EQ(node.type, NodeType::directory) << child;
            compare_dir(f, host_root, inos, child, stats);
        } else {
            ++stats.files;
            ASSERT_EQ(node.type, NodeType::file) << child;
            const auto want = load(e.path().string());
            ASSERT_EQ(node.size, want.size()) << child;
            EXPECT_TRUE(read_all(f, node) == want) << child;
            // A lookup by path gives the same node (for some: a lookup walks
            // the whole directory); a read in the middle too.
            if (host_entries % 23 == 1) {
                Result<Node> found = f.lookup(child);
                ASSERT_TRUE(found.ok()) << child << ": " << found.error().message();
                EXPECT_EQ(found.value().id, node.id);
            }
            if (want.size() > 5000) {
                std::vector<std::uint8_t> part(4321);
                Result<std::uint64_t> r = f.read(node, want.size() / 3 + 1, {part.data(), part.size()});
                ASSERT_TRUE(r.ok()) << r.error().message();
                EXPECT_TRUE(std::equal(part.begin(), part.end(), want.begin() + std::ptrdiff_t(want.size() / 3 + 1)))
                    << child;
            }
        }
    }
    EXPECT_EQ(l.entries.size(), host_entries + 2) << rel;
}

// ---------------------------------------------------------------- images

struct Variant {
    std::string options;  // mkfs.xfs
    std::string size;
};

struct Image {
    std::string path;    // the filesystem image
    std::string expect;  // the mounted tree as the host kernel read it
    InodeMap inos;       // its inode numbers
    std::uint64_t ino(const std::string& rel) const { return inos.at(rel); }
};

// One source tree and one image per mkfs option set, made once for the suite.
class Images {
  public:
    static Images& get() {
        static Images images;
        return images;
    }
    const Image* image(const Variant& v) {
        auto it = made_.find(v.options);
        if (it != made_.end()) return it->second.path.empty() ? nullptr : &it->second;
        Image img;
        const std::string tag = std::to_string(made_.size());
        const std::string path = dir_ / ("img" + tag);
        if (sim::make_xfs_image(path, v.options, v.size) &&
            populate(path, src_, dir_ / ("mnt" + tag), dir_ / ("expect" + tag))) {
            img = Image{path, dir_ / ("expect" + tag), load_inodes(dir_ / ("expect" + tag + ".inodes"))};
        }
        return made_.emplace(v.options, img).first->second.path.empty() ? nullptr : &made_[v.options];
    }

  private:
    Images() : dir_("xfs") {
        src_ = dir_ / "src";
        make_tree(src_);
    }
    TempDir dir_;
    std::string src_;
    std::map<std::string, Image> made_;
};

#define REQUIRE_TOOLS()                                                                                       \
    do {                                                                                                      \
        if (!sim::have_tool("mkfs.xfs") || !sim::have_tool("xfs_db") || !sim::have_tool("xfs_io"))            \
            GTEST_SKIP() << "xfsprogs (mkfs.xfs, xfs_db, xfs_io) not installed";                              \
        if (!sim::can_loop_mount()) GTEST_SKIP() << "needs root for loop mounts (unshare -m, mount -o loop)"; \
    } while (0)

const Image* image_for(const Variant& v) {
    const Image* img = Images::get().image(v);
    EXPECT_NE(img, nullptr) << "could not make the image: mkfs.xfs " << v.options;
    return img;
}

void check_variant(const Variant& v, std::uint32_t sector) {
    const Image* img = image_for(v);
    if (img == nullptr) return;
    sim::FileBlockDevice dev(img->path, sector);
    auto f = mount(dev);
    ASSERT_TRUE(f);
    EXPECT_STREQ(f->type_name(), "xfs");
    EXPECT_STREQ(f->warning(), "");
    CompareStats stats;
    compare_dir(*f, img->expect, img->inos, "", stats);
    EXPECT_GE(stats.files, 1200u);
    EXPECT_GE(stats.dirs, 340u);
    EXPECT_EQ(stats.links, 6u);
    // Paths through symlinks, "..", and the loop limit.
    Result<Node> via = f->lookup("/links/absdir/d3/../d3/d4");
    ASSERT_TRUE(via.ok()) << via.error().message();
    EXPECT_EQ(via.value().id, img->ino("/deep/d1/d2/d3/d4"));
    for (const char* p : {"/links/remote400", "/links/remote1000", "/links/inline"}) {
        Result<Node> n = f->lookup(p);
        ASSERT_TRUE(n.ok()) << p << ": " << n.error().message();
        EXPECT_EQ(n.value().type, NodeType::file) << p;
    }
    Result<Node> loop = f->lookup("/links/loop1");
    ASSERT_FALSE(loop.ok());
    EXPECT_EQ(std::string(loop.error().message()), "xfs: too many levels of symbolic links (more than 40) at loop1");
    Result<Node> missing = f->lookup("/node/nothing-here");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code(), Errc::not_found);
    EXPECT_EQ(std::string(missing.error().message()), "xfs: nothing-here: not found");
    Result<Node> root_up = f->lookup("/../..");
    ASSERT_TRUE(root_up.ok());
    EXPECT_EQ(root_up.value().id, img->ino("/"));
}

// The forms the tree was built to produce, as xfs_db reports them.
void check_forms(const Variant& v) {
    const Image* img = image_for(v);
    if (img == nullptr) return;
    auto format = [&](const char* rel) { return inode_field(img->path, img->ino(rel), "core.format"); };
    EXPECT_EQ(format("/short"), "1 (local)");
    EXPECT_EQ(format("/links/inline"), "1 (local)");
    EXPECT_EQ(format("/links/remote400"), "2 (extents)");
    EXPECT_EQ(format("/frag"), "3 (btree)");
    EXPECT_NE(format("/node"), "1 (local)");
}

const Variant kV5{"-L xenboot-xfs -m uuid=3f1d2c4b-5a69-4788-9aab-bccddeeff001", "64M"};
const Variant kV5Sector4K{"-s size=4096", "64M"};
const Variant kV5Block1K{"-b size=1024 -n size=8192", "64M"};

// ---------------------------------------------------------------- tests

TEST(Xfs, V5With512ByteSectors) {
    REQUIRE_TOOLS();
    check_forms(kV5);
    check_variant(kV5, 512);
}

TEST(Xfs, V5On4KDeviceBlocks) {
    REQUIRE_TOOLS();
    check_variant(kV5, 4096);
}

TEST(Xfs, V5With4KSectors) {
    REQUIRE_TOOLS();
    check_variant(kV5Sector4K, 4096);
    check_variant(kV5Sector4K, 512);
}

TEST(Xfs, V5With1KBlocksAnd8KDirectoryBlocks) {
    REQUIRE_TOOLS();
    check_forms(kV5Block1K);
    check_variant(kV5Block1K, 512);
}

TEST(Xfs, UuidAndLabelAsBlkidGivesThem) {
    REQUIRE_TOOLS();
    const Image* img = image_for(kV5);
    ASSERT_NE(img, nullptr);
    sim::FileBlockDevice dev(img->path, 512);
    auto f = mount(dev);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->uuid(), "3f1d2c4b-5a69-4788-9aab-bccddeeff001");
    EXPECT_EQ(f->uuid(), trim(run("blkid -p -s UUID -o value " + img->path)));
    EXPECT_EQ(f->label(), "xenboot-xfs");
    EXPECT_EQ(f->label(), trim(run("blkid -p -s LABEL -o value " + img->path)));
    // The prober finds it, after ext4 and before FAT.
    Result<fs::Filesystem*> probed = fs::mount(dev);
    ASSERT_TRUE(probed.ok()) << probed.error().message();
    fs::MountedFs owned(probed.value());
    EXPECT_STREQ(owned->type_name(), "xfs");
}

TEST(Xfs, LargeReadIsFewDeviceReads) {
    REQUIRE_TOOLS();
    const Image* img = image_for(kV5);
    ASSERT_NE(img, nullptr);
    sim::FileBlockDevice dev(img->path, 512);
    auto f = mount(dev);
    ASSERT_TRUE(f);
    Result<Node> big = f->lookup("/big");
    ASSERT_TRUE(big.ok());
    std::vector<std::uint8_t> buf(big.value().size);
    const std::uint64_t before = dev.reads();
    Result<std::uint64_t> r = f->read(big.value(), 0, {buf.data(), buf.size()});
    ASSERT_TRUE(r.ok());
    // The inode is cached from the lookup; the file is a few extents, each one
    // device read (plus a partial last device block at most).
    EXPECT_LE(dev.reads() - before, 8u);
    EXPECT_TRUE(buf == load(img->expect + "/big"));
}

// ---------------------------------------------------------------- rootless images

// mkfs.xfs -p: a protofile ("name mode uid gid [source | target]", "$"
// closing each directory) describing `dir`, entries in name order.
void proto_dir(std::ostream& out, const std::string& dir) {
    std::vector<stdfs::directory_entry> entries(stdfs::directory_iterator(dir), stdfs::directory_iterator{});
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries) {
        const std::string name = e.path().filename().string();
        if (e.is_symlink()) {
            out << name << " l--777 0 0 " << stdfs::read_symlink(e.path()).string() << "\n";
        } else if (e.is_directory()) {
            out << name << " d--755 0 0\n";
            proto_dir(out, e.path().string());
            out << "$\n";
        } else {
            out << name << " ---644 0 0 " << e.path().string() << "\n";
        }
    }
}

// Names grub-fstest lists in `dir` (directories with a trailing '/', dropped).
std::set<std::string> grub_ls(const std::string& image, const std::string& dir) {
    std::set<std::string> names;
    std::istringstream in(run("grub-fstest " + image + " ls " + sim::shell_quote(dir)));
    std::string name;
    while (in >> name) {
        if (name.back() == '/') name.pop_back();
        names.insert(name);
    }
    return names;
}

// Walks the source tree: every directory listed as grub-fstest lists it,
// every file read back as the source has it and as grub-fstest's cmp
// agrees, every symlink's target.
// mkfs.xfs 6.1 -p writes remote symlink blocks of v5 filesystems without
// their header (xfs_repair -n junks them too): with `headerless_links`, those
// must fail to read, naming the block.
void compare_with_grub(fs::Filesystem& f, const std::string& image, const std::string& src, const std::string& rel,
                       bool headerless_links, CompareStats& stats) {
    Result<Node> dir = f.lookup(rel.empty() ? "/" : rel);
    ASSERT_TRUE(dir.ok()) << rel << ": " << dir.error().message();
    ++stats.dirs;
    Listing l;
    Status st = f.list(dir.value(), l);
    ASSERT_TRUE(st.ok()) << rel << ": " << st.error().message();
    std::set<std::string> ours;
    for (const auto& [name, node] : l.entries) {
        if (name != "." && name != "..") ours.insert(name);
    }
    EXPECT_EQ(ours, grub_ls(image, rel.empty() ? "/" : rel)) << rel;
    for (const auto& e : stdfs::directory_iterator(src + rel)) {
        const std::string name = e.path().filename().string();
        const std::string child = rel + "/" + name;
        ASSERT_EQ(l.entries.count(name), 1u) << child;
        const Node& node = l.entries.at(name);
        if (e.is_symlink()) {
            ++stats.links;
            ASSERT_EQ(node.type, NodeType::symlink) << child;
            const std::string target = stdfs::read_symlink(e.path()).string();
            if (headerless_links && target.size() > 300) {
                std::vector<std::uint8_t> buf(target.size());
                Result<std::uint64_t> r = f.read(node, 0, {buf.data(), buf.size()});
                ASSERT_FALSE(r.ok()) << child;
                EXPECT_TRUE(std::regex_match(std::string(r.error().message()),
                                             std::regex("xfs: block [0-9]+ \\(symlink of inode " +
                                                        std::to_string(node.id) + "\\): bad header or CRC mismatch")))
                    << r.error().message();
                continue;
            }
            const auto got = read_all(f, node);
            EXPECT_EQ(std::string(got.begin(), got.end()), target) << child;
        } else if (e.is_directory()) {
            ASSERT_EQ(node.type, NodeType::directory) << child;
            compare_with_grub(f, image, src, child, headerless_links, stats);
        } else {
            ++stats.files;
            ASSERT_EQ(node.type, NodeType::file) << child;
            const auto want = load(e.path().string());
            EXPECT_TRUE(read_all(f, node) == want) << child;
            if (!want.empty()) {
                EXPECT_TRUE(sim::run_tool("grub-fstest " + image + " cmp " + sim::shell_quote(child) + " " +
                                          sim::shell_quote(e.path().string()))
                                .ok)
                    << child;
            }
        }
    }
}

// A tree without holes (mkfs.xfs -p writes every byte) and without the
// thousands of entries, made into an image by mkfs.xfs alone: no root needed.
void check_protofile_image(const std::string& options, bool v5, const std::string& image_size = "64M") {
    if (!sim::have_tool("mkfs.xfs") || !sim::have_tool("grub-fstest")) {
        GTEST_SKIP() << "needs mkfs.xfs and grub-fstest";
    }
    TempDir dir("xfsproto");
    const std::string src = dir / "src";
    unsigned seed = 500;
    stdfs::create_directories(src + "/files");
    for (std::size_t size : {1, 100, 1023, 1024, 4097, 65536, 200 * 1024 + 3}) {
        write_file(src + "/files/f" + std::to_string(size), size, seed++);
    }
    std::ofstream(src + "/files/f0").close();
    const std::pair<const char*, int> dirs[] = {{"short", 3}, {"block", 40}, {"leaf", 400}};
    for (const auto& [name, count] : dirs) {
        stdfs::create_directories(src + "/" + name);
        for (int i = 0; i < count; ++i) {
            std::ofstream(src + "/" + name + "/entry-" + std::to_string(i) + "-" + std::string(i % 37, 'x')).close();
        }
    }
    stdfs::create_directories(src + "/links");
    stdfs::create_symlink("../files/f100", src + "/links/inline");
    stdfs::create_symlink(long_target(400), src + "/links/remote400");
    stdfs::create_symlink(long_target(1000), src + "/links/remote1000");
    std::ofstream proto(dir / "proto");
    proto << "/dev/null\n0 0\nd--755 0 0\n";
    proto_dir(proto, src);
    proto << "$\n";
    proto.close();
    const std::string image = dir / "img";
    ASSERT_TRUE(sim::make_xfs_image(image, options + " -p " + dir / "proto", image_size));
    for (std::uint32_t sector : {512u, 4096u}) {
        sim::FileBlockDevice dev(image, sector);
        auto f = mount(dev);
        ASSERT_TRUE(f);
        CompareStats stats;
        compare_with_grub(*f, image, src, "", v5, stats);
        EXPECT_EQ(stats.files, 8u + 443u);
        EXPECT_EQ(stats.dirs, 6u);
        EXPECT_EQ(stats.links, 3u);
        for (const char* p : {"/links/remote400", "/links/remote1000", "/links/inline"}) {
            if (v5 && std::string(p) != "/links/inline") continue;
            Result<Node> n = f->lookup(p);
            ASSERT_TRUE(n.ok()) << p << ": " << n.error().message();
            EXPECT_EQ(n.value().type, NodeType::file) << p;
        }
    }
}

TEST(Xfs, V4WithoutFtypeFromAProtofile) {
    check_protofile_image("-m crc=0 -n ftype=0 -i size=256 -b size=1024", false);
}

TEST(Xfs, V4With4KBlocksFromAProtofile) { check_protofile_image("-m crc=0", false); }

// 64 KiB blocks: Linux mounts them only where pages are as large; the log
// alone must be 512 blocks (32 MiB).
TEST(Xfs, V5With64KBlocksFromAProtofile) { check_protofile_image("-b size=65536", true, "256M"); }

TEST(Xfs, V5With1KBlocksFromAProtofile) { check_protofile_image("-b size=1024 -L proto", true); }

// ---------------------------------------------------------------- damage

std::vector<std::uint8_t> image_bytes(const Variant& v) {
    const Image* img = image_for(v);
    return img == nullptr ? std::vector<std::uint8_t>{} : load(img->path);
}

void store_le32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Recomputes the v5 superblock CRC (sector 0, CRC at 224) after an edit.
void fix_sb_crc(std::vector<std::uint8_t>& b) {
    store_le32(&b[224], 0);
    store_le32(&b[224], crc32c(0, b.data(), 512));
}

std::string read_error(fs::Filesystem& f, const std::string& path) {
    Result<Node> n = f.lookup(path);
    if (!n.ok()) return n.error().message();
    std::vector<std::uint8_t> buf(n.value().size + 1);
    if (n.value().type == NodeType::directory) {
        Listing l;
        Status s = f.list(n.value(), l);
        return s.ok() ? "(listed)" : s.error().message();
    }
    Result<std::uint64_t> r = f.read(n.value(), 0, {buf.data(), buf.size()});
    return r.ok() ? "(read)" : r.error().message();
}

TEST(XfsBad, NoSuperblockIsNotFound) {
    MemBlockDevice dev("zeros", 512, 2048);
    Errc code{};
    EXPECT_EQ(mount_error(dev, &code), "no XFS superblock");
    EXPECT_EQ(code, Errc::not_found);
    MemBlockDevice empty("empty", 512, 0);
    EXPECT_EQ(mount_error(empty, &code), "no XFS superblock");
}

TEST(XfsBad, SuperblockCrcAndFeatures) {
    REQUIRE_TOOLS();
    auto bytes = image_bytes(kV5);
    ASSERT_FALSE(bytes.empty());
    Errc code{};
    {
        auto b = bytes;
        b[150] ^= 0x40;  // sb_fdblocks: only the CRC notices
        auto dev = MemBlockDevice::from_image("img", 512, b);
        EXPECT_EQ(mount_error(dev, &code), "xfs: superblock: CRC mismatch");
        EXPECT_EQ(code, Errc::bad_data);
    }
    const std::pair<std::uint32_t, const char*> features[] = {
        {1u << 8, "xfs: unsupported incompatible features: metadir"},
        {1u << 12, "xfs: unsupported incompatible features: 0x1000"},
        {(1u << 9) | (1u << 20), "xfs: unsupported incompatible features: zoned, 0x100000"},
    };
    for (const auto& [bit, message] : features) {
        auto b = bytes;
        b[216 + 3] = static_cast<std::uint8_t>(b[216 + 3] | bit);
        b[216 + 2] = static_cast<std::uint8_t>(b[216 + 2] | bit >> 8);
        b[216 + 1] = static_cast<std::uint8_t>(b[216 + 1] | bit >> 16);
        fix_sb_crc(b);
        auto dev = MemBlockDevice::from_image("img", 512, b);
        EXPECT_EQ(mount_error(dev, &code), message);
        EXPECT_EQ(code, Errc::unsupported);
    }
    {
        auto b = bytes;
        b[4 + 3] = 0x10;  // block size 4096 -> 4112
        fix_sb_crc(b);
        auto dev = MemBlockDevice::from_image("img", 512, b);
        EXPECT_EQ(mount_error(dev, &code), "xfs: superblock: bad block size 4112 (log 12)");
    }
    {
        // Smaller than the filesystem.
        auto b = bytes;
        b.resize(b.size() / 2);
        auto dev = MemBlockDevice::from_image("half", 512, b);
        EXPECT_EQ(mount_error(dev, &code),
                  "xfs: half: the filesystem (16384 blocks of 4096) is larger than the device");
    }
}

TEST(XfsBad, CorruptInodeDirectoryBlockAndBmbtBlock) {
    REQUIRE_TOOLS();
    const Image* img = image_for(kV5);
    ASSERT_NE(img, nullptr);
    const auto bytes = load(img->path);
    const std::uint64_t file_ino = img->ino("/files/f4097");
    const std::uint64_t dir_ino = img->ino("/leaf");
    const std::uint64_t frag_ino = img->ino("/frag");

    {  // A byte of an inode (di_size).
        auto b = bytes;
        b[convert(img->path, "inode " + std::to_string(file_ino) + " byte") + 60] ^= 1;
        auto dev = MemBlockDevice::from_image("img", 512, b);
        auto f = mount(dev);
        ASSERT_TRUE(f);
        EXPECT_EQ(read_error(*f, "/files/f4097"), "xfs: inode " + std::to_string(file_ino) + ": CRC mismatch");
    }
    {  // A byte in the first data block of a leaf directory.
        const std::string bmap = db(img->path, "-c 'inode " + std::to_string(dir_ino) + "' -c bmap");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(bmap, m, std::regex("data offset 0 startblock (\\d+)"))) << bmap;
        const std::uint64_t byte = convert(img->path, "fsblock " + m[1].str() + " byte");
        auto b = bytes;
        b[byte + 200] ^= 0x20;
        auto dev = MemBlockDevice::from_image("img", 512, b);
        auto f = mount(dev);
        ASSERT_TRUE(f);
        EXPECT_EQ(read_error(*f, "/leaf"), "xfs: block " + std::to_string(byte / 4096) + " (dir data of inode " +
                                               std::to_string(dir_ino) + "): CRC mismatch");
        EXPECT_EQ(read_error(*f, "/leaf/entry-5-xxxxx"), read_error(*f, "/leaf"));
    }
    {  // A byte in a bmbt leaf of the fragmented file.
        const std::string ptr = inode_field(img->path, frag_ino, "u3.bmbt.ptrs[2]");
        const std::uint64_t byte = convert(img->path, "fsblock " + ptr.substr(ptr.find(':') + 1) + " byte");
        auto b = bytes;
        b[byte + 1000] ^= 0x01;
        auto dev = MemBlockDevice::from_image("img", 512, b);
        auto f = mount(dev);
        ASSERT_TRUE(f);
        EXPECT_EQ(read_error(*f, "/frag"), "xfs: block " + std::to_string(byte / 4096) + " (bmbt of inode " +
                                               std::to_string(frag_ino) + "): CRC mismatch");
    }
}

void store_be64(std::uint8_t* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}
std::uint64_t get_be64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
    return v;
}
// Recomputes a v5 CRC (little-endian at crc_off of [p, p + len)) after an edit.
void fix_crc(std::uint8_t* p, std::size_t len, std::size_t crc_off) {
    store_le32(p + crc_off, 0);
    store_le32(p + crc_off, crc32c(0, p, len));
}

// Structural damage with valid CRCs: pointers to the wrong block, levels
// and keys that do not fit, must be caught by the checks themselves.
TEST(XfsBad, BmbtPointersToTheWrongBlock) {
    REQUIRE_TOOLS();
    const Image* img = image_for(kV5);
    ASSERT_NE(img, nullptr);
    const auto bytes = load(img->path);
    const std::uint64_t frag_ino = img->ino("/frag");
    const std::string who = "(bmbt of inode " + std::to_string(frag_ino) + ")";
    const std::uint64_t inode_byte = convert(img->path, "inode " + std::to_string(frag_ino) + " byte");
    // The root in the fork (v3 inode: literal area at 176): level, numrecs,
    // then maxrecs keys and maxrecs pointers.
    ASSERT_EQ(inode_field(img->path, frag_ino, "u3.bmbt.level"), "1");
    const std::uint64_t forkoff = bytes[inode_byte + 82];
    const std::uint64_t fork_size = forkoff != 0 ? forkoff * 8 : 512 - 176;
    const std::uint64_t maxrecs = (fork_size - 4) / 16;
    const std::uint64_t root = inode_byte + 176, keys = root + 4, ptrs = root + 4 + maxrecs * 8;
    auto edited = [&](auto edit) {
        auto b = bytes;
        edit(b);
        fix_crc(&b[inode_byte], 512, 100);
        return b;
    };
    auto error_of = [&](std::vector<std::uint8_t> b) {
        auto dev = MemBlockDevice::from_image("img", 512, std::move(b));
        auto f = mount(dev);
        return f ? read_error(*f, "/frag") : std::string("(no mount)");
    };
    const std::uint64_t child0 = get_be64(&bytes[ptrs]);
    const std::uint64_t child0_byte = convert(img->path, "fsblock " + std::to_string(child0) + " byte");
    {  // The second pointer names the first child again.
        const std::string e = error_of(edited([&](auto& b) { std::memcpy(&b[ptrs + 8], &b[ptrs], 8); }));
        EXPECT_NE(e.find(who + ": starts at logical 0, not "), std::string::npos) << e;
    }
    {  // The first pointer names the inode's own block (its parent).
        const std::uint64_t self = convert(img->path, "inode " + std::to_string(frag_ino) + " fsblock");
        const std::string e = error_of(edited([&](auto& b) { store_be64(&b[ptrs], self); }));
        EXPECT_NE(e.find(who + ": bad magic 0x494e"), std::string::npos) << e;
    }
    {  // A leaf claims level 1, pointing to itself: it would be read as a node.
        auto b = bytes;
        b[child0_byte + 5] = 1;
        store_be64(&b[child0_byte + 72 + 8 * ((4096 - 72) / 16)], child0);
        fix_crc(&b[child0_byte], 4096, 64);
        EXPECT_EQ(error_of(b),
                  "xfs: block " + std::to_string(child0_byte / 4096) + " " + who + ": level 1 below level 1");
    }
    {  // The root claims level 2 above its leaves.
        const std::string e = error_of(edited([&](auto& b) { b[root + 1] = 2; }));
        EXPECT_EQ(e, "xfs: block " + std::to_string(child0_byte / 4096) + " " + who + ": level 0 below level 2");
    }
    {  // Keys out of order in the root.
        const std::string e = error_of(edited([&](auto& b) { std::memcpy(&b[keys + 8], &b[keys], 8); }));
        EXPECT_EQ(e, "xfs: inode " + std::to_string(frag_ino) + ": bmbt keys out of order (level 1)");
    }
    {  // A pointer past the end of the filesystem.
        const std::string e = error_of(edited([&](auto& b) { store_be64(&b[ptrs], 0xffffffffffull); }));
        EXPECT_EQ(e,
                  "xfs: inode " + std::to_string(frag_ino) + ": bmbt pointer 1099511627775 is outside the filesystem");
    }
}

}  // namespace
