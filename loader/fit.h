// U-Boot FIT images (Flattened Image Tree), as `mkimage -f image.its` makes
// them: a device tree whose /images node holds sub-images (kernel, ramdisk,
// flat_dt) with their data and hash nodes, and whose /configurations node
// names which of them boot together. Format: U-Boot's doc/usage/fit/
// source_file_format.rst. The FIT is untrusted input (it comes from the
// guest's disk): the tree is checked in full (fdt::validate: v17 only, a
// structure walk, then fdt_check_full) and every property length before use;
// data is inside the bytes given.
//
// parse_fit picks a configuration (the one named, else /configurations'
// `default`, else the first), resolves its kernel, ramdisk and fdt and
// verifies every hash node of each: sha256 and crc32 (a hash node with any
// other algo, or none, is an error: an image that cannot be checked is not
// booted). Data comes from `data`, or for `mkimage -E` images from
// `data-offset` (after the tree, 4-byte aligned) or `data-position` (from the
// start of the FIT) with `data-size`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "compress/decompress.h"
#include "lib/result.h"

namespace xb::loader {

inline constexpr std::uint32_t kFdtMagic = 0xd00dfeed;

struct FitImage {
    const char* name = nullptr;          // the node under /images (points into the FIT)
    std::span<const std::uint8_t> data;  // inside the FIT's bytes
    compress::Compression compression = compress::Compression::none;
    std::optional<std::uint64_t> load;
    std::optional<std::uint64_t> entry;
    unsigned hashes = 0;  // hash nodes verified
};

struct FitConfig {
    const char* name = nullptr;  // the configuration node (points into the FIT)
    FitImage kernel;
    std::optional<FitImage> ramdisk;
    std::optional<FitImage> fdt;
};

// The size of the tree part of a FIT from its first 40 bytes (the FDT
// header's totalsize): how much to look at before parsing; external data
// may follow it.
Result<std::size_t> fit_tree_size(std::span<const std::uint8_t> header);

// True if the bytes start like a FIT (the FDT magic).
bool looks_like_fit(std::span<const std::uint8_t> bytes);

// Parses the FIT in bytes (8-byte aligned, as libfdt needs) and resolves the
// configuration `config` (nullptr: the default). Errors name the node:
//   "FIT image 'kernel-1' hash node 'hash-1': sha256 mismatch"
Result<FitConfig> parse_fit(std::span<const std::uint8_t> bytes, const char* config);

}  // namespace xb::loader
