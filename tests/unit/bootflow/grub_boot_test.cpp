// The GRUB boot method end to end on simulated guest RAM: GPT disks laid out
// as the distributions lay them out (tests/sim/disk_images.h, sgdisk, mke2fs,
// mkfs.fat), carrying the configs Debian's real grub-mkconfig generated
// (XB_GRUB_FIXTURES_DIR, tests/tools/grub-mkconfig-offline.sh): the Debian
// layout (the menu on the root fs), Ubuntu's (ESP stub -> search.fs_uuid ->
// configfile on a separate /boot), Fedora's BLS entries (saved_entry from
// grubenv), `bootflow list/select/boot`, and bad configs that fall through.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sim/boot_rig.h"
#include "tests/sim/disk_images.h"

namespace {

using namespace xb;
using sim::GptVolume;
using sim::ImageDir;

constexpr const char* kRootUuid = "0c5a5f5e-1d2b-4c3a-9e8f-0123456789ab";
constexpr const char* kBootUuid = "b007b007-16aa-4bbb-8ccc-0123456789ab";
constexpr const char* kCloudArgs = "ro console=tty0 console=ttyS0,115200";

std::string fixture(const std::string& rel) {
    std::ifstream f(std::string(XB_GRUB_FIXTURES_DIR) + "/" + rel, std::ios::binary);
    EXPECT_TRUE(f.good()) << "missing fixture " << rel;
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::vector<std::uint8_t> bytes_of(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 5 + (i >> 8));
    return v;
}

struct Grub : sim::BootRig {
    cmd::BootLayout layout;
    std::vector<std::uint8_t> image = sim::make_arm64_image(256 * 1024, 21);
    std::vector<std::uint8_t> initrd = bytes_of(60 * 1024 + 3, 9);
    std::vector<sim::MemBlockDevice> disks;

