// The filesystem commands on XFS and btrfs (issue 12: "everywhere a
// filesystem is used"): fstype, fstypes, ls, load, size and test -e on images
// made by mkfs.xfs (filled through a loop mount: root) and mkfs.btrfs
// --rootdir, through the same shell and RAM as fs_commands_test.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/sim/boot_rig.h"
#include "tests/sim/disk_images.h"

namespace {

using namespace xb;
using sim::ImageDir;

constexpr std::uint64_t kMiB = 1ULL << 20;

std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 37 + seed) ^ (i >> 9));
    return v;
}

// The same tree on both filesystems; made once.
struct XbDisks {
    ImageDir xfs_dir, btrfs_dir;
    std::vector<std::uint8_t> kernel = pattern(700 * 1024 + 3, 4);
    std::vector<std::uint8_t> xfs, btrfs;

    XbDisks() {
        for (ImageDir* d : {&xfs_dir, &btrfs_dir}) {
            d->put("hello.txt", "hello world\n");
            d->put("boot/vmlinuz-6.8", kernel);
            d->put("boot/loader/entries/a.conf", "title A\nlinux /boot/vmlinuz-6.8\n");
            d->symlink("boot/vmlinuz-6.8", "vmlinuz");
        }
        xfs = xfs_dir.xfs(32, "-L XFSBOOT");
        btrfs = btrfs_dir.btrfs(32, "-L BTRROOT");
    }
    static XbDisks& get() {
        static XbDisks d;
        return d;
    }
};

struct XbRig : sim::BootRig {
    sim::MemBlockDevice d0 = sim::mbr_disk("xvda", XbDisks::get().xfs);
    sim::MemBlockDevice d1 = sim::mbr_disk("xvdb", XbDisks::get().btrfs);
    XbRig() : BootRig(48 * kMiB) {
        add_disk(d0);
        add_disk(d1);
    }
};

#define REQUIRE_DISKS()                                                                                        \
    do {                                                                                                       \
        if (!sim::have_tool("mkfs.btrfs") || !sim::have_tool("mkfs.xfs")) GTEST_SKIP() << "no mkfs.xfs/btrfs"; \
        if (XbDisks::get().xfs.empty()) GTEST_SKIP() << "XFS images need root for a loop mount";               \
        ASSERT_FALSE(XbDisks::get().btrfs.empty()) << "mkfs.btrfs --rootdir failed";                           \
    } while (0)

bool has_line(const std::string& out, const std::string& line) { return out.find(line + "\n") != std::string::npos; }

TEST(FsCommandsXfsBtrfs, FstypeAndFstypes) {
    REQUIRE_DISKS();
    XbRig r;
    int rc = -1;
    EXPECT_EQ(r.run("fstype pvblock 0:1", &rc), "xfs\n");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(r.run("fstype pvblock 1:1 t", &rc), "");
    EXPECT_EQ(r.var("t"), "btrfs");
    EXPECT_EQ(r.run("fstypes", &rc), "Supported filesystems: ext4, xfs, btrfs, fat\n");
}

TEST(FsCommandsXfsBtrfs, LsLoadSizeAndTestE) {
    REQUIRE_DISKS();
    XbRig r;
    const auto& kernel = XbDisks::get().kernel;
    for (const char* part : {"0:1", "1:1"}) {
        SCOPED_TRACE(part);
        int rc = -1;
        std::string out = r.run(std::string("ls pvblock ") + part + " /", &rc);
        EXPECT_EQ(rc, 0) << out;
        EXPECT_TRUE(has_line(out, "       12   hello.txt")) << out;
        EXPECT_TRUE(has_line(out, "            boot/")) << out;
        EXPECT_TRUE(has_line(out, "   <SYM>   vmlinuz")) << out;

        const std::uint64_t dst = r.base() + 4 * kMiB;
        out = r.run("load pvblock " + std::string(part) + " " + sim::hex(dst) + " /vmlinuz", &rc);  // via the symlink
        EXPECT_EQ(rc, 0) << out;
        EXPECT_NE(out.find(std::to_string(kernel.size()) + " bytes read in "), std::string::npos) << out;
        EXPECT_EQ(std::memcmp(r.at(dst), kernel.data(), kernel.size()), 0);
        EXPECT_EQ(r.var("filesize"), sim::hex(kernel.size()));

        r.run(std::string("size pvblock ") + part + " /boot/loader/entries/a.conf", &rc);
        EXPECT_EQ(rc, 0);
        EXPECT_EQ(r.var("filesize"), "20");
        r.run(std::string("test -e pvblock ") + part + " /boot/loader/entries/a.conf", &rc);
        EXPECT_EQ(rc, 0);
        r.run(std::string("test -e pvblock ") + part + " /boot/nope", &rc);
        EXPECT_EQ(rc, 1);
    }
}

}  // namespace
