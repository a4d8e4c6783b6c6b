// FAT12/16/32 images made by the real tools at test time (mkfs.fat, mcopy,
// mmd, mdel from mtools; no root needed) from a source tree of pseudo-random
// files; every file read through fs/fat is compared with its source and every
// directory listing with the tree. Then corrupted images (chains looping,
// leaving the volume, too short; bad boot sectors) must give clear errors.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fs/fat/fat.h"
#include "fs/fat/fat_filesystem.h"
#include "fs/fat/names.h"
#include "tests/sim/host_tools.h"
#include "tests/sim/mem_block_device.h"
#include "tests/sim/random_bytes.h"

namespace {

using namespace xb;
using fs::Filesystem;
using fs::Node;
using fs::NodeType;
using sim::MemBlockDevice;
using sim::TempDir;
namespace stdfs = std::filesystem;

// ---------------------------------------------------------------- helpers

// Runs a shell command of host tools (dosfstools, mtools), output discarded.
bool sh(const std::string& command) { return sim::run_tool(command + " >/dev/null").ok; }

void write_file(const stdfs::path& path, std::size_t size, unsigned seed) {
    stdfs::create_directories(path.parent_path());
    const auto bytes = sim::random_bytes(size, seed);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }

struct Variant {
    int fat_bits = 16;
    unsigned sector = 512;
    unsigned cluster_sectors = 0;  // 0: mkfs.fat's choice
    unsigned size_kb = 8192;
    bool many = false;      // a directory of 1000 files (spans clusters)
    bool big = false;       // a 33 MiB file
    bool fragment = false;  // a file whose clusters are not contiguous
};

// The image and the tree it was made from (kept in sync: deleted files are
// removed from both).
struct Image {
    TempDir tmp;
    std::string src;
    std::string img;
    std::vector<std::uint8_t> bytes;
};

void make_tree(const std::string& src, const Variant& v) {
    unsigned seed = 1;
    write_file(src + "/readme.txt", 1234, seed++);  // lower-case 8.3: NT case bits
    write_file(src + "/UPPER.TXT", 777, seed++);
    write_file(src + "/MixedCase.Txt", 5000, seed++);
    write_file(src + "/A long name with spaces.text", 20000, seed++);
    write_file(src + "/a very long file name that needs several LFN entries, thirteen characters each.bin", 3000,
               seed++);
    write_file(src + "/ÄÖü-κόσμε.txt", 100, seed++);
    write_file(src + "/empty.dat", 0, seed++);
    write_file(src + "/EMPTY2", 0, seed++);
    write_file(src + "/boot/Image", 300000, seed++);
    write_file(src + "/boot/extlinux/extlinux.conf", 200, seed++);
    write_file(src + "/boot/dtbs/vendor/board/deep/level6/file.dtb", 4567, seed++);
    write_file(src + "/boot/dtbs/vendor/board/deep/level6/Another Long One.dtb", 9999, seed++);
    stdfs::create_directories(src + "/emptydir");
    if (v.many) {
        // 1000 files: 8.3 names in upper and lower case (one entry each) and
        // long names (three entries each): ~1400 entries, several clusters.
        // (mcopy's name mangling is quadratic: all-long names would be slow.)
        for (unsigned i = 0; i < 1000; ++i) {
            char name[64];
            if (i < 400) std::snprintf(name, sizeof name, "/many/F%04u.TXT", i);
            else if (i < 800) std::snprintf(name, sizeof name, "/many/f%04u.dat", i);
            else std::snprintf(name, sizeof name, "/many/entry number %04u.txt", i);
            write_file(src + name, i % 37, 1000 + i);
        }
    }
    if (v.big) write_file(src + "/big.bin", 33 * 1024 * 1024 + 123, 77);
}

std::unique_ptr<Image> make_image(const Variant& v) {
    auto im = std::make_unique<Image>();
    im->src = im->tmp.path + "/src";
    im->img = im->tmp.path + "/fat.img";
    make_tree(im->src, v);
    std::string options = "-n XENBOOT -i 12345678 -F " + std::to_string(v.fat_bits) + " -S " + std::to_string(v.sector);
    if (v.cluster_sectors != 0) options += " -s " + std::to_string(v.cluster_sectors);
    if (!sim::make_fat_image(im->img, options, v.size_kb)) return im;
    std::vector<std::string> sources;
    for (const auto& e : stdfs::directory_iterator(im->src)) sources.push_back(e.path().string());
    if (!sim::copy_into_fat(im->img, sources, "::/")) return im;
    if (v.fragment) {
        // Fill with small files, delete every other, then add a file that has
        // to take the holes.
        const std::string pads = im->tmp.path + "/pads";
        std::string add = "mmd -i " + im->img + " ::/pads && mcopy -i " + im->img;
        for (unsigned i = 0; i < 40; ++i) {
            write_file(pads + "/pad" + std::to_string(i), 3000, 500 + i);
            add += " " + pads + "/pad" + std::to_string(i);
        }
        sh(add + " ::/pads/");
        std::string del = "mdel -i " + im->img;
        for (unsigned i = 0; i < 40; i += 2) {
            del += " ::/pads/pad" + std::to_string(i);
            stdfs::remove(pads + "/pad" + std::to_string(i));
        }
        sh(del);
        stdfs::rename(pads, im->src + "/pads");
        write_file(im->src + "/frag.bin", 70000, 99);
        sh("mcopy -i " + im->img + " " + im->src + "/frag.bin ::/frag.bin");
    }
    im->bytes = sim::read_file(im->img);
    return im;
}

struct Mounted {
    std::unique_ptr<MemBlockDevice> dev;
    std::unique_ptr<Filesystem> fs;
};

Mounted mount_bytes(std::vector<std::uint8_t> bytes, std::uint32_t block_size) {
    Mounted m;
    m.dev = std::make_unique<MemBlockDevice>(MemBlockDevice::from_image("fat0", block_size, std::move(bytes)));
    auto r = fs::fat::mount(*m.dev);
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (r.ok()) m.fs.reset(r.value());
    return m;
}

struct Listed {
    NodeType type;
    std::uint64_t size;
    std::uint64_t id;
};

std::map<std::string, Listed> list_dir(Filesystem& fs, const Node& dir) {
    struct Collect final : fs::DirVisitor {
        std::map<std::string, Listed> entries;
        bool visit(const fs::DirEntry& e) override {
            EXPECT_EQ(entries.count(std::string(e.name)), 0u) << "listed twice: " << e.name;
            entries[std::string(e.name)] = {e.node.type, e.node.size, e.node.id};
            return true;
        }
    } collect;
    const Status s = fs.list(dir, collect);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return collect.entries;
}

std::vector<std::uint8_t> read_all(Filesystem& fs, const Node& node) {
    std::vector<std::uint8_t> data(node.size + 16, 0xcc);
    auto r = fs.read(node, 0, std::span<std::uint8_t>(data.data(), data.size()));
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (!r.ok()) return {};
    EXPECT_EQ(r.value(), node.size);
    for (std::size_t i = node.size; i < data.size(); ++i) EXPECT_EQ(data[i], 0xcc) << "written past the file";
    data.resize(node.size);
    return data;
}

// Compares the directory `rel` (under the source tree) with the filesystem,
// recursively: names, types and sizes of the listing, and every file's bytes.
void compare_tree(Filesystem& fs, const std::string& src, const std::string& rel, unsigned& files, unsigned& dirs) {
    ++dirs;
    auto dir = fs.lookup(rel.empty() ? "/" : rel);
    ASSERT_TRUE(dir.ok()) << dir.error().message();
    ASSERT_EQ(dir.value().type, NodeType::directory) << rel;
    auto listed = list_dir(fs, dir.value());
    if (!rel.empty()) {
        // Subdirectories have "." and ".." (FAT specification 6.7).
        ASSERT_EQ(listed.count("."), 1u) << rel;
        ASSERT_EQ(listed.count(".."), 1u) << rel;
        EXPECT_EQ(listed["."].type, NodeType::directory);
        EXPECT_EQ(listed["."].id, dir.value().id);
        EXPECT_EQ(listed[".."].type, NodeType::directory);
        listed.erase(".");
        listed.erase("..");
    }
    std::map<std::string, Listed> expected;
    for (const auto& e : stdfs::directory_iterator(src + rel)) {
        const bool is_dir = e.is_directory();
        expected[e.path().filename().string()] = {is_dir ? NodeType::directory : NodeType::file,
                                                  is_dir ? 0 : e.file_size(), 0};
    }
    ASSERT_EQ(listed.size(), expected.size()) << rel;
    for (const auto& [name, want] : expected) {
        ASSERT_EQ(listed.count(name), 1u) << "missing " << rel << "/" << name;
        const Listed& got = listed[name];
        EXPECT_EQ(got.type, want.type) << name;
        const std::string path = rel + "/" + name;
        if (want.type == NodeType::directory) {
            compare_tree(fs, src, path, files, dirs);
            continue;
        }
        EXPECT_EQ(got.size, want.size) << name;
        auto node = fs.lookup(path);
        ASSERT_TRUE(node.ok()) << node.error().message();
        EXPECT_EQ(node.value().size, want.size);
        const auto data = read_all(fs, node.value());
        const auto source = sim::read_file(src + path);
        ASSERT_TRUE(data == source) << "content differs: " << path;
        ++files;
    }
}

void check_volume(const Variant& v, std::uint32_t block_size, unsigned min_files) {
    auto im = make_image(v);
    ASSERT_FALSE(im->bytes.empty());
    Mounted m = mount_bytes(im->bytes, block_size);
    ASSERT_TRUE(m.fs);
    EXPECT_STREQ(m.fs->type_name(), "fat");
    const auto& geo = static_cast<fs::fat::FatFilesystem&>(*m.fs).geometry();
    const fs::fat::FatType want_type = v.fat_bits == 12   ? fs::fat::FatType::fat12
                                       : v.fat_bits == 16 ? fs::fat::FatType::fat16
                                                          : fs::fat::FatType::fat32;
    EXPECT_EQ(geo.type, want_type);
    EXPECT_EQ(geo.sector_bytes, v.sector);
    unsigned files = 0, dirs = 0;
    compare_tree(*m.fs, im->src, "", files, dirs);
    EXPECT_GE(files, min_files);
    EXPECT_GE(dirs, 9u);
}

// ---------------------------------------------------------------- whole trees

TEST(Fat, Fat12TreeWithManyEntries) { check_volume({12, 512, 4, 6144, true}, 512, 1012); }
TEST(Fat, Fat12Sector4096) { check_volume({12, 4096, 1, 8192}, 4096, 12); }
TEST(Fat, Fat16Tree) { check_volume({16, 512, 0, 16384}, 512, 12); }
TEST(Fat, Fat16Sector4096On4096And512ByteBlocks) {
    check_volume({16, 4096, 1, 24576}, 4096, 12);
    check_volume({16, 4096, 1, 24576}, 512, 12);
}
// FAT sectors smaller than the device's blocks: reads go through the bounce block.
TEST(Fat, Fat16Sector512On4096ByteBlocks) { check_volume({16, 512, 4, 16384}, 4096, 12); }
TEST(Fat, Fat32TreeWithManyEntries) { check_volume({32, 512, 1, 40960, true}, 512, 1012); }

// mkfs.fat -F 32 on a small volume warns and makes a FAT32 with fewer clusters
// than the specification's minimum; Linux and U-Boot read it, so do we (mtools
// goes by the count and cannot fill it: it stays empty here).
TEST(Fat, SmallFat32IsReadWithAWarning) {
    TempDir tmp;
    const std::string img = tmp.path + "/small32.img";
    ASSERT_TRUE(sim::make_fat_image(img, "-F 32 -s 1 -n SMALL", 1024));
    Mounted m = mount_bytes(sim::read_file(img), 512);
    ASSERT_TRUE(m.fs);
    EXPECT_STREQ(m.fs->warning(), "FAT32 with fewer than 65525 clusters (FAT16-sized): read as FAT32");
    EXPECT_EQ(static_cast<fs::fat::FatFilesystem&>(*m.fs).geometry().type, fs::fat::FatType::fat32);
    auto root = m.fs->lookup("/");
    ASSERT_TRUE(root.ok());
    EXPECT_TRUE(list_dir(*m.fs, root.value()).empty());  // the label entry is not listed
    Mounted big = mount_bytes(make_image({32, 512, 1, 34000})->bytes, 512);
    ASSERT_TRUE(big.fs);
    EXPECT_STREQ(big.fs->warning(), "");
}

TEST(Fat, Fat32BigFileIsReadInFewDeviceReads) {
    auto im = make_image({32, 512, 1, 40960, false, true});
    Mounted m = mount_bytes(im->bytes, 512);
    ASSERT_TRUE(m.fs);
    auto node = m.fs->lookup("/BIG.BIN");
    ASSERT_TRUE(node.ok()) << node.error().message();
    ASSERT_EQ(node.value().size, 33u * 1024 * 1024 + 123);
    const std::uint64_t before = m.dev->reads();
    const auto data = read_all(*m.fs, node.value());
    // 67585 clusters of 512 bytes: the data is one run (mcopy allocates it
    // contiguously), so one data read plus the FAT windows (270 KiB of FAT in
    // 8 KiB windows) - not one read per cluster.
    const std::uint64_t reads = m.dev->reads() - before;
    EXPECT_LE(reads, 40u);
    EXPECT_TRUE(data == sim::read_file(im->src + "/big.bin"));
}

// ---------------------------------------------------------------- fragmentation

TEST(Fat, FragmentedFile) {
    auto im = make_image({16, 512, 4, 16384, false, false, true});
    Mounted m = mount_bytes(im->bytes, 512);
    ASSERT_TRUE(m.fs);
    auto node = m.fs->lookup("/frag.bin");
    ASSERT_TRUE(node.ok()) << node.error().message();
    // Walk the chain ourselves (FAT16: 2-byte entries after the reserved sectors).
    const std::uint8_t* b = im->bytes.data();
    const std::uint64_t fat = std::uint64_t{le16(b + 14)} * le16(b + 11);
    unsigned jumps = 0, clusters = 0;
    for (std::uint32_t c = static_cast<std::uint32_t>(node.value().id); c < 0xfff8; ++clusters) {
        ASSERT_LT(clusters, 1000u);
        const std::uint32_t next = le16(b + fat + 2 * c);
        if (next < 0xfff8 && next != c + 1) ++jumps;
        c = next;
    }
    EXPECT_GE(jumps, 3u) << "frag.bin is not fragmented";
    unsigned files = 0, dirs = 0;
    compare_tree(*m.fs, im->src, "", files, dirs);
    EXPECT_EQ(files, 12u + 20u + 1u);  // the tree, the pads left, frag.bin
    // Pieces across the jumps.
    const auto source = sim::read_file(im->src + "/frag.bin");
    std::vector<std::uint8_t> piece(5000);
    for (std::uint64_t off = 0; off < source.size(); off += 4999) {
        auto r = m.fs->read(node.value(), off, piece);
        ASSERT_TRUE(r.ok()) << r.error().message();
        const std::uint64_t n = std::min<std::uint64_t>(piece.size(), source.size() - off);
        ASSERT_EQ(r.value(), n);
        ASSERT_TRUE(std::equal(piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(n),
                               source.begin() + static_cast<std::ptrdiff_t>(off)));
    }
}

// ---------------------------------------------------------------- names, lookups, reads

class FatNames : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { image_ = make_image({16, 512, 4, 16384}).release(); }
    static void TearDownTestSuite() { delete image_; }
    void SetUp() override {
        ASSERT_FALSE(image_->bytes.empty());
        m_ = mount_bytes(image_->bytes, 512);
        ASSERT_TRUE(m_.fs);
    }
    Node must(const std::string& path) {
        auto r = m_.fs->lookup(path);
        EXPECT_TRUE(r.ok()) << path << ": " << r.error().message();
        return r.ok() ? r.value() : Node{};
    }
    static Image* image_;
    Mounted m_;
};
Image* FatNames::image_ = nullptr;

