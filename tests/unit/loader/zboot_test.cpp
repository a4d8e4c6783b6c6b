// loader/zboot and loader/kernel_file: zboot files made by
// tests/tools/make-zboot.py from a synthetic Image with the real compressors,
// header checks on hand-edited copies.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "loader/kernel_file.h"
#include "loader/zboot.h"
#include "tests/sim/boot_rig.h"
#include "tests/sim/kernel_files.h"

namespace {

using xb::Errc;
using xb::compress::Compression;
using Bytes = std::vector<std::uint8_t>;

void put32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

struct Case {
    const char* tool;
    const char* comp_type;
    Compression method;
};
const Case kCases[] = {
    {"gzip", "gzip", Compression::gzip}, {"zstd", "zstd22", Compression::zstd}, {"xz", "xzkern", Compression::xz},
    {"lzma", "lzma", Compression::lzma}, {"lz4", "lz4", Compression::lz4},
};

class Zboot : public ::testing::TestWithParam<Case> {};

TEST_P(Zboot, ExtractsThePaddedImage) {
    const Case c = GetParam();
    const Bytes image = xb::sim::make_arm64_image(300 * 1024, 3);
    const Bytes want = xb::sim::padded_image(image);
    ASSERT_EQ(want.size(), image.size() + 0x10000);
    const Bytes file = xb::sim::make_zboot(image, c.tool);
    ASSERT_FALSE(file.empty());

    auto z = xb::loader::parse_zboot(file);
    ASSERT_TRUE(z.ok()) << std::string(z.error().message());
    EXPECT_EQ(z.value().method, c.method);
    EXPECT_STREQ(z.value().comp_type, c.comp_type);
    EXPECT_EQ(z.value().payload_offset, 0x200u);
    if (c.method == Compression::gzip) {
        EXPECT_FALSE(z.value().size.has_value());
        EXPECT_EQ(z.value().payload_size, file.size() - 0x200);
    } else {
        EXPECT_EQ(z.value().size, want.size());
        EXPECT_EQ(z.value().payload_size, file.size() - 0x200 - 4);
    }
    Bytes out(want.size() + 4096);
    auto n = xb::loader::unpack_zboot(file, z.value(), out);
    ASSERT_TRUE(n.ok()) << std::string(n.error().message());
    EXPECT_EQ(n.value(), want.size());
    EXPECT_EQ(std::memcmp(out.data(), want.data(), want.size()), 0);

    // The same through the kernel-file entry point booti uses.
    auto k = xb::loader::identify_kernel(file);
    ASSERT_TRUE(k.ok()) << std::string(k.error().message());
    EXPECT_EQ(k.value().format, xb::loader::KernelFormat::zboot);
    char name[32];
    EXPECT_EQ(std::string(xb::loader::describe_kernel(k.value(), name)),
              std::string("zboot (") + xb::compress::compression_name(c.method) + ")");
    auto n2 = xb::loader::unpack_kernel(k.value(), file, out);
    ASSERT_TRUE(n2.ok()) << std::string(n2.error().message());
    EXPECT_EQ(n2.value(), want.size());
}

TEST_P(Zboot, AWrongAppendedSizeIsRefused) {
    const Case c = GetParam();
    if (c.method == Compression::gzip) GTEST_SKIP() << "gzip has no appended size";
    const Bytes image = xb::sim::make_arm64_image(64 * 1024, 4);
    Bytes file = xb::sim::make_zboot(image, c.tool);
    const std::uint32_t real = static_cast<std::uint32_t>(image.size() + 0x10000);
    put32(file, file.size() - 4, real - 1);
    auto z = xb::loader::parse_zboot(file);
    ASSERT_TRUE(z.ok()) << std::string(z.error().message());
    Bytes out(real + 100);
    auto n = xb::loader::unpack_zboot(file, z.value(), out);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().code(), Errc::bad_data);
    EXPECT_EQ(std::string(n.error().message()),
              "zboot: decompressed " + std::to_string(real) + " bytes, the file says " + std::to_string(real - 1));
}

TEST_P(Zboot, TooSmallAnOutputIsNoSpace) {
    const Case c = GetParam();
    const Bytes image = xb::sim::make_arm64_image(64 * 1024, 5);
    const Bytes file = xb::sim::make_zboot(image, c.tool);
    auto z = xb::loader::parse_zboot(file);
    ASSERT_TRUE(z.ok()) << std::string(z.error().message());
    Bytes out(image.size());  // the bss padding does not fit
    auto n = xb::loader::unpack_zboot(file, z.value(), out);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().code(), Errc::no_space) << std::string(n.error().message());
}

INSTANTIATE_TEST_SUITE_P(Methods, Zboot, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.tool); });

struct ZbootHeader : ::testing::Test {
    Bytes file = xb::sim::make_zboot(xb::sim::make_arm64_image(16 * 1024, 6), "lz4");
    std::string error() {
        auto z = xb::loader::parse_zboot(file);
        return z.ok() ? "ok" : std::string(z.error().message());
    }
};

