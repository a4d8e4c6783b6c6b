// booti through the shell on simulated guest RAM (tests/sim/boot_rig.h), with
// a hand-off that records release_xen / enter_kernel: where the kernel was
// moved and that its bytes arrived intact, Image.gz inflation, EFI zboot and
// Image.zst kernels (made by the real tools), the /chosen
// fixups the kernel sees, and errors that leave the guest untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "tests/sim/boot_rig.h"
#include "tests/sim/kernel_files.h"

namespace {

using namespace xb;
using sim::BootRig;
using sim::hex;

constexpr std::uint64_t kMiB = 1ULL << 20;

struct Booti : BootRig {
    std::vector<std::uint8_t> image = sim::make_arm64_image(300 * 1024, 7);

    Booti() { handoff.snapshot_bytes = image.size(); }
    std::uint64_t put(const std::vector<std::uint8_t>& bytes, std::uint64_t addr) {
        std::memcpy(at(addr), bytes.data(), bytes.size());
        return addr;
    }
    void expect_no_handoff(const std::string& out) {
        EXPECT_TRUE(handoff.calls.empty()) << out;
        EXPECT_FALSE(ctx.stop);
        EXPECT_EQ(out.find("Starting kernel"), std::string::npos) << out;
    }
};

TEST(Booti, MovesAnUnalignedImageToTheLowest2MiBBoundaryAndJumps) {
    Booti r;
    const std::uint64_t loaded = r.put(r.image, r.base() + 5 * kMiB + 0x1040);
    int rc = -1;
    std::string out = r.run("booti " + hex(loaded), &rc);
    EXPECT_EQ(rc, 0) << out;
    // [base, base + 1 MiB) is reserved: the lowest 2 MiB-aligned free place.
    EXPECT_EQ(r.handoff.entry, r.base() + 2 * kMiB);
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"}));
    EXPECT_EQ(r.handoff.dtb, r.sys.dtb_copy);
    EXPECT_TRUE(r.ctx.stop);
    EXPECT_NE(out.find("## Kernel at 0x" + hex(loaded) + ": arm64 Image, " + std::to_string(r.image.size() + 0x10000) +
                       " bytes (image_size " + std::to_string(r.image.size() + 0x10000) + ", text_offset 0x0)"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("Moving Image from 0x" + hex(loaded) + " to 0x" + hex(r.base() + 2 * kMiB)), std::string::npos)
        << out;
    // release_xen's log comes after "Starting kernel", before the jump.
    EXPECT_LT(out.find("Starting kernel ..."), out.find("(test) released")) << out;
    EXPECT_NE(out.find("xenboot: boot time: init "), std::string::npos) << out;
}

TEST(Booti, OverlappingMoveKeepsTheBytes) {
    Booti r;
    const std::uint64_t loaded = r.put(r.image, r.base() + 2 * kMiB + 0x3000);  // overlaps its new place
    int rc = -1;
    std::string out = r.run("booti " + hex(loaded), &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.entry, r.base() + 2 * kMiB);
    EXPECT_EQ(r.handoff.kernel, r.image);
}

TEST(Booti, AlignedImageRunsInPlace) {
    Booti r;
    const std::uint64_t loaded = r.put(r.image, r.base() + 2 * kMiB);
    std::string out = r.run("booti " + hex(loaded));
    EXPECT_EQ(r.handoff.entry, loaded);
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(out.find("Moving Image"), std::string::npos) << out;
}

TEST(Booti, InflatesImageGz) {
    Booti r;
    const cmd::BootLayout l = r.set_layout();
    const auto gz = sim::gzip_bytes(r.image);
    ASSERT_LT(gz.size(), r.image.size());
    const std::uint64_t loaded = r.put(gz, r.base() + 5 * kMiB + 0x40);
    int rc = -1;
    std::string out = r.run("booti " + hex(loaded), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("   Uncompressed " + std::to_string(r.image.size()) + " bytes in "), std::string::npos) << out;
    EXPECT_EQ(r.handoff.entry, l.kernel);
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"}));
    // The compressed copy went to $kernel_comp_addr_r.
    EXPECT_EQ(std::memcmp(r.at(l.kernel_comp), gz.data(), gz.size()), 0);
}

TEST(Booti, InflatesImageGzLoadedAtKernelAddrR) {
    Booti r;
    const cmd::BootLayout l = r.set_layout();
    const std::uint64_t loaded = r.put(sim::gzip_bytes(r.image), l.kernel);
    int rc = -1;
    std::string out = r.run("booti $kernel_addr_r", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.entry, loaded);
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(out.find("Moving Image"), std::string::npos) << out;
}

// A zboot file made by tests/tools/make-zboot.py: the payload is the Image
// padded to image_size, which is what booti then places and runs.
void expect_zboot_boots(const char* method, const std::string& label) {
    Booti r;
    const cmd::BootLayout l = r.set_layout();
    const auto file = sim::make_zboot(r.image, method);
    ASSERT_FALSE(file.empty());
    const std::uint64_t padded = r.image.size() + 0x10000;
    const std::uint64_t loaded = r.put(file, r.base() + 5 * kMiB + 0x40);
    int rc = -1;
    std::string out = r.run("booti " + hex(loaded), &rc);
    ASSERT_EQ(rc, 0) << out;
    const std::string payload = std::to_string(file.size() - 0x200 - (std::string(method) == "gzip" ? 0 : 4));
    EXPECT_NE(out.find(label + " kernel: " + payload + " -> " + std::to_string(padded) + " bytes\n"), std::string::npos)
        << out;
    EXPECT_NE(out.find("## Kernel at 0x" + hex(loaded) + ": arm64 Image, " + std::to_string(padded) + " bytes"),
              std::string::npos)
        << out;
    EXPECT_EQ(r.handoff.entry, l.kernel);
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"}));
    // The padding (the Image's bss) was written as zeros.
    EXPECT_TRUE(
        std::all_of(r.at(l.kernel + r.image.size()), r.at(l.kernel + padded), [](std::uint8_t b) { return b == 0; }));
}

TEST(Booti, BootsAZbootGzipKernel) { expect_zboot_boots("gzip", "zboot (gzip)"); }
TEST(Booti, BootsAZbootZstdKernel) { expect_zboot_boots("zstd", "zboot (zstd)"); }

TEST(Booti, BootsAnImageZst) {
    Booti r;
    const cmd::BootLayout l = r.set_layout();
    const auto zst = sim::compress_with_tool(r.image, "zstd");
    const std::uint64_t loaded = r.put(zst, r.base() + 5 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(loaded), &rc);
    ASSERT_EQ(rc, 0) << out;
    // A raw file's compressed size shown is $kernel_comp_size (the area).
    EXPECT_NE(out.find("Image.zst kernel: " + std::to_string(l.kernel_comp_size) + " -> " +
                       std::to_string(r.image.size()) + " bytes\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(r.handoff.entry, l.kernel);
    EXPECT_EQ(r.handoff.kernel, r.image);
}

TEST(BootiErrors, ZbootPayloadBeyondKernelCompSizeIsRefusedBeforeAnyCopy) {
    Booti r;
    const cmd::BootLayout l = r.set_layout();
    const auto file = sim::make_zboot(r.image, "zstd");
    const std::uint64_t k = r.put(file, r.base() + 5 * kMiB);
    r.run("setenv kernel_comp_size " + hex(file.size() - 1));  // cuts the appended size
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(
        out.find("booti: kernel at 0x" + hex(k) + ": zboot: payload at 0x200, " + std::to_string(file.size() - 0x204) +
                 " bytes + 4-byte size, outside the " + std::to_string(file.size() - 1) + "-byte file"),
        std::string::npos)
        << out;
    r.expect_no_handoff(out);
    EXPECT_TRUE(r.untouched(l.kernel_comp, kMiB));
}

TEST(BootiErrors, ZbootWithABadPayloadPutsTheFileBack) {
    Booti r;
    r.set_layout();
    auto file = sim::make_zboot(r.image, "gzip");
    for (std::size_t i = 0x300; i < 0x340; ++i) file[i] ^= 0xa5;  // inside the deflate data
    const std::uint64_t k = r.put(file, r.base() + 5 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: decompressing zboot (gzip): corrupt gzip data at input byte "), std::string::npos)
        << out;
    r.expect_no_handoff(out);
    EXPECT_EQ(std::memcmp(r.at(k), file.data(), file.size()), 0);
}

TEST(Booti, InitrdAndBootargsReachChosen) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 5 * kMiB + 0x1040);
    const std::uint64_t initrd = r.base() + 16 * kMiB;
    r.run("setenv bootargs 'root=/dev/xvda1 rw quiet'");
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " " + hex(initrd) + ":12345", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("## Initrd at 0x" + hex(initrd) + ", 74565 bytes"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-start"), initrd);
    EXPECT_EQ(r.handoff.chosen_u64("linux,initrd-end"), initrd + 0x12345);
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("root=/dev/xvda1 rw quiet") + '\0');
}

TEST(Booti, WithoutBootargsXensAreKeptAndNoInitrdLeavesNone) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " -", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("console=hvc0 from-xen") + '\0');
    bool found = true;
    r.handoff.chosen("linux,initrd-start", &found);
    EXPECT_FALSE(found);
}

TEST(Booti, KernelIsPlacedClearOfTheInitrd) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 9 * kMiB + 0x40);
    const std::uint64_t initrd = r.base() + 2 * kMiB;  // where the kernel would go otherwise
    std::vector<std::uint8_t> rd(3 * kMiB, 0x5a);
    r.put(rd, initrd);
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " " + hex(initrd) + ":" + hex(rd.size()), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.entry, r.base() + 6 * kMiB);  // the first 2 MiB boundary past the initrd
    EXPECT_EQ(r.handoff.kernel, r.image);
    EXPECT_TRUE(std::all_of(r.at(initrd), r.at(initrd) + rd.size(), [](std::uint8_t b) { return b == 0x5a; }));
}

