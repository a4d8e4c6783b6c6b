// U-Boot script images: a golden image made by mkimage, images built here
// with one field broken at a time, and the source command running one from
// guest RAM.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "shell/interpreter.h"
#include "loader/script_image.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

// mkimage -A arm64 -T script -C none -n "test script" -d s.txt s.scr, where
// s.txt is "echo from mkimage\nsetenv sourced yes\n" (u-boot-tools 2023.01).
const std::vector<std::uint8_t> kMkimage = {
    0x27, 0x05, 0x19, 0x56, 0xc3, 0xd9, 0x8d, 0x7c, 0x6b, 0x01, 0x7c, 0xf6, 0x00, 0x00, 0x00, 0x2d, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xf6, 0x56, 0x5d, 0x6e, 0x05, 0x16, 0x06, 0x00, 0x74, 0x65, 0x73, 0x74, 0x20, 0x73,
    0x63, 0x72, 0x69, 0x70, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x25, 0x00, 0x00, 0x00, 0x00, 0x65, 0x63, 0x68, 0x6f,
    0x20, 0x66, 0x72, 0x6f, 0x6d, 0x20, 0x6d, 0x6b, 0x69, 0x6d, 0x61, 0x67, 0x65, 0x0a, 0x73, 0x65, 0x74, 0x65, 0x6e,
    0x76, 0x20, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0x64, 0x20, 0x79, 0x65, 0x73, 0x0a};

void put_be32(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
    v[at] = static_cast<std::uint8_t>(x >> 24);
    v[at + 1] = static_cast<std::uint8_t>(x >> 16);
    v[at + 2] = static_cast<std::uint8_t>(x >> 8);
    v[at + 3] = static_cast<std::uint8_t>(x);
}

// Recomputes both CRCs after a test changed fields (unless told not to).
void fix_crcs(std::vector<std::uint8_t>& img, std::uint32_t data_size) {
    const std::size_t avail = img.size() - 64;
    put_be32(img, 24,
             static_cast<std::uint32_t>(
                 crc32(0, img.data() + 64, static_cast<uInt>(data_size <= avail ? data_size : avail))));
    put_be32(img, 4, 0);
    put_be32(img, 4, static_cast<std::uint32_t>(crc32(0, img.data(), 64)));
}

// An image whose data is the given words and bytes, size field = data size.
std::vector<std::uint8_t> image(const std::vector<std::uint32_t>& table, const std::string& body, std::uint8_t type = 6,
                                std::uint8_t comp = 0) {
    std::vector<std::uint8_t> img(64 + 4 * table.size() + body.size());
    put_be32(img, 0, 0x27051956);
    put_be32(img, 12, static_cast<std::uint32_t>(img.size() - 64));
    img[28] = 5;
    img[29] = 22;
    img[30] = type;
    img[31] = comp;
    memcpy(&img[32], "built", 5);
    for (std::size_t i = 0; i < table.size(); ++i) put_be32(img, 64 + 4 * i, table[i]);
    memcpy(img.data() + 64 + 4 * table.size(), body.data(), body.size());
    fix_crcs(img, static_cast<std::uint32_t>(img.size() - 64));
    return img;
}

std::string parse_error(const std::vector<std::uint8_t>& img) {
    Result<loader::ScriptImage> r = loader::parse_script_image(img);
    return r.ok() ? "ok" : r.error().message();
}

TEST(ScriptImage, ParsesMkimageOutput) {
    Result<loader::ScriptImage> r = loader::parse_script_image(kMkimage);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_STREQ(r.value().name, "test script");
    EXPECT_EQ(r.value().data_size, 0x2du);
    EXPECT_EQ(r.value().script, "echo from mkimage\nsetenv sourced yes\n");
}

TEST(ScriptImage, BuiltImagesParse) {
    const std::vector<std::uint8_t> img = image({4, 8, 0}, std::string("echo\0\0\0\0two parts", 17));
    Result<loader::ScriptImage> r = loader::parse_script_image(img);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value().script, "echo");  // the first part, up to its NUL
}