TEST_F(FatNames, CaseInsensitiveLookupOfLongAndShortNames) {
    const Node image = must("/boot/Image");
    EXPECT_EQ(image.size, 300000u);
    for (const char* p : {"/BOOT/image", "boot/IMAGE", "//Boot///iMaGe", "/boot/./Image", "/boot/extlinux/../Image",
                          "/../boot/Image", "/boot/dtbs/vendor/../../Image"}) {
        const Node n = must(p);
        EXPECT_EQ(n.id, image.id) << p;
        EXPECT_EQ(n.size, image.size) << p;
    }
    // Short (8.3) aliases of long names, in either case.
    EXPECT_EQ(must("/ALONGN~1.TEX").size, 20000u);
    EXPECT_EQ(must("/alongn~1.tex").size, 20000u);
    EXPECT_EQ(must("/a LONG name WITH spaces.TEXT").size, 20000u);
    EXPECT_EQ(must("/readme.TXT").size, 1234u);
    EXPECT_EQ(must("/upper.txt").size, 777u);
    // Non-ASCII: Latin-1 and Greek letters fold too.
    EXPECT_EQ(must("/ÄÖü-κόσμε.txt").size, 100u);
    EXPECT_EQ(must("/äöÜ-ΚΌΣΜΕ.TXT").size, 100u);
    EXPECT_EQ(must("/boot/dtbs/VENDOR/board/Deep/LEVEL6/another long one.DTB").size, 9999u);
    // The root and directories.
    EXPECT_EQ(must("/").type, NodeType::directory);
    EXPECT_EQ(must("").type, NodeType::directory);
    EXPECT_EQ(must("/boot/dtbs/..").id, must("/boot").id);
    EXPECT_EQ(must("/boot/..").id, must("/").id);
    EXPECT_EQ(must("/emptydir").type, NodeType::directory);
    EXPECT_EQ(list_dir(*m_.fs, must("/emptydir")).size(), 2u);  // "." and ".."
}