TEST_F(ZbootHeader, MagicAndSize) {
    EXPECT_EQ(error(), "ok");
    EXPECT_TRUE(xb::loader::is_zboot(file));
    Bytes head(file.begin(), file.begin() + 0x30);
    auto z = xb::loader::parse_zboot(head);
    ASSERT_FALSE(z.ok());
    EXPECT_EQ(std::string(z.error().message()), "not a zboot file: 48 bytes, shorter than its 64-byte header");
    file[4] = 'Z';
    EXPECT_EQ(error(), "not a zboot file: no \"MZ\" and \"zimg\" at 0 and 4");
    EXPECT_FALSE(xb::loader::is_zboot(file));
}

TEST_F(ZbootHeader, CompressionType) {
    std::memset(&file[0x18], 'a', 0x20);
    EXPECT_EQ(error(), "zboot: compression type at 0x18 is not NUL-terminated");
    std::memcpy(&file[0x18], "lzo\0", 4);
    EXPECT_EQ(error(), "zboot: lzo payloads are not supported");
    std::memcpy(&file[0x18], "zstd\0", 5);  // the tool name, not Makefile.zboot's "zstd22"
    EXPECT_EQ(error(), "zboot: unknown compression type 'zstd'");
    std::memcpy(&file[0x18], "\0", 1);
    EXPECT_EQ(error(), "zboot: unknown compression type ''");
    auto z = xb::loader::parse_zboot(file);
    EXPECT_EQ(z.error().code(), Errc::unsupported);
}

TEST_F(ZbootHeader, PayloadOutsideTheFile) {
    const std::size_t size = file.size();
    const std::uint32_t payload = static_cast<std::uint32_t>(size - 0x200 - 4);
    put32(file, 12, payload + 1);  // the appended size would end past the file
    EXPECT_EQ(error(), "zboot: payload at 0x200, " + std::to_string(payload + 1) +
                           " bytes + 4-byte size, outside the " + std::to_string(size) + "-byte file");
    put32(file, 12, 0xffffffff);
    EXPECT_NE(error().find("outside the"), std::string::npos);
    put32(file, 12, payload);
    put32(file, 8, 0xfffffff0);
    EXPECT_NE(error().find("outside the"), std::string::npos);
    put32(file, 8, 0x20);  // inside the header
    EXPECT_NE(error().find("zboot: payload at 0x20,"), std::string::npos);
    put32(file, 8, 0x200);
    put32(file, 12, 0);
    EXPECT_NE(error().find("zboot: payload at 0x200, 0 bytes"), std::string::npos);
}

TEST(KernelFile, ClassifiesImagesAndRawFiles) {
    using xb::loader::KernelFormat;
    const Bytes image = xb::sim::make_arm64_image(64 * 1024, 8);
    EXPECT_EQ(xb::loader::classify_kernel(image), KernelFormat::image);
    auto k = xb::loader::identify_kernel(image);
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k.value().format, KernelFormat::image);
    char name[32];
    EXPECT_STREQ(xb::loader::describe_kernel(k.value(), name), "arm64 Image");
    Bytes out(image.size());
    EXPECT_EQ(xb::loader::unpack_kernel(k.value(), image, out).error().code(), Errc::unsupported);
    // Garbage is an "image" too, so that parse_arm64_image names the bad magic.
    EXPECT_EQ(xb::loader::classify_kernel(Bytes(64, 0x58)), KernelFormat::image);

    const Bytes zst = xb::sim::compress_with_tool(image, "zstd");
    auto kz = xb::loader::identify_kernel(zst);
    ASSERT_TRUE(kz.ok());
    EXPECT_EQ(kz.value().format, KernelFormat::compressed);
    EXPECT_EQ(kz.value().method, Compression::zstd);
    EXPECT_EQ(kz.value().payload_size, zst.size());
    EXPECT_STREQ(xb::loader::describe_kernel(kz.value(), name), "Image.zst");
    auto n = xb::loader::unpack_kernel(kz.value(), zst, out);
    ASSERT_TRUE(n.ok()) << std::string(n.error().message());
    EXPECT_EQ(out, image);
}

}  // namespace

namespace {

// A one-off check on a real kernel, skipped unless XB_REAL_IMAGE names one
// (e.g. the lab's Debian arm64 Image, build/lab/Image): zboot(gzip) and
// zboot(zstd) files made from it extract byte-identical to the padded Image.
TEST(ZbootRealImage, ExtractsByteIdentical) {
    const char* path = std::getenv("XB_REAL_IMAGE");
    if (path == nullptr) GTEST_SKIP() << "XB_REAL_IMAGE not set";
    const Bytes image = xb::sim::read_file(path);
    ASSERT_GE(image.size(), 64u) << path;
    const Bytes want = xb::sim::padded_image(image);
    for (const char* method : {"gzip", "zstd"}) {
        const Bytes file = xb::sim::make_zboot(image, method);
        auto k = xb::loader::identify_kernel(file);
        ASSERT_TRUE(k.ok()) << std::string(k.error().message());
        Bytes out(want.size());
        auto n = xb::loader::unpack_kernel(k.value(), file, out);
        ASSERT_TRUE(n.ok()) << std::string(n.error().message());
        EXPECT_EQ(n.value(), want.size()) << method;
        EXPECT_TRUE(out == want) << method;
        std::printf("%s: Image %zu bytes, padded %zu, zboot file %zu bytes: identical\n", method, image.size(),
                    want.size(), file.size());
    }
}

}  // namespace