    Grub() {
        layout = set_layout();
        handoff.snapshot_bytes = image.size();
        disks.reserve(4);
    }
    void add(sim::MemBlockDevice d) {
        disks.push_back(std::move(d));
        add_disk(disks.back());
    }
    std::string expected_args() const {
        return std::string("root=UUID=") + kRootUuid + " " + kCloudArgs + " console=hvc0";
    }
    void expect_booted(const std::string& out, const std::vector<std::uint8_t>& initrd_bytes) {
        EXPECT_EQ(handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"})) << out;
        EXPECT_EQ(handoff.kernel, image);
        EXPECT_EQ(handoff.chosen_u64("linux,initrd-start"), layout.ramdisk);
        EXPECT_EQ(handoff.chosen_u64("linux,initrd-end"), layout.ramdisk + initrd_bytes.size());
        EXPECT_EQ(std::memcmp(at(layout.ramdisk), initrd_bytes.data(), initrd_bytes.size()), 0);
        EXPECT_EQ(handoff.chosen("bootargs"), expected_args() + '\0') << out;
        EXPECT_NE(out.find("appending console=hvc0"), std::string::npos) << out;
    }
};

// Debian's cloud layout: p1 ext4 root with /boot, p15 the ESP with the stub.
std::vector<GptVolume> debian_parts(const Grub& r) {
    ImageDir root;
    root.put("boot/grub/grub.cfg", fixture("debian/boot/grub/grub.cfg"));
    root.put("boot/vmlinuz-6.1.0-28-cloud-arm64", r.image);
    root.put("boot/initrd.img-6.1.0-28-cloud-arm64", r.initrd);
    ImageDir esp;
    esp.put("EFI/debian/grub.cfg", fixture("debian/esp/EFI/debian/grub.cfg"));
    return {{1, "8300", root.ext4_with(8, std::string("-U ") + kRootUuid)}, {15, "ef00", esp.fat(2048)}};
}

TEST(GrubBoot, DebianCloudLayoutBootsTheDefaultEntryWithHvc0) {
    Grub r;
    r.add(sim::gpt_disk("xvda", debian_parts(r)));
    r.run("setenv bootdelay 0");
    int rc = -1;
    const std::string out = r.run("bootflow scan -lb", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("GRUB config (hd0,gpt1)/boot/grub/grub.cfg"), std::string::npos) << out;
    EXPECT_NE(out.find("Advanced options for Debian GNU/Linux"), std::string::npos) << out;
    EXPECT_NE(out.find("Booting 'Debian GNU/Linux'"), std::string::npos) << out;
    EXPECT_NE(out.find("Retrieving kernel: /boot/vmlinuz-6.1.0-28-cloud-arm64"), std::string::npos) << out;
    r.expect_booted(out, r.initrd);
}

// GRUB's search on the new filesystems (issue 12): the ESP stub finds a btrfs
// by --fs-uuid and runs the grub.cfg in its subvolume path (Fedora's layout);
// that config finds the kernel's XFS by --label and the initrd by --file.
TEST(GrubBoot, SearchFindsXfsAndBtrfsByUuidLabelAndFile) {
    if (!sim::have_tool("mkfs.btrfs") || !sim::have_tool("mkfs.xfs")) GTEST_SKIP() << "no mkfs.xfs/mkfs.btrfs";
    Grub r;
    constexpr const char* kBtrfsUuid = "fed0b7f5-0002-4000-8000-00000000d157";
    ImageDir btr;
    btr.put("root/boot/grub2/grub.cfg", std::string("set timeout=0\n"
                                                    "search --no-floppy --label --set=kdev XFSBOOT\n"
                                                    "search --no-floppy --file --set=idev /root/boot/initrd-xb.img\n"
                                                    "menuentry 'xfs and btrfs' {\n"
                                                    "\tlinux ($kdev)/vmlinuz-xb root=UUID=") +
                                            kRootUuid + " " + kCloudArgs +
                                            "\n"
                                            "\tinitrd ($idev)/root/boot/initrd-xb.img\n"
                                            "}\n");
    btr.put("root/boot/initrd-xb.img", r.initrd);
    ImageDir xfs;
    xfs.put("vmlinuz-xb", r.image);
    ImageDir esp;
    esp.put("EFI/fedora/grub.cfg", std::string("search --no-floppy --fs-uuid --set=dev ") + kBtrfsUuid +
                                       "\nset prefix=($dev)/root/boot/grub2\nexport $prefix\n"
                                       "configfile $prefix/grub.cfg\n");
    std::vector<std::uint8_t> xfs_fs = xfs.xfs(32, "-L XFSBOOT");
    if (xfs_fs.empty()) GTEST_SKIP() << "XFS images need root for a loop mount";
    std::vector<std::uint8_t> btrfs_fs = btr.btrfs(32, std::string("-L fedora -U ") + kBtrfsUuid);
    ASSERT_FALSE(btrfs_fs.empty());
    r.add(sim::gpt_disk("xvda", {{1, "ef00", esp.fat(2048)}, {2, "8300", btrfs_fs}, {3, "8300", xfs_fs}}));
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("GRUB config (hd0,gpt1)/EFI/fedora/grub.cfg"), std::string::npos) << out;
    EXPECT_NE(out.find("Booting 'xfs and btrfs'"), std::string::npos) << out;
    r.expect_booted(out, r.initrd);
}

TEST(GrubBoot, UbuntuStubSearchesTheSeparateBootPartition) {
    Grub r;
    ImageDir root;
    root.mkdir("boot");  // the mount point of p16: empty on the root fs
    root.put("etc/hostname", "ubuntu\n");
    ImageDir boot;
    boot.put("grub/grub.cfg", fixture("ubuntu/boot/grub/grub.cfg"));
    boot.put("vmlinuz-6.8.0-51-generic", sim::gzip_bytes(r.image));  // Ubuntu's kernels are gzip'd Images
    boot.put("initrd.img-6.8.0-51-generic", r.initrd);
    ImageDir esp;
    esp.put("EFI/ubuntu/grub.cfg", fixture("ubuntu/esp/EFI/ubuntu/grub.cfg"));
    r.add(sim::gpt_disk("xvda", {{1, "8300", root.ext4_with(8, std::string("-L cloudimg-rootfs -U ") + kRootUuid)},
                                 {15, "ef00", esp.fat(2048)},
                                 {16, "ea00", boot.ext4_with(8, std::string("-L BOOT -U ") + kBootUuid)}}));
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("GRUB config (hd0,gpt15)/EFI/ubuntu/grub.cfg"), std::string::npos) << out;
    EXPECT_NE(out.find("Retrieving kernel: /vmlinuz-6.8.0-51-generic"), std::string::npos) << out;
    r.expect_booted(out, r.initrd);
}

