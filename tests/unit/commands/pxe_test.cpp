// pxe get / pxe boot against the simulated network (tests/sim/pxe_rig.h):
// the pxelinux.cfg search order on the TFTP server, what is left at
// $pxefile_addr_r, and a boot whose kernel and initrd come over TFTP to
// their *_addr_r, checked byte for byte and through the recording hand-off.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/sim/pxe_rig.h"

namespace {

using namespace xb;
using sim::hex;

std::vector<std::uint8_t> bytes_of(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 13 + (i >> 8));
    return v;
}

// Every name `pxe get` tries for 00:16:3e:12:34:56 at 10.9.0.2, in order.
std::vector<std::string> all_names(const std::string& dir = "") {
    std::vector<std::string> v{dir + "pxelinux.cfg/01-00-16-3e-12-34-56"};
    const std::string ip = "0A090002";
    for (std::size_t n = 8; n >= 1; --n) v.push_back(dir + "pxelinux.cfg/" + ip.substr(0, n));
    for (const char* d : {"default-arm-xen-xenguest_arm64", "default-arm-xen", "default-arm", "default"})
        v.push_back(dir + "pxelinux.cfg/" + d);
    return v;
}

std::string retrieving(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += "Retrieving file: " + n + "\n";
    return out;
}

struct Pxe : sim::PxeRig {
    Pxe() { run("setenv ipaddr 10.9.0.2; setenv serverip 10.9.0.3"); }
    // Runs `command`, expecting exit status 0 (with the output if not).
    std::string run_ok(const std::string& command) {
        int rc = -1;
        std::string out = run(command, &rc);
        EXPECT_EQ(rc, 0) << out;
        return out;
    }
    std::string at_pxefile(std::size_t n) const {
        return std::string(reinterpret_cast<const char*>(at(layout.pxefile)), n);
    }
};

// A command that fails before asking the server for anything: exactly
// `message`, exit status 1, and not one TFTP request.
void expect_refused(Pxe& r, const std::string& command, const std::string& message) {
    SCOPED_TRACE(command);
    int rc = -1;
    EXPECT_EQ(r.run(command, &rc), message);
    EXPECT_EQ(rc, 1);
    EXPECT_TRUE(r.tftp.asked.empty());
}

const char* const kMacConf = "default mac\nlabel mac\n  kernel Image\n";
const char* const kDefaultConf = "default other\nlabel other\n  kernel Image\n";

TEST(Pxe, GetPrefersTheMacFileOverDefault) {
    Pxe r;
    r.tftp.put("pxelinux.cfg/01-00-16-3e-12-34-56", kMacConf);
    r.tftp.put("pxelinux.cfg/default", kDefaultConf);
    const std::string out = r.run_ok("pxe get");
    EXPECT_EQ(out,
              "Retrieving file: pxelinux.cfg/01-00-16-3e-12-34-56\n"
              "Config file 'pxelinux.cfg/01-00-16-3e-12-34-56' found\n");
    EXPECT_EQ(r.tftp.asked, std::vector<std::string>{"pxelinux.cfg/01-00-16-3e-12-34-56"});
    // The file, then the NUL `pxe boot` looks for; nothing after it.
    EXPECT_EQ(r.at_pxefile(std::strlen(kMacConf) + 1), std::string(kMacConf) + '\0');
    EXPECT_TRUE(r.untouched(r.layout.pxefile + std::strlen(kMacConf) + 1, 4096));
    EXPECT_EQ(r.var("filesize"), hex(std::strlen(kMacConf)));
}

TEST(Pxe, GetFallsBackToDefaultAfterEveryOtherName) {
    Pxe r;
    r.tftp.put("pxelinux.cfg/default", kDefaultConf);
    const std::string out = r.run_ok("pxe get -4");
    EXPECT_EQ(r.tftp.asked, all_names());
    EXPECT_EQ(out, retrieving(all_names()) + "Config file 'pxelinux.cfg/default' found\n");
    EXPECT_EQ(r.at_pxefile(std::strlen(kDefaultConf) + 1), std::string(kDefaultConf) + '\0');
}

TEST(Pxe, GetNamesAreRelativeToTheBootfilesFolder) {
    Pxe r;
    r.tftp.put("xen/guests/pxelinux.cfg/0A090002", kDefaultConf);
    const std::string out = r.run_ok("setenv bootfile xen/guests/pxelinux.0; pxe get");
    EXPECT_EQ(r.tftp.asked, (std::vector<std::string>{"xen/guests/pxelinux.cfg/01-00-16-3e-12-34-56",
                                                      "xen/guests/pxelinux.cfg/0A090002"}));
}

TEST(Pxe, GetWithNothingOnTheServerSaysWhereAndHowMany) {
    Pxe r;
    int rc = -1;
    const std::string out = r.run("pxe get", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, retrieving(all_names()) +
                       "Config file not found\n"
                       "pxe: no pxelinux.cfg file found on 10.9.0.3 (tried 13 names)\n");
    EXPECT_EQ(r.tftp.asked.size(), 13U);
    EXPECT_TRUE(r.untouched(r.layout.pxefile, 4096));
}

