// The filesystem commands (ls, load, size, fstype, ext4*/fat*, test -e)
// through the shell, over two disks made at test time: an MBR disk with ext4
// in partition 1 and a whole-disk FAT. RAM is simulated guest RAM filled with
// a guard byte (tests/sim/boot_rig.h), so loads are checked byte by byte and
// refused loads are checked to have written nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "fs/mount.h"
#include "tests/sim/boot_rig.h"
#include "tests/sim/disk_images.h"

namespace {

using namespace xb;
using sim::BootRig;
using sim::hex;
using sim::ImageDir;

constexpr std::uint64_t kMiB = 1ULL << 20;
// The first bytes of /big.bin (the rest is a hole): found in the image to know
// which disk block is the file's first.
const char* const kBigMarker = "BIG FILE, first block: 5c1e3a8f-7d42";

std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 131 + seed) ^ (i >> 8));
    return v;
}

// The disks are the same for every test: made once.
struct Disks {
    ImageDir ext_dir, fat_dir;
    std::vector<std::uint8_t> ext4, fat;
    std::vector<std::uint8_t> image = pattern(300 * 1024 + 5, 1);
    std::uint64_t big_size = cmd::kLoadChunk + 3 * kMiB;

    Disks() {
        ext_dir.put("hello.txt", "hello world\n");
        ext_dir.put("boot/Image", image);
        ext_dir.mkdir("boot/extlinux");
        ext_dir.symlink("hello.txt", "link");
        ext_dir.put_sparse("big.bin", big_size, kBigMarker);
        ext4 = ext_dir.ext4(8);
        fat_dir.put("README.TXT", pattern(5000, 2));
        fat_dir.mkdir("dir");
        fat_dir.put("dir/a.bin", pattern(10, 3));
        fat = fat_dir.fat(1024);
    }
    static Disks& get() {
        static Disks d;
        return d;
    }
};

// A disk that, when the block holding `trigger` is read, types Ctrl-C on
// the console (as a user would during a long load).
class CtrlCDisk final : public BlockDevice {
  public:
    CtrlCDisk(BlockDevice& inner, sim::SimConsoleBackend& console) : inner_(inner), console_(console) {}
    const char* name() const override { return inner_.name(); }
    std::uint32_t block_size() const override { return inner_.block_size(); }
    std::uint64_t block_count() const override { return inner_.block_count(); }
    bool read_only() const override { return true; }
    Status read(std::uint64_t block, std::uint64_t count, void* buf) override {
        if (armed && block <= trigger && trigger < block + count) {
            armed = false;
            console_.type("\x03");
            console_.service();
        }
        return inner_.read(block, count, buf);
    }
    Status write(std::uint64_t, std::uint64_t, const void*) override {
        return Error::make(Errc::invalid_argument, "read-only");
    }
    bool armed = false;
    std::uint64_t trigger = 0;

  private:
    BlockDevice& inner_;
    sim::SimConsoleBackend& console_;
};

struct FsRig : BootRig {
    sim::MemBlockDevice d0 = sim::mbr_disk("xvda", Disks::get().ext4);
    sim::MemBlockDevice d1 = sim::MemBlockDevice::from_image("xvdb", 512, Disks::get().fat);
    std::uint64_t dst = 0;

    FsRig() : BootRig(48 * kMiB) {
        add_disk(d0);
        add_disk(d1);
        dst = base() + 4 * kMiB;
    }
};

bool has_line(const std::string& out, const std::string& line) { return out.find(line + "\n") != std::string::npos; }