TEST_F(FatNames, MissingPathsNameTheComponent) {
    auto r = m_.fs->lookup("/boot/nothere/x");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::not_found);
    EXPECT_STREQ(r.error().message(), "/boot/nothere: not found");
    auto r2 = m_.fs->lookup("/boot/Image/x");
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().code(), Errc::not_found);
    EXPECT_STREQ(r2.error().message(), "/boot/Image: not a directory");
}

TEST_F(FatNames, ShortNamesShowTheirCaseAndTheLabelIsHidden) {
    auto root = list_dir(*m_.fs, must("/"));
    EXPECT_EQ(root.count("readme.txt"), 1u);  // stored README TXT with NT bits 0x18
    EXPECT_EQ(root.count("UPPER.TXT"), 1u);
    EXPECT_EQ(root.count("EMPTY2"), 1u);
    EXPECT_EQ(root.count("XENBOOT"), 0u);  // the volume label entry
    for (const auto& [name, e] : root) EXPECT_NE(name.find('~'), 0u);
}

TEST_F(FatNames, PartialReadsAtAnyOffset) {
    const Node image = must("/boot/Image");
    const auto source = sim::read_file(image_->src + "/boot/Image");
    std::vector<std::uint8_t> buf(70001);
    std::mt19937 rng(5);
    for (int i = 0; i < 200; ++i) {
        const std::uint64_t off = rng() % (source.size() + 10);
        const std::size_t len = rng() % buf.size();
        std::fill(buf.begin(), buf.end(), 0xa5);
        auto r = m_.fs->read(image, off, std::span<std::uint8_t>(buf.data(), len));
        ASSERT_TRUE(r.ok()) << r.error().message();
        const std::uint64_t want = off >= source.size() ? 0 : std::min<std::uint64_t>(len, source.size() - off);
        ASSERT_EQ(r.value(), want) << off << "+" << len;
        for (std::size_t k = 0; k < want; ++k) ASSERT_EQ(buf[k], source[off + k]) << off << "+" << k;
        for (std::size_t k = want; k < buf.size(); ++k) ASSERT_EQ(buf[k], 0xa5) << "written past the read";
    }
    // Sequential pieces (the saved chain position makes these cheap).
    std::vector<std::uint8_t> all;
    for (std::uint64_t off = 0;;) {
        auto r = m_.fs->read(image, off, std::span<std::uint8_t>(buf.data(), 4096));
        ASSERT_TRUE(r.ok()) << r.error().message();
        if (r.value() == 0) break;
        all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r.value()));
        off += r.value();
    }
    EXPECT_TRUE(all == source);
}

