// bootflow scan's network step (bootflow/pxe_method.h) on the simulated
// network (tests/sim/pxe_rig.h): a guest with no disk and a vif gets a lease,
// finds its pxelinux.cfg and boots it; the pxe bootflow in `bootflow list`,
// `bootflow boot`; a disk that boots means no DHCP at all; a DHCP server that
// never answers is a line in the "Tried:" list, after DHCP's own deadline.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "arch/host/virtual_clock.h"
#include "tests/sim/disk_images.h"
#include "tests/sim/pxe_rig.h"

namespace {

using namespace xb;

const char* const kConf =
    "default net\n"
    "label net\n  kernel Image\n  initrd initrd\n  append console=hvc0 from=pxe\n";

struct NetScan : sim::PxeRig {
    std::vector<std::uint8_t> image = sim::make_arm64_image(200 * 1024 + 3, 21);
    std::vector<std::uint8_t> initrd = std::vector<std::uint8_t>(40000, 0x5a);
    NetScan() {
        tftp.files["boot/Image"] = image;
        tftp.files["boot/initrd"] = initrd;
        tftp.put("boot/pxelinux.cfg/default", kConf);
        peer.dhcp.file_field = "boot/pxelinux.0";
        handoff.snapshot_bytes = image.size();
    }
};

TEST(PxeScan, DisklessGuestWithAVifBootsFromTheNetwork) {
    NetScan r;
    int rc = -1;
    const std::string out = r.run("bootflow scan -lb", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out.rfind("Scanning for bootflows in all pvblock disks, then eth0\n"
                        "Seq  Method    State   Part         FS     Name\n"
                        "---  --------  ------  -----------  -----  --------------------------------\n"
                        "DHCP client bound to address 10.9.0.50\n",
                        0),
              0U)
        << out;
    EXPECT_NE(out.find("Retrieving file: boot/pxelinux.cfg/default\n"
                       "Config file 'boot/pxelinux.cfg/default' found\n"
                       "  0  pxe       ready   eth0         tftp   boot/pxelinux.cfg/default\n"
                       "Found boot/pxelinux.cfg/default on eth0 (tftp from 10.9.0.3)\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(r.peer.discovers, 1U);
    EXPECT_EQ(r.var("ipaddr"), "10.9.0.50");
    EXPECT_EQ(r.var("bootfile"), "boot/pxelinux.0");
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"}));
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(std::memcmp(r.at(r.layout.ramdisk), r.initrd.data(), r.initrd.size()), 0);
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("console=hvc0 from=pxe") + '\0');
    ASSERT_NE(r.services.bootflows, nullptr);
    EXPECT_EQ(r.services.bootflows->flow[0].state, cmd::Bootflow::State::booted);
}

TEST(PxeScan, ListedThenBootedWithBootflowBoot) {
    NetScan r;
    int rc = -1;
    std::string out = r.run("bootflow scan", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_FALSE(r.handoff.booted());
    out = r.run("bootflow list", &rc);
    EXPECT_EQ(out,
              "Seq  Method    State   Part         FS     Name\n"
              "---  --------  ------  -----------  -----  --------------------------------\n"
              "  0  pxe       ready   eth0         tftp   boot/pxelinux.cfg/default\n"
              "       1: net  (default)\n"
              "---  --------  ------  -----------  -----  --------------------------------\n"
              "(1 bootflow, none selected)\n");
    out = r.run("bootflow select 0; bootflow info", &rc);
    EXPECT_EQ(out,
              "Selected bootflow 0: pxe boot/pxelinux.cfg/default on eth0\n"
              "Method:    pxe\nVolume:    eth0 (tftp)\nFile:      boot/pxelinux.cfg/default\nEntries:   1\n");
    // The config area may have been reused since: `bootflow boot` fetches it again.
    std::memset(r.at(r.layout.pxefile), 0xee, 4096);
    out = r.run("bootflow boot", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(
        out.rfind("Retrieving file: boot/pxelinux.cfg/default\nBooting boot/pxelinux.cfg/default on eth0 (tftp)\n", 0),
        0U)
        << out;
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(r.peer.discovers, 1U);  // the lease from the scan is kept
}

TEST(PxeScan, ADiskThatBootsMeansNoDhcpAtAll) {
    NetScan r;
    sim::ImageDir dir;
    dir.put("extlinux/extlinux.conf", "label disk\n  kernel /Image\n  append from=disk\n");
    dir.put("Image", r.image);
    auto disk = sim::MemBlockDevice::from_image("xvda", 512, dir.fat(2048));
    r.add_disk(disk);
    int rc = -1;
    const std::string out = r.run("bootflow scan -lb", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Found /extlinux/extlinux.conf on pvblock 0:0 (fat)"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("from=disk") + '\0');
    EXPECT_TRUE(r.link_a.sent.empty());  // not one frame: no DHCP, no TFTP
    EXPECT_EQ(r.peer.discovers, 0U);
    EXPECT_TRUE(r.tftp.asked.empty());
}

TEST(PxeScan, ADiskThatFailsFallsThroughToTheNetwork) {
    NetScan r;
    sim::ImageDir dir;
    dir.put("extlinux/extlinux.conf", "label disk\n  kernel /missing\n");
    auto disk = sim::MemBlockDevice::from_image("xvda", 512, dir.fat(2048));
    r.add_disk(disk);
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Found boot/pxelinux.cfg/default on eth0"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.kernel, r.image);
}

TEST(PxeScan, NoDhcpAnswerIsATriedLineAfterDhcpsDeadline) {
    NetScan r;
    r.peer.dhcp.enabled = false;
    const std::uint64_t t0 = arch::virtual_clock::now();
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    const std::uint64_t took_ms = (arch::virtual_clock::now() - t0) / 1000;
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("bootflow: nothing booted. Tried:\n"
                       "  no pvblock disks (is there a disk line in the xl config?)\n"
                       "  eth0: dhcp: no DHCPOFFER"),
              std::string::npos)
        << out;
    EXPECT_GE(took_ms, 10000U);
    EXPECT_LE(took_ms, 12000U);
    EXPECT_TRUE(r.tftp.asked.empty());
    EXPECT_FALSE(r.handoff.booted());
}

TEST(PxeScan, NoConfigOnTheServerIsATriedLine) {
    NetScan r;
    r.tftp.files.clear();
    int rc = -1;
    const std::string out = r.run("bootflow scan -b", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("Tried:\n  no pvblock disks (is there a disk line in the xl config?)\n"
                       "  eth0 (pxe): no pxelinux.cfg file found on 10.9.0.3 (tried 13 names)\n"),
              std::string::npos)
        << out;
}

TEST(PxeScan, AnAddressAlreadySetSkipsDhcp) {
    NetScan r;
    int rc = -1;
    const std::string out =
        r.run("setenv ipaddr 10.9.0.7; setenv serverip 10.9.0.3; setenv bootfile boot/x; bootflow scan -b", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(r.peer.discovers, 0U);
    EXPECT_EQ(r.handoff.kernel, r.image);
}

}  // namespace