TEST(Pxe, GetWithoutAServerSaysSo) {
    Pxe r;
    expect_refused(r, "setenv serverip; pxe get", "pxe: no TFTP server: set serverip or run dhcp\n");
}

TEST(Pxe, GetWithoutAnAddressSaysSo) {
    Pxe r;
    expect_refused(r, "setenv ipaddr; pxe get", "pxe: no IP address: run dhcp or set ipaddr\n");
    EXPECT_TRUE(r.link_a.sent.empty());
}

TEST(Pxe, BootLoadsKernelAndInitrdOverTftpAndBoots) {
    Pxe r;
    const auto image = sim::make_arm64_image(300 * 1024 + 5, 7);
    const auto initrd = bytes_of(123457, 9);
    r.tftp.files["boot/Image"] = image;
    r.tftp.files["boot/initrd.img"] = initrd;
    r.tftp.put("boot/pxelinux.cfg/default",
               "menu title Network boot\n"
               "default linux\n"
               "label rescue\n  kernel /missing\n"
               "label linux\n  menu label Linux over TFTP\n  kernel Image\n  initrd initrd.img\n"
               "  append console=hvc0 root=/dev/ram0\n");
    r.handoff.snapshot_bytes = image.size();
    int rc = -1;
    std::string out = r.run("setenv bootfile boot/pxelinux.0; pxe get", &rc);
    ASSERT_EQ(rc, 0) << out;
    out = r.run("pxe boot", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Network boot\n1:\trescue\n2:\tLinux over TFTP  (boot)\nBooting label 'linux'\n"
                       "Retrieving file: boot/Image\n" +
                       std::to_string(image.size()) + " bytes read in "),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("Retrieving file: boot/initrd.img\n123457 bytes read in "), std::string::npos) << out;
    EXPECT_EQ(r.tftp.asked.back(), "boot/initrd.img");
    // The bytes at the addresses, and what the kernel gets.
    EXPECT_EQ(std::memcmp(r.at(r.layout.ramdisk), initrd.data(), initrd.size()), 0);
    EXPECT_TRUE(r.untouched(r.layout.ramdisk + initrd.size(), 4096));
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"}));
    EXPECT_EQ(r.handoff.entry, r.layout.kernel);
    EXPECT_EQ(r.handoff.kernel, image);
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-start"), r.layout.ramdisk);
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-end"), r.layout.ramdisk + initrd.size());
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("console=hvc0 root=/dev/ram0") + '\0');
    EXPECT_TRUE(r.ctx.stop);
}

TEST(Pxe, BootFallsBackWhenTheDefaultKernelIsMissing) {
    Pxe r;
    const auto image = sim::make_arm64_image(64 * 1024, 3);
    r.tftp.files["Image"] = image;
    r.tftp.put("pxelinux.cfg/default", "default gone\nlabel gone\n  kernel old-Image\nlabel ok\n  kernel Image\n");
    r.handoff.snapshot_bytes = image.size();
    int rc = -1;
    std::string out = r.run("pxe get; pxe boot " + hex(r.layout.pxefile), &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Retrieving file: old-Image\nlabel 'gone': kernel: tftp: old-Image: server 10.9.0.3: error 1 "
                       "(File not found)\nBooting label 'ok'\nRetrieving file: Image\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(r.handoff.kernel, image);
}

TEST(Pxe, BootRefusesAKernelThatWouldRunIntoTheInitrdArea) {
    Pxe r;
    const std::uint64_t room = r.layout.ramdisk - r.layout.kernel;
    r.tftp.files["Image"] = sim::make_arm64_image(static_cast<std::size_t>(room + 1), 4);
    r.tftp.put("pxelinux.cfg/default", "label big\n  kernel Image\n");
    int rc = -1;
    const std::string out = r.run("pxe get; pxe boot", &rc);
    EXPECT_EQ(rc, 1) << out;
    EXPECT_NE(out.find("kernel Image does not fit at $kernel_addr_r 0x" + hex(r.layout.kernel) + " (" +
                       std::to_string(room) + " bytes before $ramdisk_addr_r)"),
              std::string::npos)
        << out;
    EXPECT_TRUE(r.untouched(r.layout.ramdisk, 4096));
    EXPECT_FALSE(r.handoff.booted());
}

TEST(Pxe, BootWithoutAFetchedFileSaysSo) {
    Pxe r;
    expect_refused(r, "pxe boot",
                   "pxe: no pxe file at 0x" + hex(r.layout.pxefile) + " (no end within 65536 bytes): run 'pxe get'\n");
}

TEST(Pxe, Usage) {
    Pxe r;
    int rc = -1;
    EXPECT_EQ(r.run("pxe get -ipv6", &rc), "pxe: IPv6 is not supported\n");
    EXPECT_EQ(rc, 1);
    EXPECT_NE(r.run("pxe fetch", &rc).find("unknown subcommand 'fetch'"), std::string::npos);
    EXPECT_EQ(rc, 1);
}

}  // namespace
