// Filesystem UUIDs and labels as GRUB's `search --fs-uuid/--label` sees them:
// images made by mke2fs -U/-L and mkfs.fat -i/-n, the values compared with
// what the tool was told and with blkid's reading of the same image.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "fs/ext4/ext4.h"
#include "fs/fat/fat.h"
#include "tests/sim/host_tools.h"
#include "tests/sim/mem_block_device.h"

namespace {

using namespace xb;
using sim::MemBlockDevice;
using sim::TempDir;

struct Mounted {
    std::unique_ptr<MemBlockDevice> dev;
    std::unique_ptr<fs::Filesystem> fs;
};

Mounted mount(const std::vector<std::uint8_t>& bytes, bool fat) {
    Mounted m;
    m.dev = std::make_unique<MemBlockDevice>(MemBlockDevice::from_image("d0", 512, bytes));
    auto r = fat ? fs::fat::mount(*m.dev) : fs::ext4::mount(*m.dev);
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (r.ok()) m.fs.reset(r.value());
    return m;
}

// What blkid reads from the image file (tag UUID or LABEL), "" when none.
std::string blkid(const std::string& image, const std::string& tag) {
    std::string out = sim::run_tool("blkid -p -o value -s " + tag + " " + image, sim::Stderr::discarded, true).output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

class Ext4Identity : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!sim::have_tool("mke2fs")) GTEST_SKIP() << "mke2fs is not installed";
        std::filesystem::create_directory(dir_ / "src");
    }
    Mounted make(const std::string& options) {
        image_ = dir_ / "ext4.img";
        std::filesystem::remove(image_);
        EXPECT_TRUE(sim::make_ext_image(dir_ / "src", image_, "-t ext4 " + options, "8M"));
        return mount(sim::read_file(image_), false);
    }
    TempDir dir_{"fsid"};
    std::string image_;
};

TEST_F(Ext4Identity, UuidIsLowercaseAndLabelAsGiven) {
    Mounted m = make("-U 6F0C1E4A-2B3C-4D5E-8F90-A1B2C3D4E5F6 -L rootfs");
    ASSERT_NE(m.fs, nullptr);
    EXPECT_EQ(m.fs->uuid(), "6f0c1e4a-2b3c-4d5e-8f90-a1b2c3d4e5f6");
    EXPECT_EQ(m.fs->label(), "rootfs");
    if (sim::have_tool("blkid")) {
        EXPECT_EQ(blkid(image_, "UUID"), m.fs->uuid());
        EXPECT_EQ(blkid(image_, "LABEL"), m.fs->label());
    }
    EXPECT_STREQ(m.fs->type_name(), "ext4");  // nothing else changes
}

TEST_F(Ext4Identity, SixteenByteLabelAndNoLabel) {
    Mounted m = make("-U 00000000-0000-0000-0000-000000000001 -L abcdefghijklmnop");
    ASSERT_NE(m.fs, nullptr);
    EXPECT_EQ(m.fs->label(), "abcdefghijklmnop");
    EXPECT_EQ(m.fs->uuid(), "00000000-0000-0000-0000-000000000001");
    Mounted none = make("-U 0123abcd-4567-89ef-0123-456789abcdef");
    ASSERT_NE(none.fs, nullptr);
    EXPECT_EQ(none.fs->label(), "");
    EXPECT_EQ(none.fs->uuid(), "0123abcd-4567-89ef-0123-456789abcdef");
}

TEST_F(Ext4Identity, LabelIsNotTrimmedAsInGrub) {
    // grub_ext2_label is strndup(s_volume_name, 16): blanks are kept.
    Mounted m = make("-L 'boot '");
    ASSERT_NE(m.fs, nullptr);
    EXPECT_EQ(m.fs->label(), "boot ");
}

