// What the filesystem fuzz targets (fuzz_ext4, fuzz_xfs, fuzz_btrfs) share:
// a trap on a broken expectation, and a bounded walk of a mounted tree that
// lists every directory (checking the names) and reads every file and
// symlink into a buffer with guard bytes around it (checking the counts).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "fs/filesystem.h"

namespace xb::fuzz {

inline void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct WalkLimits {
    unsigned max_depth = 6;
    std::size_t read_size = 70000;  // the first read of every file
    // ext4 and XFS list "." and ".." and are walked by looking each directory
    // up by path; btrfs lists neither and is walked by its entries' nodes.
    bool by_path = true;
};

inline constexpr std::size_t kGuard = 64;

// Collects a directory's entries, at most *budget in all (shared by the walk).
struct Collect final : fs::DirVisitor {
    std::vector<std::pair<std::string, fs::Node>> entries;
    unsigned* budget;
    explicit Collect(unsigned* b) : budget(b) {}
    bool visit(const fs::DirEntry& e) override {
        check(!e.name.empty() && e.name.size() <= 255 && e.name.find('\0') == std::string_view::npos &&
              e.name.find('/') == std::string_view::npos);
        entries.emplace_back(std::string(e.name), e.node);
        if (*budget == 0) return false;
        --*budget;
        return true;
    }
};

// Reads len bytes from offset between guard bytes: the read must stay inside
// and return exactly what the node's size allows.
inline void read_checked(fs::Filesystem& fs, const fs::Node& node, std::uint64_t offset, std::size_t len) {
    static std::vector<std::uint8_t> buf;
    if (buf.size() < len + 2 * kGuard) buf.resize(len + 2 * kGuard);
    std::memset(buf.data(), 0xa5, buf.size());
    auto r = fs.read(node, offset, {buf.data() + kGuard, len});
    if (r.ok()) {
        check(r.value() <= len);
        check(offset >= node.size || r.value() == std::min<std::uint64_t>(len, node.size - offset));
    }
    for (std::size_t i = 0; i < kGuard; ++i) check(buf[i] == 0xa5 && buf[kGuard + len + i] == 0xa5);
}

inline void walk(fs::Filesystem& fs, const fs::Node& dir, const std::string& path, unsigned depth, unsigned* budget,
                 const WalkLimits& limits) {
    Collect c(budget);
    if (!fs.list(dir, c).ok()) return;
    for (const auto& [name, node] : c.entries) {
        if (limits.by_path && (name == "." || name == "..")) continue;
        const std::string child = path + "/" + name;
        if (node.type == fs::NodeType::directory) {
            if (depth >= limits.max_depth) continue;
            if (!limits.by_path) {
                walk(fs, node, child, depth + 1, budget, limits);
            } else if (auto found = fs.lookup(child); found.ok()) {
                walk(fs, found.value(), child, depth + 1, budget, limits);
            }
        } else {
            read_checked(fs, node, 0, limits.read_size);
            if (node.size > 3) read_checked(fs, node, node.size / 3, 5000);
            read_checked(fs, node, node.size, 10);
            if (node.type == fs::NodeType::symlink) (void)fs.lookup(child);
        }
    }
}

}  // namespace xb::fuzz