TEST(Booti, UserDeviceTreeGetsTheFixups) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    const std::uint64_t tree = r.base() + 20 * kMiB;
    ASSERT_TRUE(fdt::copy_to(r.at(r.sys.dtb_copy), r.at(tree), 0x10000).ok());
    r.run("setenv bootargs hello");
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " - " + hex(tree), &rc);
    ASSERT_EQ(rc, 0) << out;
    // As U-Boot relocates it: the kernel gets a copy in xenboot's heap with
    // room for the fixups; the loaded tree is left as it was.
    EXPECT_NE(r.handoff.dtb, tree);
    EXPECT_NE(out.find("## Flattened Device Tree blob at 0x" + hex(tree) + "\n   Loading Device Tree to 0x" +
                       hex(r.handoff.dtb) + ", end 0x"),
              std::string::npos)
        << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("hello") + '\0');
    EXPECT_EQ(fdt_totalsize(r.at(tree)), 0x10000u);
    const int chosen = fdt_path_offset(r.at(tree), "/chosen");
    EXPECT_EQ(fdt_getprop(r.at(tree), chosen, "linux,initrd-start", nullptr), nullptr);
    EXPECT_STRNE(static_cast<const char*>(fdt_getprop(r.at(tree), chosen, "bootargs", nullptr)), "hello");
}