TEST_F(FatNames, WrongNodeKinds) {
    std::uint8_t b[8];
    auto r = m_.fs->read(must("/boot"), 0, b);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::invalid_argument);
    struct Nop final : fs::DirVisitor {
        bool visit(const fs::DirEntry&) override { return true; }
    } nop;
    const Status s = m_.fs->list(must("/UPPER.TXT"), nop);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::invalid_argument);
    // Empty files read nothing.
    auto e = m_.fs->read(must("/empty.dat"), 0, b);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e.value(), 0u);
}

TEST_F(FatNames, ListingStopsWhenTheVisitorSaysSo) {
    struct First final : fs::DirVisitor {
        unsigned seen = 0;
        bool visit(const fs::DirEntry&) override { return ++seen < 3; }
    } first;
    ASSERT_TRUE(m_.fs->list(must("/"), first).ok());
    EXPECT_EQ(first.seen, 3u);
}

TEST(FatNameRules, ShortNameFormattingAndChecksum) {
    char out[fs::fat::kShortNameMax];
    const auto fmt = [&](const char* raw, std::uint8_t flags) {
        fs::fat::format_short_name(reinterpret_cast<const std::uint8_t*>(raw), flags, out);
        return std::string(out);
    };
    EXPECT_EQ(fmt("README  TXT", 0), "README.TXT");
    EXPECT_EQ(fmt("README  TXT", 0x08), "readme.TXT");
    EXPECT_EQ(fmt("README  TXT", 0x10), "README.txt");
    EXPECT_EQ(fmt("NOEXT      ", 0x18), "noext");
    EXPECT_EQ(fmt(".          ", 0), ".");
    EXPECT_EQ(fmt("..         ", 0), "..");
    EXPECT_EQ(fmt("\x05"
                  "ABC    TXT",
                  0),
              "\xcf\x83"
              "ABC.TXT");  // 0x05 is 0xE5: CP437 'σ'
    EXPECT_EQ(fmt("A\x01"
                  "B     X  ",
                  0),
              "A?B.X");
    // The checksum of the example in the specification's algorithm, computed by hand
    // for "FOO     BAR".
    std::uint8_t sum = 0;
    for (char c : std::string("FOO     BAR")) sum = static_cast<std::uint8_t>(((sum & 1) << 7) + (sum >> 1) + c);
    EXPECT_EQ(fs::fat::short_name_checksum(reinterpret_cast<const std::uint8_t*>("FOO     BAR")), sum);
    EXPECT_TRUE(fs::fat::names_equal_ignoring_case("Привет.TXT", "пРИВЕТ.txt"));
    EXPECT_FALSE(fs::fat::names_equal_ignoring_case("abc", "abd"));
    EXPECT_FALSE(fs::fat::names_equal_ignoring_case("abc", "abcd"));
    EXPECT_FALSE(fs::fat::names_equal_ignoring_case("\xff", "\xfe"));
}

