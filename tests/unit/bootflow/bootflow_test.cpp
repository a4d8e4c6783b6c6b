// `bootflow scan` end to end on simulated guest RAM (tests/sim/boot_rig.h)
// over disks made at test time (tests/sim/disk_images.h): extlinux.conf on an
// MBR+ext4 disk and on a whole-disk FAT, label fallback and $extlinux_label,
// boot.scr, the "nothing booted" summary and the load limits. What the kernel
// would get is checked through the recording hand-off: its bytes at the
// entry, the initrd range and bootargs in /chosen.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/sim/boot_rig.h"
#include "tests/sim/disk_images.h"

namespace {

using namespace xb;
using sim::BootRig;
using sim::hex;
using sim::ImageDir;

constexpr std::uint64_t kMiB = 1ULL << 20;

std::vector<std::uint8_t> bytes_of(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 9));
    return v;
}

const char* const kConf =
    "# written by a test\n"
    "menu title Test boot menu\n"
    "timeout 10\n"
    "default linux\n"
    "\n"
    "label rescue\n"
    "  menu label Rescue shell\n"
    "  linux /boot/Image\n"
    "  append root=/dev/xvda1 single\n"
    "\n"
    "label linux\n"
    "  menu label Linux\n"
    "  linux /boot/Image\n"
    "  initrd /boot/initrd.img\n"
    "  append root=/dev/xvda1 console=hvc0 rw\n";

struct Flow : BootRig {
    cmd::BootLayout layout;
    std::vector<std::uint8_t> image = sim::make_arm64_image(256 * 1024, 11);
    std::vector<std::uint8_t> initrd = bytes_of(100 * 1024 + 17, 3);

    Flow() {
        layout = set_layout();
        handoff.snapshot_bytes = image.size();
    }
    void expect_no_handoff(const std::string& out) {
        EXPECT_TRUE(handoff.calls.empty()) << out;
        EXPECT_FALSE(ctx.stop);
    }
};

TEST(Bootflow, ExtlinuxOnAnMbrExt4DiskBootsTheDefaultLabel) {
    Flow r;
    ImageDir dir;
    dir.put("boot/extlinux/extlinux.conf", kConf);
    dir.put("boot/Image", r.image);
    dir.put("boot/initrd.img", r.initrd);
    auto disk = sim::mbr_disk("xvda", dir.ext4(4));
    r.add_disk(disk);
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Found /boot/extlinux/extlinux.conf on pvblock 0:1 (ext"), std::string::npos) << out;
    EXPECT_NE(out.find("Test boot menu\n1:\tRescue shell\n2:\tLinux  (boot)\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Booting label 'linux'"), std::string::npos) << out;
    EXPECT_NE(out.find("Retrieving kernel: /boot/Image\n" + std::to_string(r.image.size()) + " bytes read in "),
              std::string::npos)
        << out;
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"}));
    EXPECT_EQ(r.handoff.entry, r.layout.kernel);
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-start"), r.layout.ramdisk);
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-end"), r.layout.ramdisk + r.initrd.size());
    EXPECT_EQ(std::memcmp(r.at(r.layout.ramdisk), r.initrd.data(), r.initrd.size()), 0);
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("root=/dev/xvda1 console=hvc0 rw") + '\0');
    EXPECT_EQ(r.var("bootargs"), "root=/dev/xvda1 console=hvc0 rw");
    EXPECT_TRUE(r.ctx.stop);
}

TEST(Bootflow, ExtlinuxOnAWholeDiskFatWithImageGz) {
    Flow r;
    ImageDir dir;
    dir.put("extlinux/extlinux.conf", "label gz\n  kernel ../Image.gz\n");  // relative to the conf's folder
    dir.put("Image.gz", sim::gzip_bytes(r.image));
    auto disk = sim::MemBlockDevice::from_image("xvda", 512, dir.fat(2048));
    r.add_disk(disk);
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Found /extlinux/extlinux.conf on pvblock 0:0 (fat)"), std::string::npos) << out;
    EXPECT_NE(out.find("   Uncompressed " + std::to_string(r.image.size()) + " bytes"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.entry, r.layout.kernel);
    EXPECT_EQ(r.handoff.kernel, r.image);
    bool found = true;
    r.handoff.chosen("linux,initrd-start", &found);
    EXPECT_FALSE(found);
    // No append and no $bootargs: what Xen wrote stays.
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("console=hvc0 from-xen") + '\0');
}

