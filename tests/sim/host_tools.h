// The host side of tests that make real disk images: a temporary directory
// removed at the end, running the host's tools (mke2fs, mkfs.fat, mtools,
// sfdisk, sgdisk, fdisk) with one environment, and the image-making commands
// the tests share, so that each tool is driven from one place.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace xb::sim {

// A fresh directory under /dev/shm (tmpfs: thousands of small files are cheap
// there) or /tmp, removed with everything in it when the object goes.
class TempDir {
  public:
    explicit TempDir(const std::string& tag = "xb") {
        std::string tmpl =
            std::string(std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp") + "/xb-" + tag + "-XXXXXX";
        const char* made = mkdtemp(tmpl.data());
        EXPECT_NE(made, nullptr) << "mkdtemp " << tmpl;
        path = made != nullptr ? made : "/nonexistent";
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string operator/(const std::string& rel) const { return path + "/" + rel; }
    // An empty (sparse) file of `size` bytes; returns its path.
    std::string file(const std::string& name, std::uintmax_t size) const {
        const std::string f = *this / name;
        std::ofstream(f).close();
        std::filesystem::resize_file(f, size);
        return f;
    }

    std::string path;
};

// A whole file's bytes (empty if it cannot be read), in one read: images are
// tens of MiB, too many for a byte-wise copy in a sanitized build.
inline std::vector<std::uint8_t> read_file(const std::string& file) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec) return {};
    std::vector<std::uint8_t> bytes(size);
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (static_cast<std::uintmax_t>(in.gcount()) != size) return {};
    return bytes;
}

// --- running the tools ------------------------------------------------------------------------

// Where a tool lives ("" if it is not installed); sbin included, as for root.
inline std::string find_tool(const std::string& name) {
    for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
        std::string path = dir + name;
        if (access(path.c_str(), X_OK) == 0) return path;
    }
    return "";
}
inline bool have_tool(const std::string& name) { return !find_tool(name).empty(); }

struct ToolRun {
    bool ok = false;     // exit status 0
    std::string output;  // stdout, and stderr unless it was discarded
};

enum class Stderr { merged, discarded };

// Runs a shell command line of host tools with sbin on the PATH, a UTF-8 C
// locale and mtools' geometry check off. Unless the failure is expected, a
// non-zero exit status fails the test with the command and its output.
inline ToolRun run_tool(const std::string& command, Stderr err = Stderr::merged, bool may_fail = false) {
    const std::string full = "MTOOLS_SKIP_CHECK=1 LANG=C.UTF-8 LC_ALL=C.UTF-8 PATH=$PATH:/sbin:/usr/sbin " + command +
                             (err == Stderr::merged ? " 2>&1" : " 2>/dev/null");
    ToolRun r;
    FILE* p = popen(full.c_str(), "r");
    EXPECT_NE(p, nullptr) << command;
    if (p == nullptr) return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    r.ok = pclose(p) == 0;
    if (!may_fail) {
        EXPECT_TRUE(r.ok) << command << "\n" << r.output;
    }
    return r;
}

// --- images -----------------------------------------------------------------------------------

// mke2fs: a filesystem of `size` ("8M") in `image` holding the tree `src`,
// owned by root; `options` picks the type and features ("-t ext4 -b 1024").
inline bool make_ext_image(const std::string& src, const std::string& image, const std::string& options,
                           const std::string& size, const std::string& extended = "root_owner=0:0") {
    return run_tool("mke2fs -q -F -E " + extended + " " + options + " -d " + src + " " + image + " " + size +
                    " >/dev/null")
        .ok;
}

// mkfs.fat: an empty FAT of size_kib KiB in `image` (created); `options`
// picks the type, label, cluster size ("-F 16 -n BOOT").
inline bool make_fat_image(const std::string& image, const std::string& options, std::uint64_t size_kib) {
    return run_tool("mkfs.fat " + options + " -C " + image + " " + std::to_string(size_kib) + " >/dev/null").ok;
}

// mkfs.xfs: an empty XFS of `size` ("64M") in `image` (created). mkfs.xfs
// refuses filesystems under 300 MB unless it runs under fstests, whose
// variables say so: test images stay small and sparse.
inline bool make_xfs_image(const std::string& image, const std::string& options, const std::string& size) {
    return run_tool("truncate -s " + size + " " + image + " && TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f " +
                    options + " " + image + " >/dev/null")
        .ok;
}

// Loop mounts need root and a kernel that can mount the filesystem.
inline bool can_loop_mount() { return geteuid() == 0 && have_tool("unshare") && have_tool("mount"); }

// A path quoted for the shell.
inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

// mcopy: `sources` (files or directories, recursively) into `dest` ("::/")
// of the FAT image.
inline bool copy_into_fat(const std::string& image, const std::vector<std::string>& sources, const std::string& dest) {
    std::string copy = "MTOOLS_NO_VFAT=0 mcopy -s -i " + image;
    for (const std::string& s : sources) copy += " " + shell_quote(s);
    return run_tool(copy + " " + dest + " >/dev/null").ok;
}

}  // namespace xb::sim