// ---------------------------------------------------------------- corruption

// A small FAT16 image (2 KiB clusters) and the FAT/directory offsets in it.
class FatCorrupt : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { image_ = make_image({16, 512, 4, 16384}).release(); }
    static void TearDownTestSuite() { delete image_; }
    void SetUp() override {
        ASSERT_FALSE(image_->bytes.empty());
        bytes_ = image_->bytes;
        const std::uint8_t* b = bytes_.data();
        fat_ = std::uint64_t{le16(b + 14)} * le16(b + 11);
        fat_bytes_ = std::uint64_t{le16(b + 22)} * le16(b + 11);
        root_ = fat_ + b[16] * fat_bytes_;
        // Clusters of /boot/Image (300000 bytes: 147 clusters) from a clean mount.
        Mounted m = mount_bytes(bytes_, 512);
        ASSERT_TRUE(m.fs);
        auto n = m.fs->lookup("/boot/Image");
        ASSERT_TRUE(n.ok());
        image_node_ = n.value();
        auto d = m.fs->lookup("/boot");
        ASSERT_TRUE(d.ok());
        boot_dir_ = d.value();
    }
    void set_fat(std::uint32_t cluster, std::uint16_t value) {
        for (unsigned copy = 0; copy < bytes_[16]; ++copy)
            sim::put_le16(&bytes_[fat_ + copy * fat_bytes_ + 2 * cluster], value);
    }
    std::uint16_t fat(std::uint32_t cluster) const { return le16(&bytes_[fat_ + 2 * cluster]); }
    Error read_error(const Node& node) {
        Mounted m = mount_bytes(bytes_, 512);
        std::vector<std::uint8_t> buf(node.size);
        auto r = m.fs->read(node, 0, buf);
        EXPECT_FALSE(r.ok());
        return r.ok() ? Error::make(Errc::invalid_argument, "read succeeded") : r.error();
    }
    static Image* image_;
    std::vector<std::uint8_t> bytes_;
    std::uint64_t fat_ = 0, fat_bytes_ = 0, root_ = 0;
    Node image_node_, boot_dir_;
};
Image* FatCorrupt::image_ = nullptr;