TEST(FsCommands, LsShowsDirsFilesSymlinksAndTotals) {
    FsRig r;
    int rc = -1;
    std::string out = r.run("ls pvblock 0:1 /", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_TRUE(has_line(out, "            boot/")) << out;
    EXPECT_TRUE(has_line(out, "       12   hello.txt")) << out;
    EXPECT_TRUE(has_line(out, "   <SYM>   link")) << out;
    EXPECT_TRUE(has_line(out, " " + std::to_string(Disks::get().big_size) + "   big.bin")) << out;
    EXPECT_TRUE(has_line(out, "            lost+found/")) << out;
    // ".", "..", boot, lost+found; hello.txt, link, big.bin.
    EXPECT_NE(out.find("\n3 file(s), 4 dir(s)\n\n"), std::string::npos) << out;

    out = r.run("ext4ls pvblock 0:1 /boot", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_TRUE(has_line(out, "   307205   Image")) << out;
    EXPECT_TRUE(has_line(out, "            extlinux/")) << out;
    EXPECT_NE(out.find("\n1 file(s), 3 dir(s)\n"), std::string::npos) << out;
}

TEST(FsCommands, FatlsOnAWholeDiskFat) {
    FsRig r;
    int rc = -1;
    // No partition given, no partitions in the (empty) MBR: the whole disk.
    std::string out = r.run("fatls pvblock 1", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_TRUE(has_line(out, "     5000   README.TXT")) << out;
    EXPECT_TRUE(has_line(out, "            dir/")) << out;
    EXPECT_NE(out.find("\n1 file(s), 1 dir(s)\n"), std::string::npos) << out;
    out = r.run("ls pvblock 1:0 /dir", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_TRUE(has_line(out, "       10   a.bin")) << out;
    // The wrong type for the volume.
    out = r.run("fatls pvblock 0:1 /", &rc);
    EXPECT_EQ(rc, 1) << out;
    EXPECT_EQ(out.rfind("fatls: ", 0), 0u) << out;
    out = r.run("ls pvblock 0:1 /hello.txt", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "ls: /hello.txt is not a directory\n");
}

TEST(FsCommands, LoadSetsFilesizeAndFileaddr) {
    FsRig r;
    int rc = -1;
    std::string out = r.run("load pvblock 0:1 " + hex(r.dst) + " /boot/Image", &rc);
    EXPECT_EQ(rc, 0) << out;
    const auto& image = Disks::get().image;
    EXPECT_EQ(out.rfind(std::to_string(image.size()) + " bytes read in ", 0), 0u) << out;
    EXPECT_EQ(std::memcmp(r.at(r.dst), image.data(), image.size()), 0);
    EXPECT_TRUE(r.untouched(r.dst + image.size(), 4096));
    EXPECT_EQ(r.var("filesize"), hex(image.size()));
    EXPECT_EQ(r.var("fileaddr"), hex(r.dst));
    // Through a symlink, and with ext4load.
    out = r.run("ext4load pvblock 0:1 " + hex(r.dst + kMiB) + " /link", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(std::memcmp(r.at(r.dst + kMiB), "hello world\n", 12), 0);
    EXPECT_EQ(r.var("filesize"), "c");
}

TEST(FsCommands, LoadWithBytesAndPos) {
    FsRig r;
    int rc = -1;
    std::string out = r.run("load pvblock 0:1 " + hex(r.dst) + " /boot/Image 100 2001", &rc);
    EXPECT_EQ(rc, 0) << out;
    const auto& image = Disks::get().image;
    EXPECT_EQ(std::memcmp(r.at(r.dst), image.data() + 0x2001, 0x100), 0);
    EXPECT_TRUE(r.untouched(r.dst + 0x100, 4096));
    EXPECT_EQ(r.var("filesize"), "100");
    // bytes past the end: up to the end of the file.
    out = r.run("load pvblock 0:1 " + hex(r.dst) + " /hello.txt 1000 6", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(std::memcmp(r.at(r.dst), "world\n", 6), 0);
    EXPECT_EQ(r.var("filesize"), "6");
    // pos past the end.
    out = r.run("load pvblock 0:1 " + hex(r.dst) + " /hello.txt 1 d", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("offset 0xd is beyond its 12 bytes"), std::string::npos) << out;
}

TEST(FsCommands, LoadDefaultsToLoadaddrAndBootfile) {
    FsRig r;
    int rc = -1;
    std::string out = r.run("load pvblock 0:1", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "load: no address given and $loadaddr is not set\n");
    r.run("setenv loadaddr " + hex(r.dst));
    out = r.run("load pvblock 0:1", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "load: no file name given and $bootfile is not set\n");
    r.run("setenv bootfile /hello.txt");
    out = r.run("load pvblock 0:1", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(std::memcmp(r.at(r.dst), "hello world\n", 12), 0);
}

TEST(FsCommands, SizeAndFstype) {
    FsRig r;
    int rc = -1;
    std::string out = r.run("size pvblock 0:1 /boot/Image", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(r.var("filesize"), hex(Disks::get().image.size()));
    out = r.run("fatsize pvblock 1:0 /dir/a.bin", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(r.var("filesize"), "a");
    out = r.run("size pvblock 0:1 /nope", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out.rfind("size: ", 0), 0u) << out;
    EXPECT_EQ(r.run("fstype pvblock 0:1", &rc), "ext4\n");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(r.run("fstype pvblock 1:0 t", &rc), "");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(r.var("t"), "fat");
}

// Every reader in fs/mount.cpp's table, in U-Boot's format.
TEST(FsCommands, FstypesListsTheReaders) {
    FsRig r;
    int rc = -1;
    std::string want = "Supported filesystems";
    char sep = ':';
    for (const xb::fs::FsProber& p : xb::fs::fs_probers()) {
        want += std::string(1, sep) + " " + p.name;
        sep = ',';
    }
    EXPECT_EQ(r.run("fstypes", &rc), want + "\n");
    EXPECT_EQ(rc, 0);
    EXPECT_NE(want.find(": ext4, "), std::string::npos) << want;
    EXPECT_NE(want.find(" fat"), std::string::npos) << want;
    r.run("fstypes x", &rc);
    EXPECT_EQ(rc, 1);
}

TEST(FsCommands, LoadIntoReservedMemoryWritesNothing) {
    FsRig r;
    int rc = -1;
    // The last 4 bytes of free RAM and then the "heap".
    const std::uint64_t at = r.top() - kMiB - 4;
    std::string out = r.run("load pvblock 0:1 " + hex(at) + " /hello.txt", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("load: refusing /hello.txt at 0x" + hex(at) + "-0x" + hex(at + 12)), std::string::npos) << out;
    EXPECT_NE(out.find("overlaps xenboot's heap"), std::string::npos) << out;
    EXPECT_TRUE(r.untouched(at, 4));
    EXPECT_EQ(r.var("filesize"), "<unset>");
    // Below RAM's free part (the "firmware"), and outside RAM.
    out = r.run("load pvblock 0:1 " + hex(r.base() + 0x100) + " /hello.txt", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("firmware"), std::string::npos) << out;
    out = r.run("load pvblock 0:1 " + hex(r.top() + 0x1000) + " /hello.txt", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("not in RAM"), std::string::npos) << out;
    out = r.run("load pvblock 0:1 ffffffffffffff00 /boot/Image", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("wraps around"), std::string::npos) << out;
}

TEST(FsCommands, ErrorsNameWhatIsWrong) {
    FsRig r;
    int rc = -1;
    std::string out = r.run("load pvblock 0:1 " + hex(r.dst) + " /boot/nope", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("/boot/nope"), std::string::npos) << out;
    EXPECT_TRUE(r.untouched(r.dst, 4096));
    out = r.run("load pvblock 0:1 " + hex(r.dst) + " /boot", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("/boot is a directory"), std::string::npos) << out;
    out = r.run("ls mmc 0", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "ls: unknown interface 'mmc' (xenboot has pvblock)\n");
    out = r.run("ls pvblock 5", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "ls: no pvblock device 5 (2 present)\n");
    out = r.run("ls pvblock 0:7", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("no partition 7"), std::string::npos) << out;
    out = r.run("ls pvblock 1:2", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("no partition 2"), std::string::npos) << out;
    out = r.run("ls pvblock zz:1", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("device"), std::string::npos) << out;
    out = r.run("ls pvblock 0:1:2", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("partition"), std::string::npos) << out;
    out = r.run("load", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("usage: load <interface>"), std::string::npos) << out;
}

TEST(FsCommands, CtrlCStopsALongLoad) {
    FsRig r;
    const std::uint64_t size = Disks::get().big_size;
    ASSERT_GT(size, cmd::kLoadChunk);
    // Ctrl-C arrives while the first chunk is read (with the file's first block).
    const auto& disk = r.d0.bytes();
    const std::string marker(kBigMarker);
    auto it = std::search(disk.begin(), disk.end(), marker.begin(), marker.end());
    ASSERT_NE(it, disk.end());
    CtrlCDisk ctrlc(r.d0, r.guest.backend);
    ctrlc.trigger = static_cast<std::uint64_t>(it - disk.begin()) / 512;
    ctrlc.armed = true;
    r.services.pvblock.dev[0] = &ctrlc;
    int rc = -1;
    std::string out = r.run("load pvblock 0:1 " + hex(r.dst) + " /big.bin", &rc);
    EXPECT_FALSE(ctrlc.armed);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("load: /big.bin: interrupted after " + std::to_string(cmd::kLoadChunk) + " of " +
                       std::to_string(size) + " bytes"),
              std::string::npos)
        << out;
    EXPECT_EQ(std::memcmp(r.at(r.dst), kBigMarker, marker.size()), 0);
    // The last chunk never arrived.
    EXPECT_TRUE(r.untouched(r.dst + cmd::kLoadChunk, size - cmd::kLoadChunk));
    EXPECT_EQ(r.var("filesize"), "<unset>");
    r.services.pvblock.dev[0] = &r.d0;
    // Without Ctrl-C the whole file arrives (zeros after "BIG": it is sparse).
    out = r.run("load pvblock 0:1 " + hex(r.dst) + " /big.bin", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(std::memcmp(r.at(r.dst), kBigMarker, std::strlen(kBigMarker)), 0);
    EXPECT_EQ(r.at(r.dst)[size - 1], 0);
    EXPECT_EQ(r.var("filesize"), hex(size));
}

TEST(FsCommands, TestDashEUsesTheFilesystems) {
    FsRig r;
    int rc = -1;
    r.run("test -e pvblock 0:1 /boot/Image", &rc);
    EXPECT_EQ(rc, 0);
    r.run("test -e pvblock 0:1 /boot/vmlinuz", &rc);
    EXPECT_EQ(rc, 1);
    r.run("test -e pvblock 1 /dir/a.bin", &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(r.run("if test -e pvblock 0:1 /hello.txt; then echo yes; else echo no; fi"), "yes\n");
    std::string out = r.run("test -e pvblock 9 /x", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("no pvblock device 9"), std::string::npos) << out;
    r.services.file_exists = nullptr;
    out = r.run("test -e pvblock 0:1 /hello.txt", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("no filesystems"), std::string::npos) << out;
}

}  // namespace
