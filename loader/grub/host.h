// What the grub.cfg interpreter needs from the outside world. The interpreter
// never touches a disk: bootflow/ implements this over the real disks, the
// unit tests and the fuzzer over memory.
//
// Device names are GRUB's without the parentheses: "hd0", "hd0,gpt15",
// "hd1,msdos2". Paths are absolute within that device's filesystem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lib/result.h"

namespace xb::loader::grub {

class Host {
  public:
    // The whole file into out (at most out.size() bytes; a larger file is
    // Errc::no_space, a missing one Errc::not_found). Returns its size.
    virtual Result<std::uint64_t> read_file(std::string_view dev, std::string_view path, std::span<char> out) = 0;
    struct FileInfo {
        bool exists;
        bool is_dir;
        std::uint64_t size;
    };
    // For `test -e -f -d -s`: a missing file is {false, ...}, not an error.
    virtual Result<FileInfo> stat(std::string_view dev, std::string_view path) = 0;
    // Calls visit(ctx, name) per entry of a directory (for blscfg); stops when it returns false.
    virtual Status list_dir(std::string_view dev, std::string_view path,
                            bool (*visit)(void* ctx, std::string_view name), void* ctx) = 0;
    enum class SearchKind { fs_uuid, label, file };
    // The first device (all disks, partitions in order, as GRUB does) matching;
    // writes its name into out and returns its length. Errc::not_found if none.
    virtual Result<std::size_t> search(SearchKind kind, std::string_view key, std::span<char> out) = 0;
    // echo, notes, warnings and command errors: one line, no '\n'.
    virtual void print(std::string_view line) = 0;
    // Ctrl-C: the interpreter stops everything with Errc::interrupted.
    virtual bool interrupted() = 0;

  protected:
    ~Host() = default;
};

}  // namespace xb::loader::grub