TEST_F(FatCorrupt, LoopingChain) {
    const auto first = static_cast<std::uint32_t>(image_node_.id);
    set_fat(first + 10, static_cast<std::uint16_t>(first + 3));  // back into the file
    const Error e = read_error(image_node_);
    EXPECT_EQ(e.code(), Errc::bad_data);
    EXPECT_NE(std::string(e.message()).find("loops"), std::string::npos) << e.message();
    EXPECT_NE(std::string(e.message()).find(std::to_string(first)), std::string::npos) << e.message();
}

TEST_F(FatCorrupt, LoopAfterTheLastClusterOfTheFile) {
    const auto first = static_cast<std::uint32_t>(image_node_.id);
    std::uint32_t last = first;
    while (fat(last) < 0xfff8) last = fat(last);
    set_fat(last, static_cast<std::uint16_t>(first));
    const Error e = read_error(image_node_);
    EXPECT_EQ(e.code(), Errc::bad_data);
    EXPECT_NE(std::string(e.message()).find("loops"), std::string::npos) << e.message();
}

TEST_F(FatCorrupt, ClusterBeyondTheEnd) {
    const auto first = static_cast<std::uint32_t>(image_node_.id);
    set_fat(first + 5, 0xfff0);
    const Error e = read_error(image_node_);
    EXPECT_EQ(e.code(), Errc::bad_data);
    EXPECT_NE(std::string(e.message()).find("cluster " + std::to_string(first + 5) + ": next cluster 65520 is beyond"),
              std::string::npos)
        << e.message();
}

