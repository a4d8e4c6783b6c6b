// FIT images and legacy uImages as mkimage makes them (loader/fit.h,
// loader/uimage.h): configurations, every hash node checked, external data,
// compression and load/entry; corrupted images refused with the image and
// node named.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "loader/fit.h"
#include "loader/uimage.h"
#include "tests/sim/fit_files.h"

namespace {

using namespace xb;

// libfdt wants the FIT 8-byte aligned, as it is in RAM after a load.
struct Aligned {
    std::vector<std::uint64_t> words;
    explicit Aligned(const std::vector<std::uint8_t>& bytes) : words((bytes.size() + 7) / 8) {
        std::memcpy(words.data(), bytes.data(), bytes.size());
        size = bytes.size();
    }
    std::span<const std::uint8_t> span() const { return {reinterpret_cast<const std::uint8_t*>(words.data()), size}; }
    std::uint8_t* data() { return reinterpret_cast<std::uint8_t*>(words.data()); }
    std::size_t size = 0;
};

bool have_tools() { return sim::have_tool("mkimage") && sim::have_tool("dtc"); }

std::string str(std::span<const std::uint8_t> s) { return std::string(s.begin(), s.end()); }
std::string str(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

TEST(Fit, DefaultConfigurationWithEveryPartAndHash) {
    if (!have_tools()) GTEST_SKIP() << "mkimage or dtc missing";
    const sim::FitParts p = sim::fit_parts();
    Aligned fit(sim::make_fit(p, "none", "load = <0x40200000>; entry = <0x40200000>;"));
    ASSERT_GT(fit.size, 0u);
    EXPECT_TRUE(loader::looks_like_fit(fit.span()));
    Result<loader::FitConfig> r = loader::parse_fit(fit.span(), nullptr);
    ASSERT_TRUE(r.ok()) << r.error().message();
    const loader::FitConfig& c = r.value();
    EXPECT_STREQ(c.name, "conf-1");
    EXPECT_STREQ(c.kernel.name, "kernel-1");
    EXPECT_EQ(str(c.kernel.data), str(p.image));
    EXPECT_EQ(c.kernel.compression, compress::Compression::none);
    EXPECT_EQ(c.kernel.load, 0x40200000u);
    EXPECT_EQ(c.kernel.entry, 0x40200000u);
    EXPECT_EQ(c.kernel.hashes, 2u);
    ASSERT_TRUE(c.ramdisk.has_value());
    EXPECT_EQ(str(c.ramdisk->data), str(p.initrd));
    EXPECT_EQ(c.ramdisk->hashes, 1u);
    ASSERT_TRUE(c.fdt.has_value());
    EXPECT_EQ(str(c.fdt->data), str(p.dtb));
    EXPECT_EQ(loader::fit_tree_size(fit.span()).value(), fit.size);
}

TEST(Fit, NamedConfigurationAndErrors) {
    if (!have_tools()) GTEST_SKIP() << "mkimage or dtc missing";
    const sim::FitParts p = sim::fit_parts();
    Aligned fit(sim::make_fit(p, "gzip", ""));
    Result<loader::FitConfig> r = loader::parse_fit(fit.span(), "conf-2");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_STREQ(r.value().name, "conf-2");
    EXPECT_FALSE(r.value().ramdisk.has_value());
    EXPECT_FALSE(r.value().fdt.has_value());
    EXPECT_EQ(r.value().kernel.compression, compress::Compression::gzip);
    EXPECT_FALSE(r.value().kernel.load.has_value());
    EXPECT_STREQ(loader::parse_fit(fit.span(), "conf-9").error().message(), "FIT: no configuration 'conf-9'");
    // Truncated: the tree no longer fits.
    EXPECT_FALSE(loader::parse_fit(fit.span().first(fit.size / 2), nullptr).ok());
    // Not aligned.
    std::vector<std::uint64_t> shifted((fit.size + 16) / 8);
    auto* b = reinterpret_cast<std::uint8_t*>(shifted.data()) + 4;
    std::memcpy(b, fit.data(), fit.size);
    EXPECT_STREQ(loader::parse_fit({b, fit.size}, nullptr).error().message(), "FIT: not 8-byte aligned");
}

// libfdt 1.6.1's fdt_check_full() dereferences NULL on some malformed
// pre-v16 trees (fuzz_fit, tests/fuzz/seeds/regressions/fit-*): a FIT must be
// a v17 tree, as mkimage writes it, and is refused before libfdt walks it.
TEST(Fit, TreesOlderThanVersion17AreRefused) {
    if (!have_tools()) GTEST_SKIP() << "mkimage or dtc missing";
    Aligned fit(sim::make_fit(sim::fit_parts(), "none", ""));
    fit.data()[23] = 14;  // fdt_header.version, big-endian at offset 20
    Result<loader::FitConfig> r = loader::parse_fit(fit.span(), nullptr);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "FIT: device tree: version 14 (compatible with 16) is not 17");
}

TEST(Fit, ABrokenHashIsRefusedNamingImageAndNode) {
    if (!have_tools()) GTEST_SKIP() << "mkimage or dtc missing";
    const sim::FitParts p = sim::fit_parts();
    Aligned fit(sim::make_fit(p, "none", ""));
    const loader::FitConfig c = loader::parse_fit(fit.span(), nullptr).value();
    // One byte of the kernel: the first hash node (sha256) fails.
    const std::size_t k = static_cast<std::size_t>(c.kernel.data.data() - fit.span().data()) + 1000;
    fit.data()[k] ^= 1;
    EXPECT_STREQ(loader::parse_fit(fit.span(), nullptr).error().message(),
                 "FIT image 'kernel-1' hash node 'hash-1': sha256 mismatch");
    fit.data()[k] ^= 1;
    // One byte of the device tree: its crc32.
    const std::size_t f = static_cast<std::size_t>(c.fdt->data.data() - fit.span().data()) + 8;
    fit.data()[f] ^= 0x80;
    EXPECT_STREQ(loader::parse_fit(fit.span(), nullptr).error().message(),
                 "FIT image 'fdt-1' hash node 'hash-1': crc32 mismatch");
    // The kernel-only configuration does not read the device tree.
    EXPECT_TRUE(loader::parse_fit(fit.span(), "conf-2").ok());
}

TEST(Fit, AnAlgoThatCannotBeCheckedIsAnError) {
    if (!have_tools()) GTEST_SKIP() << "mkimage or dtc missing";
    const sim::FitParts p = sim::fit_parts();
    Aligned fit(sim::make_fit(p, "none", "hash-3 { algo = \"md5\"; };"));
    ASSERT_GT(fit.size, 0u);
    EXPECT_STREQ(loader::parse_fit(fit.span(), nullptr).error().message(),
                 "FIT image 'kernel-1' hash node 'hash-3': algo 'md5' cannot be checked (sha256 and crc32 can)");
}

TEST(Fit, ExternalDataAsMkimageEWritesIt) {
    if (!have_tools()) GTEST_SKIP() << "mkimage or dtc missing";
    const sim::FitParts p = sim::fit_parts();
    Aligned fit(sim::make_fit(p, "zstd", "", "-E"));
    ASSERT_GT(fit.size, 0u);
    Result<loader::FitConfig> r = loader::parse_fit(fit.span(), nullptr);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value().kernel.compression, compress::Compression::zstd);
    EXPECT_EQ(str(r.value().ramdisk->data), str(p.initrd));
    EXPECT_EQ(str(r.value().fdt->data), str(p.dtb));
    // The external data cut off: an error, no read past the bytes.
    const std::size_t tree = loader::fit_tree_size(fit.span()).value();
    EXPECT_NE(
        std::string(loader::parse_fit(fit.span().first(tree + 16), nullptr).error().message()).find("external data at"),
        std::string::npos);
}

