// sysboot (an extlinux file named by the user, through the extlinux boot
// method), boot/bootd ($bootcmd) and bootz (refused with a pointer to booti),
// end to end on simulated guest RAM (tests/sim/boot_rig.h) with a disk made by
// the real mke2fs and sfdisk (tests/sim/disk_images.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/sim/boot_rig.h"
#include "tests/sim/disk_images.h"

namespace {

using namespace xb;
using sim::BootRig;
using sim::ImageDir;

struct SysbootRig : BootRig {
    cmd::BootLayout layout;
    std::vector<std::uint8_t> image = sim::make_arm64_image(128 * 1024, 5);
    ImageDir dir;
    SysbootRig() {
        layout = set_layout();
        handoff.snapshot_bytes = image.size();
        dir.put("boot/Image", image);
        dir.put("pxe/custom.cfg", "default mine\nlabel mine\n  kernel /boot/Image\n  append from=sysboot\n");
    }
};

TEST(Sysboot, BootsTheNamedFile) {
    SysbootRig r;
    auto disk = sim::mbr_disk("xvda", r.dir.ext4(4));
    r.add_disk(disk);
    int rc = -1;
    const std::string out = r.run("sysboot pvblock 0:1 any ${pxefile_addr_r} /pxe/custom.cfg", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Booting label 'mine'"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"}));
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("from=sysboot") + '\0');
}

TEST(Sysboot, BootfileAndErrors) {
    SysbootRig r;
    auto disk = sim::mbr_disk("xvda", r.dir.ext4(4));
    r.add_disk(disk);
    int rc = 0;
    EXPECT_EQ(r.run("sysboot pvblock 0:1 ext2", &rc), "sysboot: no filename given and $bootfile is not set\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(r.run("sysboot pvblock 0:1 ntfs", &rc).rfind("sysboot: filesystem type 'ntfs' (any, ext2 or fat)", 0),
              0u);
    EXPECT_NE(r.run("sysboot pvblock 0:1 fat - /pxe/custom.cfg", &rc).find("sysboot: "), std::string::npos);
    EXPECT_EQ(rc, 1);
    EXPECT_TRUE(r.handoff.calls.empty());
    const std::string out = r.run("setenv bootfile /pxe/custom.cfg; sysboot -p pvblock 0:1 ext2", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("from=sysboot") + '\0');
}

TEST(Boot, RunsBootcmd) {
    SysbootRig r;
    int rc = 0;
    EXPECT_EQ(r.run("boot", &rc), "boot: $bootcmd is not set\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(r.run("setenv bootcmd 'echo booting; false'; bootd", &rc), "booting\n");
    EXPECT_EQ(rc, 1);
    auto disk = sim::mbr_disk("xvda", r.dir.ext4(4));
    r.add_disk(disk);
    const std::string out = r.run("setenv bootcmd sysboot pvblock 0:1 any - /pxe/custom.cfg; boot", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.kernel, r.image);
}

TEST(Bootz, SaysToUseBooti) {
    SysbootRig r;
    int rc = 0;
    EXPECT_EQ(r.run("bootz ${kernel_addr_r} - ${fdt_addr_r}", &rc),
              "bootz: a 32-bit ARM zImage cannot run in an AArch64 Xen guest; boot an arm64 kernel (Image or "
              "Image.gz) with booti\n");
    EXPECT_EQ(rc, 1);
}

}  // namespace
