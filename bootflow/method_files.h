// File helpers the boot methods share: loading a file to one of the *_addr_r
// addresses without running into the next one, and reading a small config
// file (untrusted, size-limited) into a NUL-terminated heap buffer.
#pragma once

#include <cstdint>

#include "fs/filesystem.h"
#include "lib/result.h"
#include "shell/command.h"

namespace xb::cmd {

// Loads `path` to $<addr_var> plus `offset`, refusing files that would run
// into the area of $<limit_var> (the next load address above; nullptr: no
// limit). Prints "Retrieving <what>: <path>" and the load figures, sets
// $filesize. Returns the size.
Result<std::uint64_t> load_to(Context& ctx, fs::Filesystem& fs, const char* what, const char* path,
                              const char* addr_var, const char* limit_var, std::uint64_t offset = 0);

// A config file's text: heap, NUL-terminated, freed with the object.
struct TextFile {
    char* text = nullptr;
    std::uint64_t size = 0;
    TextFile() = default;
    TextFile(const TextFile&) = delete;
    TextFile& operator=(const TextFile&) = delete;
    ~TextFile() { delete[] text; }
};

inline constexpr std::uint64_t kMaxConfSize = 64 * 1024;

// Reads the file at `path` (at most `limit` bytes, else Errc::bad_data).
Status read_text(fs::Filesystem& fs, const char* path, TextFile& out, std::uint64_t limit = kMaxConfSize);

}  // namespace xb::cmd
