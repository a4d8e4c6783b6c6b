// Filesystem images made at test time by the real tools, for the boot and
// filesystem command tests: a source tree written here, then mkfs.ext4 -d
// (e2fsprogs) or mkfs.vfat + mcopy (dosfstools, mtools); optionally wrapped in
// an MBR disk (partition 1 at LBA 2048) laid out by tests/sim/mem_block_device.h.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/sim/mem_block_device.h"

namespace xb::sim {

// Runs a shell command (sbin on the PATH); true on exit status 0.
inline bool sh(const std::string& command, std::string* output = nullptr) {
    std::string out;
    FILE* p = popen(("PATH=$PATH:/sbin:/usr/sbin " + command + " 2>&1").c_str(), "r");
    if (p == nullptr) return false;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int rc = pclose(p);
    if (output != nullptr) *output = out;
    EXPECT_EQ(rc, 0) << command << "\n" << out;
    return rc == 0;
}

inline bool have_tool(const std::string& name) {
    return std::system(("PATH=$PATH:/sbin:/usr/sbin command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

struct ImageDir {
    std::string path;
    ImageDir() {
        std::string tmpl = std::string(std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp") + "/xb-boot-XXXXXX";
        path = mkdtemp(tmpl.data());
    }
    ~ImageDir() { std::filesystem::remove_all(path); }
    ImageDir(const ImageDir&) = delete;
    ImageDir& operator=(const ImageDir&) = delete;

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

    static std::vector<std::uint8_t> read(const std::string& file) {
        std::ifstream in(file, std::ios::binary);
        return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
    }

    // ext4 of size_mib MiB holding the source tree (empty vector on failure).
    std::vector<std::uint8_t> ext4(unsigned size_mib) const {
        std::filesystem::create_directories(src());
        const std::string img = path + "/ext4.img";
        std::filesystem::remove(img);
        if (!sh("mkfs.ext4 -q -F -b 1024 -L ROOT -U 11111111-2222-3333-4444-555555555555 -E root_owner=0:0 -d " + src() + " " +
                img + " " + std::to_string(size_mib) + "M")) {
            return {};
        }
        return read(img);
    }
    // FAT (mkfs.vfat's choice of type) of size_kib KiB holding the source tree.
    std::vector<std::uint8_t> fat(unsigned size_kib) const {
        std::filesystem::create_directories(src());
        const std::string img = path + "/fat.img";
        std::filesystem::remove(img);
        if (!sh("mkfs.vfat -n BOOT -i 12345678 -C " + img + " " + std::to_string(size_kib) + " >/dev/null")) return {};
        std::string copy = "MTOOLS_NO_VFAT=0 mcopy -s -i " + img;
        bool any = false;
        for (const auto& e : std::filesystem::directory_iterator(src())) {
            copy += " '" + e.path().string() + "'";
            any = true;
        }
        if (any && !sh(copy + " ::/")) return {};
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

}  // namespace xb::sim