TEST(UImage, KernelAndRamdiskFromMkimage) {
    if (!sim::have_tool("mkimage")) GTEST_SKIP() << "mkimage missing";
    const sim::FitParts p = sim::fit_parts();
    const std::vector<std::uint8_t> k = sim::make_uimage(p.image, "kernel", "gzip");
    ASSERT_GT(k.size(), 64u);
    EXPECT_TRUE(loader::looks_like_uimage(k));
    EXPECT_EQ(loader::uimage_size(k).value(), k.size());
    Result<loader::UImage> r = loader::parse_uimage(k);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_STREQ(r.value().name, "xenboot-test");
    EXPECT_EQ(r.value().type, 2);
    EXPECT_EQ(r.value().arch, loader::kUImageArchArm64);
    EXPECT_EQ(r.value().os, loader::kUImageOsLinux);
    EXPECT_EQ(r.value().compression, compress::Compression::gzip);
    EXPECT_EQ(r.value().load, 0x80080000u);
    EXPECT_EQ(r.value().data.size(), k.size() - 64);
    const std::vector<std::uint8_t> rd = sim::make_uimage(p.initrd, "ramdisk", "none", "0");
    Result<loader::UImage> d = loader::parse_uimage(rd);
    ASSERT_TRUE(d.ok()) << d.error().message();
    EXPECT_EQ(d.value().type, 3);
    EXPECT_EQ(str(d.value().data), str(p.initrd));
}

TEST(UImage, CorruptionIsCaught) {
    if (!sim::have_tool("mkimage")) GTEST_SKIP() << "mkimage missing";
    const sim::FitParts p = sim::fit_parts();
    std::vector<std::uint8_t> k = sim::make_uimage(p.initrd, "ramdisk", "none", "0");
    std::vector<std::uint8_t> bad = k;
    bad[100] ^= 1;
    EXPECT_NE(std::string(loader::parse_uimage(bad).error().message()).find("uImage 'xenboot-test': bad data CRC"),
              std::string::npos);
    bad = k;
    bad[40] ^= 1;  // the name
    EXPECT_NE(std::string(loader::parse_uimage(bad).error().message()).find("uImage: bad header CRC"),
              std::string::npos);
    EXPECT_NE(std::string(loader::parse_uimage(std::span(k).first(k.size() - 1)).error().message())
                  .find("data size 5000 but only 4999 bytes follow"),
              std::string::npos);
    EXPECT_FALSE(loader::parse_uimage(std::span(k).first(10)).ok());
    bad = k;
    bad[0] = 0;
    EXPECT_FALSE(loader::looks_like_uimage(bad));
}

}  // namespace
