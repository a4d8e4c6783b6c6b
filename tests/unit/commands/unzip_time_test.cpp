// unzip and time through the shell on the simulated console. "RAM" is a window
// of the simulated guest RAM registered in SystemInfo.memory (its last 64 KiB
// reserved as "xenboot's heap"); compressed data comes from the real gzip and
// zstd tools.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "tests/sim/host_tools.h"
#include "tests/sim/shell_rig.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t kRamSize = 0x200000;
constexpr std::uint64_t kHeapOffset = 0x1f0000;
constexpr std::uint64_t kSrc = 0x10000;   // compressed input
constexpr std::uint64_t kDst = 0x100000;  // output

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%lx", v);
    return buf;
}

// Text-like data that compresses well, with some variety.
Bytes sample(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>("xenboot unzip "[i % 14] + (i / 4096) % 3);
    return b;
}

// `tool` (e.g. "gzip -9 -c") applied to data by the real program.
Bytes compressed_by(const std::string& tool, const Bytes& data) {
    xb::sim::TempDir dir("unzip");
    const std::string in = dir / "data";
    FILE* f = std::fopen(in.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (f == nullptr) return {};
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
    EXPECT_TRUE(xb::sim::run_tool(tool + " < " + in + " > " + (dir / "out")).ok) << tool;
    return xb::sim::read_file(dir / "out");
}

struct UnzipRig : xb::sim::ShellRig {
    UnzipRig() { ram = use_ram_window(kRamSize, kHeapOffset); }
    std::string addr(std::uint64_t off) const { return hex(reinterpret_cast<std::uintptr_t>(ram) + off); }
    void put(std::uint64_t off, const Bytes& b) { std::memcpy(ram + off, b.data(), b.size()); }
    std::uint8_t* ram = nullptr;
};

TEST(Unzip, GzipAsUBootWithFilesize) {
    if (!xb::sim::have_tool("gzip")) GTEST_SKIP() << "gzip not installed";
    UnzipRig r;
    const Bytes data = sample(200000);
    r.put(kSrc, compressed_by("gzip -9 -c", data));
    int rc = -1;
    const std::string out = r.run("unzip " + r.addr(kSrc) + " " + r.addr(kDst), &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "Uncompressed size: 200000 = 0x30D40\n");
    EXPECT_EQ(r.env.get("filesize").value_or(""), "30d40");
    EXPECT_EQ(std::memcmp(r.ram + kDst, data.data(), data.size()), 0);
}

// btrfs writes one zstd frame per 128 KiB extent; concatenated frames decode in turn.
TEST(Unzip, ConcatenatedZstdFrames) {
    if (!xb::sim::have_tool("zstd")) GTEST_SKIP() << "zstd not installed";
    UnzipRig r;
    const Bytes data = sample(300000);
    Bytes frames;
    for (std::size_t at = 0; at < data.size(); at += 128 * 1024) {
        const Bytes piece(data.begin() + static_cast<long>(at),
                          data.begin() + static_cast<long>(std::min(data.size(), at + 128 * 1024)));
        const Bytes z = compressed_by("zstd -1 -q -c", piece);
        frames.insert(frames.end(), z.begin(), z.end());
    }
    r.put(kSrc, frames);
    int rc = -1;
    const std::string out = r.run("unzip " + r.addr(kSrc) + " " + r.addr(kDst) + " 80000", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "Uncompressed size: 300000 = 0x493E0\n");
    EXPECT_EQ(std::memcmp(r.ram + kDst, data.data(), data.size()), 0);
}

TEST(Unzip, TooSmallDestinationWritesNothingPastIt) {
    if (!xb::sim::have_tool("gzip")) GTEST_SKIP() << "gzip not installed";
    UnzipRig r;
    const Bytes data = sample(100000);
    r.put(kSrc, compressed_by("gzip -9 -c", data));
    std::memset(r.ram + kDst + 0x1000, 0xa5, 16);
    int rc = -1;
    const std::string out = r.run("unzip " + r.addr(kSrc) + " " + r.addr(kDst) + " 1000", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("unzip: inflated data larger than 4096 bytes"), std::string::npos) << out;
    for (int i = 0; i < 16; ++i) EXPECT_EQ(r.ram[kDst + 0x1000 + static_cast<unsigned>(i)], 0xa5);
    EXPECT_EQ(r.env.get("filesize"), std::nullopt);
}

TEST(Unzip, RefusesWhatItCannotDo) {
    UnzipRig r;
    int rc = -1;
    std::string out = r.run("unzip " + r.addr(kSrc) + " " + r.addr(kDst), &rc);  // zeros: no magic
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("unzip: no gzip, zstd, xz, lzma or lz4 data at 0x" + r.addr(kSrc)), std::string::npos) << out;

    out = r.run("unzip " + r.addr(kSrc) + " " + r.addr(kHeapOffset + 0x100), &rc);  // into the heap
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("overlaps xenboot's heap"), std::string::npos) << out;

    out = r.run("unzip 10 " + r.addr(kDst), &rc);  // not RAM
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("unzip: source 0x10 is not in RAM"), std::string::npos) << out;

    out = r.run("unzip " + r.addr(kSrc) + " " + r.addr(kSrc + 0x100) + " 200", &rc);  // inside the source? no:
    // the source is cut at the destination, so [src, dst) and [dst, dst+0x200) are apart;
    // the zeros there are still no compressed data.
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("no gzip, zstd"), std::string::npos) << out;

    out = r.run("unzip " + r.addr(kSrc + 0x100) + " " + r.addr(kSrc) + " 200", &rc);  // output over the input
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("overlap"), std::string::npos) << out;

    out = r.run("unzip " + r.addr(kSrc), &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("(usage: unzip srcaddr dstaddr [dstsize])"), std::string::npos) << out;
}

TEST(Time, ReportsInUBootsFormatAndPassesTheStatusOn) {
    xb::sim::ShellRig r;
    int rc = -1;
    std::string out = r.run("time echo hi", &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_TRUE(std::regex_match(out, std::regex("hi\n\ntime: 0\\.00\\d seconds\n"))) << out;

    // The virtual clock advances by the sleep.
    out = r.run("time sleep 1.5", &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_TRUE(std::regex_match(out, std::regex("\ntime: 1\\.5\\d\\d seconds\n"))) << out;

    out = r.run("time false", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_TRUE(std::regex_match(out, std::regex("\ntime: 0\\.00\\d seconds\n"))) << out;

    out = r.run("time nosuch", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "time: unknown command 'nosuch'\n");
    out = r.run("time", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("usage: time command [args...]"), std::string::npos) << out;
}

}  // namespace