TEST(Booti, TightLoadedDeviceTreeGetsRoom) {
    // A tree exactly as dtc leaves it (no free space), as an extlinux fdt
    // line loads it: before, /chosen failed with "device tree full".
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    const std::uint64_t tree = r.base() + 20 * kMiB;
    ASSERT_TRUE(fdt::copy_to(r.at(r.sys.dtb_copy), r.at(tree), 0x10000).ok());
    ASSERT_EQ(fdt_pack(r.at(tree)), 0);
    const std::uint32_t tight = fdt_totalsize(r.at(tree));
    const std::string args(1500, 'a');
    r.run("setenv bootargs " + args);
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " - " + hex(tree), &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), args + '\0');
    EXPECT_EQ(fdt_totalsize(r.at(tree)), tight);
}

// ---- errors: status 1, a message, no hand-off, the guest untouched.

TEST(BootiErrors, BadMagic) {
    Booti r;
    r.image[0x38] = 'X';
    const std::uint64_t k = r.put(r.image, r.base() + 5 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: kernel at 0x" + hex(k) + ": not an arm64 Image: bad magic at 0x38 (got 58 52 4d 64"),
              std::string::npos)
        << out;
    r.expect_no_handoff(out);
    EXPECT_TRUE(r.untouched(r.base() + 2 * kMiB, 2 * kMiB));
}

TEST(BootiErrors, BigEndianKernel) {
    Booti r;
    r.image = sim::make_arm64_image(4096, 3, 0, 0x3);
    const std::uint64_t k = r.put(r.image, r.base() + 4 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("big-endian kernel"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

TEST(BootiErrors, TruncatedGzip) {
    Booti r;
    r.set_layout();
    auto gz = sim::gzip_bytes(r.image);
    gz.resize(gz.size() / 2);
    const std::uint64_t k = r.put(gz, r.base() + 5 * kMiB);
    // $kernel_comp_size is the whole area: the guard bytes after the cut are
    // read as deflate data.
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: decompressing Image.gz: "), std::string::npos) << out;  // corrupt or too large: garbage
    r.expect_no_handoff(out);
    // The inflated output went over the loaded file; it is put back, so a
    // second try does not find a partly inflated Image there (and boot it).
    EXPECT_EQ(std::memcmp(r.at(k), gz.data(), gz.size()), 0);
    // Exactly the file: the stream ends early.
    r.run("setenv kernel_comp_size " + hex(gz.size()));
    out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: decompressing Image.gz: truncated gzip data"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

TEST(BootiErrors, GzipWithoutKernelCompVars) {
    Booti r;
    const std::uint64_t k = r.put(sim::gzip_bytes(r.image), r.base() + 5 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: Image.gz at 0x" + hex(k) + ": $kernel_comp_addr_r is not set"), std::string::npos)
        << out;
    r.expect_no_handoff(out);
    r.run("setenv kernel_comp_addr_r " + hex(r.base() + 12 * kMiB));
    out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("$kernel_comp_size is not set"), std::string::npos) << out;
    r.expect_no_handoff(out);
    EXPECT_TRUE(r.untouched(r.base() + 12 * kMiB, kMiB));
}

TEST(BootiErrors, KernelCompAreaInReservedMemoryIsRefused) {
    Booti r;
    const std::uint64_t k = r.put(sim::gzip_bytes(r.image), r.base() + 5 * kMiB);
    r.run("setenv kernel_comp_addr_r " + hex(r.top() - kMiB));  // the "heap"
    r.run("setenv kernel_comp_size 400000");
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("kernel_comp_addr_r area"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

// Issue 14, D9: a $kernel_comp_addr_r area that overlaps the loaded file
// itself, below or above it, is refused before anything is copied, and the
// file stays as it was loaded (a copy made first and a check failing after
// left a file that was partly its own shifted copy).
TEST(BootiErrors, KernelCompAreaOverlappingTheLoadedFileIsRefusedBeforeAnyCopy) {
    for (const bool below : {true, false}) {
        SCOPED_TRACE(below ? "below" : "above");
        Booti r;
        const std::vector<std::uint8_t> gz = sim::gzip_bytes(r.image);
        const std::uint64_t k = r.put(gz, r.base() + 5 * kMiB);
        const std::uint64_t comp = below ? k - 0x10000 : k + 0x10000;
        r.run("setenv kernel_comp_addr_r " + hex(comp));
        r.run("setenv kernel_comp_size 80000");
        int rc = -1;
        std::string out = r.run("booti " + hex(k), &rc);
        EXPECT_EQ(rc, 1);
        EXPECT_NE(out.find("booti: kernel_comp_addr_r area 0x" + hex(comp) + "-0x" + hex(comp + 0x80000 - 1) +
                           " overlaps the compressed kernel at 0x" + hex(k) + "-0x" + hex(k + 0x80000 - 1)),
                  std::string::npos)
            << out;
        r.expect_no_handoff(out);
        EXPECT_EQ(std::memcmp(r.at(k), gz.data(), gz.size()), 0);
        if (below) {
            EXPECT_TRUE(r.untouched(comp, 0x10000));
        }
    }
}

TEST(BootiErrors, InitrdOutsideRam) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " " + hex(r.top() - 0x1000) + ":2000", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: initrd: "), std::string::npos) << out;
    r.expect_no_handoff(out);
    out = r.run("booti " + hex(k) + " " + hex(r.base() + 4 * kMiB) + ":0", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: initrd: size is 0"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

TEST(BootiErrors, InitrdOverXenbootsHeapIsRefused) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    int rc = -1;
    // The top MiB is the rig's "heap" (it holds the device-tree copy): in RAM, not free.
    std::string out = r.run("booti " + hex(k) + " " + hex(r.top() - kMiB) + ":1000", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: initrd: refusing initrd"), std::string::npos) << out;
    EXPECT_NE(out.find("overlaps xenboot's heap"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

TEST(BootiErrors, InitrdWithoutSize) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k) + " " + hex(r.base() + 16 * kMiB), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: initrd at 0x" + hex(r.base() + 16 * kMiB) +
                       " needs a size (initrd_addr:size) or a uImage header (mkimage -T ramdisk)"),
              std::string::npos)
        << out;
    r.expect_no_handoff(out);
}

TEST(BootiErrors, KernelThatCannotBePlaced) {
    Booti r;
    // Free RAM is [base + 1 MiB, top - 1 MiB): 30 MiB, but from the first 2 MiB
    // boundary only 29 MiB. The file itself (at an odd address) lies in RAM.
    r.image = sim::make_arm64_image(4096, 5, 29 * kMiB + 0x80000);
    const std::uint64_t k = r.put(r.image, r.base() + kMiB + 0x1000);
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: placing the kernel: no room for the kernel"), std::string::npos) << out;
    r.expect_no_handoff(out);
    EXPECT_EQ(std::memcmp(r.at(k), r.image.data(), r.image.size()), 0);
}

TEST(BootiErrors, UnparsableArguments) {
    Booti r;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    int rc = -1;
    std::string out = r.run("booti", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("usage: booti kernel_addr"), std::string::npos) << out;
    out = r.run("booti xyz", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: "), std::string::npos) << out;
    EXPECT_NE(out.find("kernel address"), std::string::npos) << out;
    out = r.run("booti " + hex(k) + " zz:100", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("initrd address"), std::string::npos) << out;
    out = r.run("booti " + hex(k) + " 100:qq", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("initrd size"), std::string::npos) << out;
    out = r.run("booti " + hex(k) + " - nothex", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("fdt address"), std::string::npos) << out;
    out = r.run("booti " + hex(k) + " - - 1 2", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("usage: booti"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

TEST(BootiErrors, KernelOutsideRam) {
    Booti r;
    int rc = -1;
    std::string out = r.run("booti " + hex(r.top() + 0x1000), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("kernel header"), std::string::npos) << out;
    r.expect_no_handoff(out);
}

TEST(BootiErrors, NoHandoffOnThisPlatform) {
    Booti r;
    r.services.handoff = nullptr;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("booti: this platform cannot hand off to a kernel"), std::string::npos) << out;
    EXPECT_FALSE(r.ctx.stop);
}

TEST(Booti, HandoffWarningsAreReportedAndTheKernelStillStarts) {
    Booti r;
    r.handoff.warnings_to_report = 2;
    const std::uint64_t k = r.put(r.image, r.base() + 2 * kMiB);
    int rc = -1;
    std::string out = r.run("booti " + hex(k), &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_NE(out.find("xenboot: 2 hand-off warning(s); starting the kernel anyway"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.calls.size(), 2u);
}

}  // namespace