TEST_F(FatCorrupt, FreeAndBadClustersInAChain) {
    const auto first = static_cast<std::uint32_t>(image_node_.id);
    set_fat(first + 7, 0);
    Error e = read_error(image_node_);
    EXPECT_EQ(e.code(), Errc::bad_data);
    EXPECT_NE(std::string(e.message()).find("free"), std::string::npos) << e.message();
    set_fat(first + 7, 0xfff7);
    e = read_error(image_node_);
    EXPECT_NE(std::string(e.message()).find("marked bad"), std::string::npos) << e.message();
}

TEST_F(FatCorrupt, ChainShorterThanTheSize) {
    const auto first = static_cast<std::uint32_t>(image_node_.id);
    set_fat(first + 20, 0xffff);
    const Error e = read_error(image_node_);
    EXPECT_EQ(e.code(), Errc::bad_data);
    EXPECT_NE(std::string(e.message())
                  .find("file at cluster " + std::to_string(first) + ": its cluster chain ends at cluster " +
                        std::to_string(first + 20) + " after 21 clusters, short of its size 300000"),
              std::string::npos)
        << e.message();
    // The part before the end still reads.
    Mounted m = mount_bytes(bytes_, 512);
    std::vector<std::uint8_t> buf(1000);
    EXPECT_TRUE(m.fs->read(image_node_, 0, buf).ok());
}

TEST_F(FatCorrupt, DirectoryChainLoop) {
    Mounted clean = mount_bytes(bytes_, 512);
    // /many-like: the root of FAT16 is fixed, so loop /boot's one cluster to itself.
    // The reader stops at the first free (0x00) entry: mark them deleted so
    // that it goes on to the (looping) next cluster.
    const std::uint64_t cluster_at = root_ + 512 * 32 + (boot_dir_.id - 2) * 2048;
    for (std::uint64_t at = cluster_at; at < cluster_at + 2048; at += 32) {
        if (bytes_[at] == 0) bytes_[at] = 0xe5;
    }
    set_fat(static_cast<std::uint32_t>(boot_dir_.id), static_cast<std::uint16_t>(boot_dir_.id));
    Mounted m = mount_bytes(bytes_, 512);
    struct Count final : fs::DirVisitor {
        unsigned n = 0;
        bool visit(const fs::DirEntry&) override { return ++n < 1000000; }
    } count;
    const Status s = m.fs->list(boot_dir_, count);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::bad_data);
    EXPECT_NE(std::string(s.error().message()).find("loops"), std::string::npos) << s.error().message();
    auto r = m.fs->lookup("/boot/nothing");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data);
}

TEST_F(FatCorrupt, OrphanLongNameEntriesFallBackToTheShortName) {
    // Break the checksum in every LFN entry of "A long name with spaces.text".
    unsigned changed = 0;
    for (std::uint64_t at = root_; at < root_ + 512 * 32; at += 32) {
        std::uint8_t* e = &bytes_[at];
        if (e[11] != 0x0f || e[0] == 0xe5) continue;
        if (e[1] == 'A' && e[3] == ' ' && e[5] == 'l') {  // the last-in-order entry starting "A l"
            e[13] ^= 0x55;
            ++changed;
        }
    }
    ASSERT_EQ(changed, 1u);
    Mounted m = mount_bytes(bytes_, 512);
    auto root = list_dir(*m.fs, Node{0, 0, NodeType::directory});
    EXPECT_EQ(root.count("A long name with spaces.text"), 0u);
    ASSERT_EQ(root.count("ALONGN~1.TEX"), 1u);
    EXPECT_EQ(root["ALONGN~1.TEX"].size, 20000u);
    EXPECT_EQ(root.count("readme.txt"), 1u);  // the others are intact
}