TEST(ScriptImage, EveryFieldIsChecked) {
    std::vector<std::uint8_t> img = kMkimage;
    img[0] = 0x28;
    EXPECT_EQ(parse_error(img),
              "not a U-Boot image (magic 0x28051956, expected 0x27051956; make one with mkimage -T script)");

    img = kMkimage;
    img[40] ^= 1;  // the name, under the header CRC
    EXPECT_EQ(parse_error(img).substr(0, 22), "image: bad header CRC ");

    img = kMkimage;
    img[100] ^= 1;  // script text, under the data CRC
    EXPECT_EQ(parse_error(img).substr(0, 36), "image 'test script': bad data CRC (0");

    EXPECT_EQ(parse_error(image({4, 0}, "echo", 2)), "image 'built': type 2, not a script (6)");
    EXPECT_EQ(parse_error(image({4, 0}, "echo", 6, 1)), "image 'built': compression 1 (only none, 0, is supported)");
    EXPECT_EQ(parse_error(image({0}, "")), "image 'built': no parts (empty length table)");
    EXPECT_EQ(parse_error(image({4, 5}, "")), "image 'built': part-length table runs past the data (8 bytes)");
    EXPECT_EQ(parse_error(image({100, 0}, "echo")),
              "image 'built': script of 100 bytes at offset 8 overruns the 12-byte data");
    EXPECT_EQ(parse_error(image({0xffffffff, 0}, "echo")),
              "image 'built': script of 4294967295 bytes at offset 8 overruns the 12-byte data");

    img = image({4, 0}, "echo");
    put_be32(img, 12, 1000);  // more data announced than there is
    fix_crcs(img, 1000);
    EXPECT_EQ(parse_error(img), "image 'built': data size 1000 but only 12 bytes follow the header");

    img = kMkimage;
    img.resize(63);
    EXPECT_EQ(parse_error(img), "image: 63 bytes, shorter than the 64-byte header");
}

// The shell with 64 MiB of guest RAM from 0x40000000, where tests put images.
struct SourceRig : sim::ShellRig {
    std::uint8_t* ram = use_guest_ram(64 << 20);
};

TEST(ScriptImage, SourceRunsTheScript) {
    SourceRig rig;
    memcpy(rig.ram + 0x100000, kMkimage.data(), kMkimage.size());
    int status = -1;
    EXPECT_EQ(rig.run("source 40100000 && echo $sourced", &status),
              "## Executing script at 40100000\nfrom mkimage\nyes\n");
    EXPECT_EQ(status, 0);
}

TEST(ScriptImage, SourceRefusesTextAndMemoryOutsideRam) {
    SourceRig rig;
    memcpy(rig.ram + 0x200000, "echo plain text\n", 16);
    int status = -1;
    EXPECT_EQ(rig.run("source 40200000", &status),
              "source: at 0x40200000: not a U-Boot image (magic 0x6563686f, expected 0x27051956; make one with mkimage "
              "-T script)\n");
    EXPECT_EQ(status, 1);
    EXPECT_EQ(rig.run("source 1000", &status), "source: refusing script image header at 0x1000 (+0x40): not in RAM\n");
    // A valid header near the end of RAM announcing data beyond it.
    std::vector<std::uint8_t> img = image({4, 0}, "echo");
    put_be32(img, 12, 0x1000);
    fix_crcs(img, 0x1000);
    const std::size_t at = (64 << 20) - 64;
    memcpy(rig.ram + at, img.data(), 64);
    EXPECT_EQ(rig.run("source 43ffffc0", &status),
              "source: refusing script image at 0x43ffffc0 (+0x1040): not in RAM\n");
    EXPECT_EQ(rig.run("source", &status),
              "source: expects one address (usage: source addr (a U-Boot script image: mkimage -T script))\n");
}

TEST(ScriptImage, SourceNestingIsBounded) {
    SourceRig rig;
    // A script that sources itself.
    std::string body = "source 40300000";
    std::vector<std::uint8_t> img = image({static_cast<std::uint32_t>(body.size()), 0}, body);
    memcpy(rig.ram + 0x300000, img.data(), img.size());
    int status = -1;
    std::string out = rig.run("source 40300000", &status);
    EXPECT_NE(out.find("source: nesting too deep (more than 16 scripts inside each other)\n"), std::string::npos)
        << out;
    EXPECT_EQ(status, 1);
}

}  // namespace
