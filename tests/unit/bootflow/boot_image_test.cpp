// bootm through the shell on simulated guest RAM (tests/sim/boot_rig.h): FIT
// images and legacy uImages made by mkimage reach the same hand-off as booti,
// with the kernel bytes, the initrd and the device tree the kernel would find;
// a broken hash boots nothing. Also booti with a uInitrd.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/sim/boot_rig.h"
#include "tests/sim/fit_files.h"

namespace {

using namespace xb;
using sim::BootRig;
using sim::hex;

constexpr std::uint64_t kMiB = 1ULL << 20;

struct Bootm : BootRig {
    sim::FitParts parts = sim::fit_parts();
    Bootm() {
        handoff.snapshot_bytes = parts.image.size();
        set_layout();
    }
    std::uint64_t put(const std::vector<std::uint8_t>& bytes, std::uint64_t addr) {
        std::memcpy(at(addr), bytes.data(), bytes.size());
        return addr;
    }
    std::uint64_t var_hex(const char* name) const { return std::stoull(var(name), nullptr, 16); }
};

bool have_tools() { return sim::have_tool("mkimage") && sim::have_tool("dtc") && sim::have_tool("gzip"); }

TEST(Bootm, FitWithKernelRamdiskAndFdt) {
    if (!have_tools()) GTEST_SKIP() << "mkimage, dtc or gzip missing";
    Bootm r;
    const std::vector<std::uint8_t> fit = sim::make_fit(r.parts, "gzip", "");
    ASSERT_FALSE(fit.empty());
    const std::uint64_t addr = r.put(fit, r.base() + 8 * kMiB);
    r.run("setenv bootargs root=/dev/xvda1");
    int rc = -1;
    const std::string out = r.run("bootm " + hex(addr), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("## Loading kernel from FIT Image at " + hex(addr) +
                       " ...\n   Using 'conf-1' configuration\n   Verifying Hash Integrity ... OK (4 hash nodes)\n"
                       "   Trying 'kernel-1' kernel subimage\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("   Uncompressing kernel (gzip) ... OK"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.kernel, r.parts.image);
    // The initrd stays inside the FIT, where the kernel is told it is.
    const std::uint64_t start = r.handoff.chosen_u64("linux,initrd-start");
    const std::uint64_t end = r.handoff.chosen_u64("linux,initrd-end");
    ASSERT_GT(start, addr);
    EXPECT_EQ(end - start, r.parts.initrd.size());
    EXPECT_EQ(0, std::memcmp(r.at(start), r.parts.initrd.data(), r.parts.initrd.size()));
    // The FIT's device tree, copied with room, with bootargs set.
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("root=/dev/xvda1") + '\0');
    ASSERT_FALSE(r.handoff.tree.empty());
    EXPECT_STREQ(static_cast<const char*>(fdt_getprop(r.handoff.tree.data(), 0, "compatible", nullptr)),
                 "xenboot,fit-test");
}

TEST(Bootm, ConfigurationAndArgumentsOverrideTheFit) {
    if (!have_tools()) GTEST_SKIP() << "mkimage, dtc or gzip missing";
    Bootm r;
    const std::uint64_t addr = r.put(sim::make_fit(r.parts, "none", ""), r.base() + 8 * kMiB);
    int rc = -1;
    // conf-2: the kernel alone; the device tree is xenboot's.
    std::string out = r.run("bootm " + hex(addr) + "#conf-2", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Using 'conf-2' configuration"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.kernel, r.parts.image);
    EXPECT_EQ(r.handoff.dtb, r.sys.dtb_copy);
    bool found = true;
    r.handoff.chosen("linux,initrd-start", &found);
    EXPECT_FALSE(found);
}

TEST(Bootm, NoRamdiskWithDashAndLoadAddressFallback) {
    if (!have_tools()) GTEST_SKIP() << "mkimage, dtc or gzip missing";
    Bootm r;
    // load/entry outside this guest's RAM: kernel_addr_r is used, with a note.
    const std::uint64_t addr =
        r.put(sim::make_fit(r.parts, "none", "load = <0x80080000>; entry = <0x80080000>;"), r.base() + 8 * kMiB);
    int rc = -1;
    const std::string out = r.run("bootm " + hex(addr) + " - " + hex(r.sys.dtb_copy), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Load address 0x80080000 is not usable here"), std::string::npos) << out;
    EXPECT_NE(out.find("Loading Kernel Image to " + hex(r.var_hex("kernel_addr_r")) + "\n"), std::string::npos) << out;
    bool found = true;
    r.handoff.chosen("linux,initrd-start", &found);
    EXPECT_FALSE(found);
    EXPECT_EQ(r.handoff.dtb, r.sys.dtb_copy);
}

TEST(Bootm, AFitLoadedAtLoadaddrUnpacksAfterItself) {
    if (!have_tools()) GTEST_SKIP() << "mkimage, dtc or gzip missing";
    Bootm r;
    // U-Boot's habit: load the FIT to $loadaddr, which is kernel_addr_r here.
    const std::uint64_t addr = r.put(sim::make_fit(r.parts, "gzip", ""), r.var_hex("kernel_addr_r"));
    r.run("setenv loadaddr " + r.var("kernel_addr_r"));
    int rc = -1;
    const std::string out = r.run("bootm", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("lies inside the image; using 0x"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.kernel, r.parts.image);
    const std::uint64_t start = r.handoff.chosen_u64("linux,initrd-start");
    EXPECT_EQ(0, std::memcmp(r.at(start), r.parts.initrd.data(), r.parts.initrd.size()));
    EXPECT_GT(start, addr);
}

TEST(Bootm, ABrokenHashBootsNothing) {
    if (!have_tools()) GTEST_SKIP() << "mkimage, dtc or gzip missing";
    Bootm r;
    std::vector<std::uint8_t> fit = sim::make_fit(r.parts, "none", "");
    // A byte in the middle of the kernel's data.
    const std::string img(r.parts.image.begin(), r.parts.image.end());
    const std::size_t at = std::string(fit.begin(), fit.end()).find(img.substr(0, 4096));
    ASSERT_NE(at, std::string::npos);
    fit[at + 5000] ^= 0xff;
    const std::uint64_t addr = r.put(fit, r.base() + 8 * kMiB);
    int rc = -1;
    const std::string out = r.run("bootm " + hex(addr), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("bootm: FIT image 'kernel-1' hash node 'hash-1': sha256 mismatch\n"), std::string::npos) << out;
    EXPECT_TRUE(r.handoff.calls.empty());
    EXPECT_TRUE(r.untouched(r.var_hex("kernel_addr_r"), 64 * 1024));
}

TEST(Bootm, LegacyUImageKernelAndUInitrd) {
    if (!have_tools()) GTEST_SKIP() << "mkimage, dtc or gzip missing";
    Bootm r;
    const std::uint64_t k = r.put(sim::make_uimage(r.parts.image, "kernel", "gzip"), r.base() + 8 * kMiB);
    const std::vector<std::uint8_t> rd = sim::make_uimage(r.parts.initrd, "ramdisk", "none", "0");
    const std::uint64_t i = r.put(rd, r.base() + 12 * kMiB);
    int rc = -1;
    const std::string out = r.run("bootm " + hex(k) + " " + hex(i), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("## Booting kernel from Legacy Image at " + hex(k) +
                       " ...\n   Image Name:   xenboot-test\n   Image Type:   kernel (gzip)\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("## Loading init Ramdisk from Legacy Image at " + hex(i)), std::string::npos) << out;
    EXPECT_EQ(r.handoff.kernel, r.parts.image);
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-start"), i + 64);
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-end"), i + 64 + r.parts.initrd.size());
}

TEST(Bootm, BootiTakesAUInitrdWithoutSize) {
    if (!have_tools()) GTEST_SKIP() << "mkimage, dtc or gzip missing";
    Bootm r;
    const std::uint64_t k = r.put(r.parts.image, r.base() + 2 * kMiB);
    const std::uint64_t i = r.put(sim::make_uimage(r.parts.initrd, "ramdisk", "none", "0"), r.base() + 12 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " " + hex(i), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-start"), i + 64);
    // A uImage kernel given as the initrd is refused.
    Bootm r2;
    const std::uint64_t k2 = r2.put(r2.parts.image, r2.base() + 2 * kMiB);
    const std::uint64_t u = r2.put(sim::make_uimage(r2.parts.image, "kernel", "none"), r2.base() + 12 * kMiB);
    out = r2.run("booti " + hex(k2) + " " + hex(u), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: initrd at 0x" + hex(u) + ": uImage 'xenboot-test' is a kernel image, not a ramdisk"),
              std::string::npos)
        << out;
}

TEST(BootmErrors, WhatIsNotAnImage) {
    Bootm r;
    const std::uint64_t k = r.put(r.parts.image, r.base() + 2 * kMiB);
    int rc = -1;
    EXPECT_EQ(r.run("bootm " + hex(k), &rc),
              "bootm: no FIT or legacy uImage at 0x" + hex(k) + " (for a plain arm64 Image or Image.gz use booti)\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(r.run("bootm " + hex(k) + "#conf-1"), "bootm: #conf-1: only a FIT image has configurations\n");
    // No address: $loadaddr, as in U-Boot; unset, a usage error.
    r.run("setenv loadaddr " + hex(k + 0x100000));
    EXPECT_NE(r.run("bootm").find("bootm: no FIT or legacy uImage at 0x" + hex(k + 0x100000)), std::string::npos);
    r.run("setenv loadaddr");
    EXPECT_NE(r.run("bootm").find("bootm: expects an image address ($loadaddr is unset)"), std::string::npos);
    EXPECT_TRUE(r.handoff.calls.empty());
}

}  // namespace