TEST_F(FatCorrupt, DeletedEntriesAndTheEndMarker) {
    Mounted before = mount_bytes(bytes_, 512);
    const auto all = list_dir(*before.fs, Node{0, 0, NodeType::directory});
    // Mark the UPPER.TXT short entry deleted; put an end marker after readme.
    std::uint64_t upper = 0;
    for (std::uint64_t at = root_; at < root_ + 512 * 32; at += 32) {
        if (std::memcmp(&bytes_[at], "UPPER   TXT", 11) == 0) upper = at;
    }
    ASSERT_NE(upper, 0u);
    bytes_[upper] = 0xe5;
    Mounted m = mount_bytes(bytes_, 512);
    auto root = list_dir(*m.fs, Node{0, 0, NodeType::directory});
    EXPECT_EQ(root.count("UPPER.TXT"), 0u);
    EXPECT_EQ(root.size(), all.size() - 1);
    bytes_[upper] = 0x00;
    Mounted m2 = mount_bytes(bytes_, 512);
    auto cut = list_dir(*m2.fs, Node{0, 0, NodeType::directory});
    EXPECT_LT(cut.size(), all.size() - 1);
    EXPECT_EQ(cut.count("UPPER.TXT"), 0u);
}

TEST_F(FatCorrupt, BadBootSectors) {
    const auto mount_error = [&](std::vector<std::uint8_t> b) {
        auto dev = MemBlockDevice::from_image("bad", 512, std::move(b));
        auto r = fs::fat::mount(dev);
        EXPECT_FALSE(r.ok());
        if (r.ok()) {
            delete r.value();
            return Error::make(Errc::invalid_argument, "mounted");
        }
        return r.error();
    };
    struct Poke {
        unsigned offset;
        std::uint8_t value;
        Errc code;
        const char* message;
    };
    const Poke pokes[] = {
        {510, 0, Errc::not_found, "no FAT boot sector (no 0x55aa signature)"},
        {0, 0x00, Errc::not_found, "no FAT boot sector (jump byte 0x0)"},
        {11, 0x00, Errc::not_found, "no FAT boot sector (bytes per sector 0)"},  // 0x0000
        {12, 0x03, Errc::not_found, "no FAT boot sector (bytes per sector 768)"},
        {12, 0x40, Errc::not_found, "no FAT boot sector (bytes per sector 16384)"},
        {13, 3, Errc::not_found, "no FAT boot sector (sectors per cluster 3)"},
        {13, 0, Errc::not_found, "no FAT boot sector (sectors per cluster 0)"},
        {14, 0, Errc::not_found, nullptr},  // reserved sectors: low byte only; see below
        {16, 0, Errc::not_found, "no FAT boot sector (no FATs)"},
        {21, 0x12, Errc::not_found, "no FAT boot sector (media byte 0x12)"},
    };
    for (const Poke& p : pokes) {
        if (p.message == nullptr) continue;
        auto b = bytes_;
        b[p.offset] = p.value;
        if (p.offset == 11) b[12] = 0;
        const Error e = mount_error(b);
        EXPECT_EQ(e.code(), p.code) << p.message;
        EXPECT_STREQ(e.message(), p.message);
    }
    auto b = bytes_;
    b[14] = b[15] = 0;
    EXPECT_STREQ(mount_error(b).message(), "no FAT boot sector (no reserved sectors)");
    b = bytes_;
    b[17] = b[18] = 0;  // FAT16 without root entries
    EXPECT_EQ(mount_error(b).code(), Errc::not_found);
    // Total sectors beyond the device: a FAT volume, but it does not fit.
    b = bytes_;
    sim::put_le16(&b[19], 0);
    sim::put_le32(&b[32], 1u << 30);
    Error e = mount_error(b);
    EXPECT_EQ(e.code(), Errc::bad_data);
    EXPECT_NE(std::string(e.message()).find("larger than the device"), std::string::npos) << e.message();
    // A FAT too small for the cluster count.
    b = bytes_;
    sim::put_le16(&b[22], 1);
    e = mount_error(b);
    EXPECT_EQ(e.code(), Errc::bad_data);
    EXPECT_NE(std::string(e.message()).find("cannot hold"), std::string::npos) << e.message();
    // Not a FAT at all: zeros, and an ext4-sized block of garbage.
    EXPECT_EQ(mount_error(std::vector<std::uint8_t>(65536, 0)).code(), Errc::not_found);
    // A read error is passed on.
    auto dev = MemBlockDevice::from_image("io", 512, bytes_);
    dev.fail_reads_of(0);
    auto r = fs::fat::mount(dev);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::io);
}

TEST(FatCorrupt32, RootClusterOutOfRange) {
    auto im = make_image({32, 512, 1, 34000});
    ASSERT_FALSE(im->bytes.empty());
    auto b = im->bytes;
    sim::put_le32(&b[44], 0x0fffff00);
    auto dev = MemBlockDevice::from_image("f32", 512, std::move(b));
    auto r = fs::fat::mount(dev);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data);
    EXPECT_NE(std::string(r.error().message()).find("root cluster 268435200 is outside"), std::string::npos)
        << r.error().message();
}

}  // namespace