TEST(GrubBoot, FedoraBlsBootsTheSavedEntry) {
    Grub r;
    const std::string mid = "8e3b2b1c0a5d4e6f9a7b6c5d4e3f2a1b";
    ImageDir boot;
    boot.put("grub2/grub.cfg", fixture("fedora-bls/boot/grub2/grub.cfg"));
    boot.put("grub2/grubenv", fixture("fedora-bls/boot/grub2/grubenv"));
    for (const char* v : {"6.8.5-301.fc40.aarch64", "6.7.11-200.fc40.aarch64"}) {
        const std::string conf = "loader/entries/" + mid + "-" + v + ".conf";
        boot.put(conf, fixture("fedora-bls/boot/" + conf));
    }
    boot.put("vmlinuz-6.8.5-301.fc40.aarch64", sim::gzip_bytes(r.image));
    boot.put("initramfs-6.8.5-301.fc40.aarch64.img", r.initrd);
    ImageDir esp;
    esp.put("EFI/fedora/grub.cfg", fixture("fedora-bls/esp/EFI/fedora/grub.cfg"));
    r.add(sim::gpt_disk("xvda",
                        {{1, "ef00", esp.fat(2048)}, {2, "8300", boot.ext4_with(8, std::string("-U ") + kBootUuid)}}));
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Booting 'Fedora Linux (6.8.5-301.fc40.aarch64) 40 (Cloud Edition)'"), std::string::npos) << out;
    r.expect_booted(out, r.initrd);
}

TEST(GrubBoot, ScanListSelectBoot) {
    Grub r;
    r.add(sim::gpt_disk("xvda", debian_parts(r)));
    int rc = -1;
    std::string out = r.run("bootflow scan", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_TRUE(r.handoff.calls.empty()) << out;
    out = r.run("bootflow list", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("  0  grub      ready   pvblock 0:1  ext4   /boot/grub/grub.cfg"), std::string::npos) << out;
    EXPECT_NE(out.find("  1  grub      ready   pvblock 0:f  fat    /EFI/debian/grub.cfg"), std::string::npos) << out;
    EXPECT_NE(out.find("0: Debian GNU/Linux  (default)"), std::string::npos) << out;
    EXPECT_NE(out.find("1>1: Debian GNU/Linux, with Linux 6.1.0-28-cloud-arm64 (recovery mode)"), std::string::npos)
        << out;
    out = r.run("bootflow boot", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("no bootflow selected"), std::string::npos) << out;
    out = r.run("bootflow select 1; bootflow info", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("File:      /EFI/debian/grub.cfg"), std::string::npos) << out;
    out = r.run("bootflow boot", &rc);
    ASSERT_EQ(rc, 0) << out;
    r.expect_booted(out, r.initrd);
}

TEST(GrubBoot, ATypedEntryNumberBootsTheRecoveryEntry) {
    Grub r;
    r.add(sim::gpt_disk("xvda", debian_parts(r)));
    // An operator typing in the menu: the recovery entry of the submenu.
    r.guest.backend.type("1>1\r");
    r.guest.backend.service();
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Booting 'Debian GNU/Linux, with Linux 6.1.0-28-cloud-arm64 (recovery mode)'"),
              std::string::npos)
        << out;
    EXPECT_NE(r.handoff.chosen("bootargs").find(" single"), std::string::npos) << r.handoff.chosen("bootargs");
}

TEST(GrubBoot, BadConfigsFallThroughToTheNextCandidate) {
    Grub r;
    ImageDir bad;
    bad.put("EFI/a-braces/grub.cfg", "menuentry 'broken' {\n  linux /vmlinuz\n");
    bad.put("EFI/b-loop/grub.cfg", "configfile /EFI/b-loop/grub.cfg\n");
    bad.put("EFI/c-nokernel/grub.cfg", "set timeout=0\nmenuentry 'gone' {\n  linux /no/such/vmlinuz ro\n}\n");
    bad.put("EFI/d-nosearch/grub.cfg",
            "set timeout=0\nsearch --no-floppy --fs-uuid --set=root 00000000-dead-beef-0000-000000000000\n"
            "menuentry 'nowhere' {\n  linux /boot/vmlinuz-6.1.0-28-cloud-arm64\n}\n");
    std::vector<GptVolume> parts = debian_parts(r);
    // The bad ESP is p2 and the root becomes p3, so the bad configs come first in the scan.
    parts.insert(parts.begin(), GptVolume{2, "ef00", bad.fat(2048)});
    parts[1].number = 3;
    r.add(sim::gpt_disk("xvda", parts));
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("/EFI/a-braces/grub.cfg: "), std::string::npos) << out;
    EXPECT_NE(out.find("/EFI/b-loop/grub.cfg: "), std::string::npos) << out;
    EXPECT_NE(out.find("/EFI/c-nokernel/grub.cfg: "), std::string::npos) << out;
    EXPECT_NE(out.find("/EFI/d-nosearch/grub.cfg: "), std::string::npos) << out;
    EXPECT_NE(out.find("GRUB config (hd0,gpt3)/boot/grub/grub.cfg"), std::string::npos) << out;
    EXPECT_NE(out.find("Booting 'Debian GNU/Linux'"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"})) << out;
}

}  // namespace
