// Filesystem images made at test time by the real tools, for the boot and
// filesystem command tests: a source tree written here, then mke2fs -d
// (e2fsprogs) or mkfs.fat + mcopy (dosfstools, mtools), run through
// tests/sim/host_tools.h; optionally wrapped in an MBR disk (partition 1 at
// LBA 2048) laid out by tests/sim/mem_block_device.h.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/sim/host_tools.h"
#include "tests/sim/mem_block_device.h"

namespace xb::sim {

// Runs a shell command of host tools (tests/sim/host_tools.h); true on exit
// status 0, a test failure otherwise.
inline bool sh(const std::string& command, std::string* output = nullptr) {
    ToolRun r = run_tool(command);
    if (output != nullptr) *output = r.output;
    return r.ok;
}

struct ImageDir {
    TempDir dir{"boot"};
    const std::string& path = dir.path;

    std::string src() const { return path + "/src"; }
    // Writes a file of the source tree (parents created).
    void put(const std::string& rel, const std::vector<std::uint8_t>& bytes) const {
        const std::filesystem::path p = src() + "/" + rel;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    void put(const std::string& rel, const std::string& text) const {
        put(rel, std::vector<std::uint8_t>(text.begin(), text.end()));
    }
    // A sparse file of `size` bytes whose first bytes are `head`.
    void put_sparse(const std::string& rel, std::uint64_t size, const std::string& head) const {
        put(rel, head);
        std::filesystem::resize_file(src() + "/" + rel, size);
    }
    void mkdir(const std::string& rel) const { std::filesystem::create_directories(src() + "/" + rel); }
    void symlink(const std::string& target, const std::string& rel) const {
        std::filesystem::create_symlink(target, src() + "/" + rel);
    }

    static std::vector<std::uint8_t> read(const std::string& file) { return read_file(file); }

    // ext4 of size_mib MiB holding the source tree (empty vector on failure).
    std::vector<std::uint8_t> ext4(unsigned size_mib) const {
        return ext4_with(size_mib, "-L ROOT -U 11111111-2222-3333-4444-555555555555");
    }
    // The same with mke2fs options of the caller's (-U UUID, -L LABEL).
    std::vector<std::uint8_t> ext4_with(unsigned size_mib, const std::string& options) const {
        std::filesystem::create_directories(src());
        const std::string img = path + "/ext4.img";
        std::filesystem::remove(img);
        if (!make_ext_image(src(), img, "-t ext4 -b 1024 " + options, std::to_string(size_mib) + "M")) return {};
        return read(img);
    }
    // FAT (mkfs.fat's choice of type) of size_kib KiB holding the source tree.
    std::vector<std::uint8_t> fat(unsigned size_kib) const {
        std::filesystem::create_directories(src());
        const std::string img = path + "/fat.img";
        std::filesystem::remove(img);
        if (!make_fat_image(img, "-n BOOT -i 12345678", size_kib)) return {};
        std::vector<std::string> sources;
        for (const auto& e : std::filesystem::directory_iterator(src())) sources.push_back(e.path().string());
        if (!sources.empty() && !copy_into_fat(img, sources, "::/")) return {};
        return read(img);
    }
    // XFS v5 (mkfs.xfs defaults; `options` adds -L LABEL, -m uuid=UUID) of
    // size_mib MiB holding the source tree, filled through a loop mount (nouuid:
    // parallel test shards may hold an image with the same UUID). Needs root:
    // an empty vector without it (callers skip).
    std::vector<std::uint8_t> xfs(unsigned size_mib, const std::string& options) const {
        std::filesystem::create_directories(src());
        const std::string img = path + "/xfs.img", mnt = path + "/xfs.mnt";
        std::filesystem::remove(img);
        std::filesystem::create_directories(mnt);
        if (!can_loop_mount() || !make_xfs_image(img, options, std::to_string(size_mib) + "M")) return {};
        const std::string fill = std::string(XB_SOURCE_DIR) + "/tests/tools/loop-mount.sh nouuid " + img + " " + mnt +
                                 " && cp -a " + src() + "/. " + mnt + "/; r=$?; umount " + mnt + "; exit $r";
        if (!run_tool("unshare -m sh -c " + shell_quote(fill)).ok) return {};
        return read(img);
    }
    // btrfs (mixed block groups, so that a few MiB suffice; `options` adds -L
    // LABEL, -U UUID) of size_mib MiB made from the source tree by
    // mkfs.btrfs --rootdir: no root needed, no subvolumes or compression.
    std::vector<std::uint8_t> btrfs(unsigned size_mib, const std::string& options) const {
        std::filesystem::create_directories(src());
        const std::string img = path + "/btrfs.img";
        std::filesystem::remove(img);
        if (!run_tool("truncate -s " + std::to_string(size_mib) + "M " + img + " && mkfs.btrfs -q -f -M " + options +
                      " --rootdir " + src() + " " + img + " >/dev/null")
                 .ok) {
            return {};
        }
        return read(img);
    }
};

// An MBR disk with one partition (type `type`, from LBA 2048) holding `fs`.
inline MemBlockDevice mbr_disk(const std::string& name, const std::vector<std::uint8_t>& fs, std::uint8_t type = 0x83,
                               std::uint8_t boot = 0) {
    constexpr std::uint32_t kFirst = 2048;
    const auto sectors = static_cast<std::uint32_t>((fs.size() + 511) / 512);
    MemBlockDevice d(name, 512, kFirst + sectors + 2048);
    std::memcpy(d.block(kFirst), fs.data(), fs.size());
    write_mbr(d, 0, {{type, kFirst, sectors, boot}}, 0x12345678);
    return d;
}

// One partition of gpt_disk: its number, sgdisk type code and contents.
struct GptVolume {
    unsigned number;
    std::string typecode;  // "ef00" (ESP), "8300" (Linux), "ea00" (XBOOTLDR)
    std::vector<std::uint8_t> fs;
};

// A GPT disk laid out by the real sgdisk (gdisk package): the partitions in
// the order given, each from the next 1 MiB boundary, numbered as asked
// (distribution images use p15 for the ESP and p1 for the root).
inline MemBlockDevice gpt_disk(const std::string& name, const std::vector<GptVolume>& parts) {
    TempDir dir{"gpt"};
    const std::string img = dir.path + "/disk.img";
    std::uint64_t lba = 2048;
    std::string args;
    std::vector<std::uint64_t> starts;
    for (const GptVolume& p : parts) {
        const std::uint64_t sectors = (p.fs.size() + 511) / 512;
        starts.push_back(lba);
        args += " --new=" + std::to_string(p.number) + ":" + std::to_string(lba) + ":" +
                std::to_string(lba + sectors - 1) + " --typecode=" + std::to_string(p.number) + ":" + p.typecode;
        lba = (lba + sectors + 2047) / 2048 * 2048;
    }
    const std::uint64_t total = lba + 2048;
    std::ofstream(img, std::ios::binary).close();
    std::filesystem::resize_file(img, total * 512);
    if (!sh("sgdisk -o -U 0a0a0a0a-0000-4000-8000-000000000001" + args + " " + img + " >/dev/null"))
        return MemBlockDevice(name, 512, 1);
    std::vector<std::uint8_t> bytes = ImageDir::read(img);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::memcpy(bytes.data() + starts[i] * 512, parts[i].fs.data(), parts[i].fs.size());
    }
    return MemBlockDevice::from_image(name, 512, std::move(bytes));
}

}  // namespace xb::sim