TEST(Bootflow, FailedDefaultLabelFallsBackToTheNext) {
    Flow r;
    ImageDir dir;
    dir.put("boot/extlinux/extlinux.conf",
            "default broken\n"
            "label first\n  linux /boot/Image\n  append which=first\n"
            "label broken\n  linux /boot/missing-Image\n  append which=broken\n"
            "label third\n  linux /boot/Image\n  append which=third\n");
    dir.put("boot/Image", r.image);
    auto disk = sim::mbr_disk("xvda", dir.ext4(4));
    r.add_disk(disk);
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Booting label 'broken'\nlabel 'broken': kernel /boot/missing-Image: "), std::string::npos)
        << out;
    // In file order, skipping the default already tried: 'first' is next.
    EXPECT_NE(out.find("Booting label 'first'"), std::string::npos) << out;
    EXPECT_EQ(out.find("Booting label 'third'"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("which=first") + '\0');
    EXPECT_EQ(r.handoff.kernel, r.image);
}

TEST(Bootflow, ExtlinuxLabelPicksALabelAndDoesNotFallBack) {
    Flow r;
    ImageDir dir;
    dir.put("boot/extlinux/extlinux.conf", kConf);
    dir.put("boot/Image", r.image);
    dir.put("boot/initrd.img", r.initrd);
    auto disk = sim::mbr_disk("xvda", dir.ext4(4));
    r.add_disk(disk);
    r.run("setenv extlinux_label rescue");
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("1:\tRescue shell  (boot)\n2:\tLinux\n"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("root=/dev/xvda1 single") + '\0');
    bool found = true;
    r.handoff.chosen("linux,initrd-start", &found);
    EXPECT_FALSE(found);
}

TEST(Bootflow, ExtlinuxLabelThatFailsIsTheOnlyOneTried) {
    Flow r;
    ImageDir dir;
    dir.put("boot/extlinux/extlinux.conf", "label good\n  linux /boot/Image\nlabel bad\n  linux /boot/nothing\n");
    dir.put("boot/Image", r.image);
    auto disk = sim::mbr_disk("xvda", dir.ext4(4));
    r.add_disk(disk);
    r.run("setenv extlinux_label bad");
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 1) << out;
    EXPECT_EQ(out.find("Booting label 'good'"), std::string::npos) << out;
    EXPECT_NE(out.find("bootflow: nothing booted. Tried:\n  pvblock 0:1 (ext"), std::string::npos) << out;
    EXPECT_NE(out.find("/boot/extlinux/extlinux.conf: label 'bad': kernel /boot/nothing: "), std::string::npos) << out;
    r.expect_no_handoff(out);
    // A label that does not exist at all.
    r.run("setenv extlinux_label nosuch");
    out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("no label 'nosuch' ($extlinux_label)"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

TEST(Bootflow, BootScrRunsLoadAndBooti) {
    if (!sim::have_tool("mkimage")) GTEST_SKIP() << "mkimage (u-boot-tools) is not installed";
    Flow r;
    ImageDir dir;
    dir.put("script.txt",
            "echo script on ${devtype} ${devnum}:${distro_bootpart} prefix ${prefix}\n"
            "load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} ${prefix}Image\n"
            "setenv bootargs from-script\n"
            "booti ${kernel_addr_r} - \n");
    ASSERT_TRUE(sim::sh("mkimage -A arm64 -O linux -T script -C none -n test -d " + dir.src() + "/script.txt " +
                        dir.path + "/boot.scr >/dev/null"));
    dir.put("boot/boot.scr", ImageDir::read(dir.path + "/boot.scr"));
    dir.put("boot/Image", r.image);
    std::filesystem::remove(dir.src() + "/script.txt");
    auto disk = sim::mbr_disk("xvda", dir.ext4(4));
    r.add_disk(disk);
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Found /boot/boot.scr on pvblock 0:1 (ext"), std::string::npos) << out;
    EXPECT_NE(out.find("script on pvblock 0:1 prefix /boot/"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.entry, r.layout.kernel);
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("from-script") + '\0');
}

TEST(Bootflow, NothingBootableSummarisesEveryVolume) {
    Flow r;
    ImageDir empty;
    empty.put("etc/hostname", "guest\n");
    auto d0 = sim::mbr_disk("xvda", empty.ext4(2));
    // A disk with no filesystem at all.
    sim::MemBlockDevice d1("xvdb", 512, 2048);
    // A FAT disk whose extlinux.conf names a file that is not a kernel.
    ImageDir bad;
    bad.put("extlinux/extlinux.conf", "label x\n  kernel /notakernel\n");
    bad.put("notakernel", bytes_of(4096, 9));
    auto d2 = sim::MemBlockDevice::from_image("xvdc", 512, bad.fat(1024));
    r.add_disk(d0);
    r.add_disk(d1);
    r.add_disk(d2);
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 1) << out;
    const std::size_t summary = out.find("bootflow: nothing booted. Tried:\n");
    ASSERT_NE(summary, std::string::npos) << out;
    const std::string tried = out.substr(summary);
    EXPECT_NE(tried.find("  pvblock 0:1 (ext4): no extlinux.conf, boot.scr or grub.cfg\n"), std::string::npos) << tried;
    EXPECT_NE(tried.find("  pvblock 1:0: no ext2/3/4, XFS, btrfs or FAT filesystem\n"), std::string::npos)
        << tried;  // named once
    EXPECT_NE(tried.find("  pvblock 2:0 (fat): /extlinux/extlinux.conf: label 'x': kernel at 0x" +
                         hex(r.layout.kernel) + ": not an arm64 Image: bad magic"),
              std::string::npos)
        << tried;
    r.expect_no_handoff(out);
}

TEST(Bootflow, NoDisks) {
    Flow r;
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("bootflow: nothing booted. Tried:\n  no pvblock disks"), std::string::npos) << out;
    out = r.run("bootflow", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("usage: bootflow scan [-lbaeGH] [pvblock]"), std::string::npos) << out;
    // U-Boot's flags and bootdev label are taken (no disks: nothing booted).
    out = r.run("bootflow scan -lbeG pvblock", &rc);
    EXPECT_NE(out.find("bootflow: nothing booted. Tried:"), std::string::npos) << out;
    out = r.run("bootflow scan -lb mmc", &rc);
    EXPECT_NE(out.find("bootflow: unexpected 'mmc' (xenboot scans every pvblock disk)"), std::string::npos) << out;
    out = r.run("bootflow list -e", &rc);
    EXPECT_EQ(rc, 0) << out;
}

TEST(Bootflow, InitrdTooBigForItsAreaIsRefusedBeforeLoading) {
    Flow r;
    ImageDir dir;
    dir.put("boot/extlinux/extlinux.conf", "label l\n  linux /boot/Image\n  initrd /boot/initrd.img\n");
    dir.put("boot/Image", r.image);
    // The area from $ramdisk_addr_r to $fdt_addr_r is 10 MiB in 32 MiB of RAM.
    const std::uint64_t room = r.layout.fdt - r.layout.ramdisk;
    ASSERT_EQ(room, 10 * kMiB);
    dir.put_sparse("boot/initrd.img", room + 1, "initrd");
    auto disk = sim::mbr_disk("xvda", dir.ext4(6));
    r.add_disk(disk);
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 1) << out;
    EXPECT_NE(
        out.find("initrd /boot/initrd.img (" + std::to_string(room + 1) + " bytes) does not fit at $ramdisk_addr_r 0x" +
                 hex(r.layout.ramdisk) + " (" + std::to_string(room) + " bytes before $fdt_addr_r)"),
        std::string::npos)
        << out;
    EXPECT_TRUE(r.untouched(r.layout.ramdisk, 64 * 1024));
    r.expect_no_handoff(out);
}

TEST(Bootflow, KernelTooBigForItsAreaIsRefused) {
    Flow r;
    ImageDir dir;
    dir.put("boot/extlinux/extlinux.conf", "label l\n  linux /boot/Image\n");
    const std::uint64_t room = r.layout.ramdisk - r.layout.kernel;
    dir.put_sparse("boot/Image", room + 4096, "not even a header");
    auto disk = sim::mbr_disk("xvda", dir.ext4(4));
    r.add_disk(disk);
    int rc = -1;
    std::string out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 1) << out;
    EXPECT_NE(out.find("kernel /boot/Image (" + std::to_string(room + 4096) + " bytes) does not fit at $kernel_addr_r"),
              std::string::npos)
        << out;
    r.expect_no_handoff(out);
}

}  // namespace