class FatIdentity : public ::testing::TestWithParam<int> {
  protected:
    void SetUp() override {
        if (!sim::have_tool("mkfs.fat")) GTEST_SKIP() << "mkfs.fat is not installed";
    }
    std::vector<std::uint8_t> make(const std::string& options) {
        image_ = dir_ / "fat.img";
        std::filesystem::remove(image_);
        const int bits = GetParam();
        EXPECT_TRUE(sim::make_fat_image(image_, "-F " + std::to_string(bits) + " " + options,
                                        bits == 32   ? 40960
                                        : bits == 16 ? 20480
                                                     : 8192));
        return sim::read_file(image_);
    }
    TempDir dir_{"fsid"};
    std::string image_;
};

TEST_P(FatIdentity, SerialIsUppercaseAndLabelFromTheRootDirectory) {
    Mounted m = mount(make("-i 1a2b3c4d -n EFI-SYSTEM"), true);
    ASSERT_NE(m.fs, nullptr);
    EXPECT_EQ(m.fs->uuid(), "1A2B-3C4D");
    EXPECT_EQ(m.fs->label(), "EFI-SYSTEM");
    EXPECT_EQ(m.fs->label(), "EFI-SYSTEM");  // cached
    if (sim::have_tool("blkid")) {
        EXPECT_EQ(blkid(image_, "UUID"), m.fs->uuid());
        EXPECT_EQ(blkid(image_, "LABEL"), m.fs->label());
    }
    EXPECT_STREQ(m.fs->type_name(), "fat");
}

TEST_P(FatIdentity, NoLabelEntryMeansNoLabel) {
    // mkfs.fat without -n writes "NO NAME" into the boot sector only.
    Mounted m = mount(make("-i 0000abcd"), true);
    ASSERT_NE(m.fs, nullptr);
    EXPECT_EQ(m.fs->uuid(), "0000-ABCD");
    EXPECT_EQ(m.fs->label(), "");
}

TEST_P(FatIdentity, TheBootSectorLabelIsNotUsed) {
    std::vector<std::uint8_t> bytes = make("-i deadbeef -n ROOTDIR");
    const std::size_t vollab = GetParam() == 32 ? 71 : 43;  // BS_VolLab
    ASSERT_EQ(std::memcmp(bytes.data() + vollab, "ROOTDIR    ", 11), 0);
    std::memcpy(bytes.data() + vollab, "BOOTSECT   ", 11);
    Mounted m = mount(bytes, true);
    ASSERT_NE(m.fs, nullptr);
    EXPECT_EQ(m.fs->label(), "ROOTDIR");
    EXPECT_EQ(m.fs->uuid(), "DEAD-BEEF");
}

TEST_P(FatIdentity, LabelEntryAfterFilesIsFound) {
    // A label written after files exist lands after them in the root directory.
    std::vector<std::uint8_t> bytes = make("-i 12345678");
    const std::string src = dir_ / "a.txt";
    std::ofstream(src) << "a";
    ASSERT_TRUE(sim::copy_into_fat(image_, {src}, "::/"));
    sim::run_tool("MTOOLS_NO_VFAT=0 mlabel -i " + image_ + " ::LATE");
    Mounted m = mount(sim::read_file(image_), true);
    ASSERT_NE(m.fs, nullptr);
    EXPECT_EQ(m.fs->label(), "LATE");
    fs::Node root{0, 0, fs::NodeType::directory};
    struct Names : fs::DirVisitor {
        std::vector<std::string> names;
        bool visit(const fs::DirEntry& e) override {
            names.emplace_back(e.name);
            return true;
        }
    } names;
    ASSERT_TRUE(m.fs->list(root, names).ok());
    EXPECT_EQ(names.names, std::vector<std::string>{"a.txt"});  // the label is still not listed
}

INSTANTIATE_TEST_SUITE_P(Fat, FatIdentity, ::testing::Values(12, 16, 32),
                         [](const auto& p) { return "Fat" + std::to_string(p.param); });

}  // namespace
