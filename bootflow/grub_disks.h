// The disks as GRUB names them, for the native grub.cfg interpreter
// (loader/grub): pvblock N is "hdN" (GRUB's EFI disk order is the firmware's,
// which for a Xen guest is XenStore order), its partitions "hdN,gptM" or
// "hdN,msdosM" (GRUB's partmap names; a bare "hdN,M" is accepted too). It
// implements the interpreter's Host: files, `test -e/-f/-d/-s`, directory
// listings (blscfg) and `search` over every volume, mounting each once per
// boot attempt and keeping it mounted while the attempt lasts (the volume the
// scan found the config on is adopted, not mounted again).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "bootflow/fs_access.h"
#include "fs/mount.h"
#include "loader/grub/host.h"
#include "shell/command.h"

namespace xb::cmd {

class GrubDisks final : public loader::grub::Host {
  public:
    explicit GrubDisks(Context& ctx) : ctx_(ctx) {}
    ~GrubDisks();
    GrubDisks(const GrubDisks&) = delete;
    GrubDisks& operator=(const GrubDisks&) = delete;

    // Takes the volume the scan already mounted (not owned: the caller keeps
    // it, and `fs`, alive while this object lives), so it is not mounted a
    // second time, and writes GRUB's name for it ("hd0,gpt15", "hd2") to out.
    Status adopt(const Volume& v, fs::Filesystem& fs, char* out, std::size_t size);
    // The mounted filesystem of a device name (mounted on first use).
    Result<fs::Filesystem*> open(std::string_view dev);

    Result<std::uint64_t> read_file(std::string_view dev, std::string_view path, std::span<char> out) override;
    Result<FileInfo> stat(std::string_view dev, std::string_view path) override;
    Status list_dir(std::string_view dev, std::string_view path, bool (*visit)(void* ctx, std::string_view name),
                    void* visit_ctx) override;
    Result<std::size_t> search(SearchKind kind, std::string_view key, std::span<char> out) override;
    void print(std::string_view line) override;
    bool interrupted() override;

  private:
    struct Mounted {
        char dev[24] = "";
        Volume volume;
        fs::Filesystem* fs = nullptr;  // nullptr: no filesystem there (not retried)
        bool owned = true;             // false: adopt()ed, the scan's to unmount
    };
    static constexpr unsigned kMaxMounted = 40;

    Result<Mounted*> lookup_dev(std::string_view dev);
    // A new slot for v, named as GRUB names it (no filesystem yet).
    Result<Mounted*> new_slot(const Volume& v);
    Mounted* find(unsigned disk, unsigned part);
    // Partition `part` of `disk` (pvblock d, whose table was read), mounted.
    Result<Mounted*> mount_new(BlockDevice& disk, const fs::PartitionTable& table, unsigned d, unsigned part);
    // Every volume of every disk, in GRUB's search order, probed once.
    Status probe_all();
    static bool matches(const Mounted& m, SearchKind kind, std::string_view key);
    unsigned sorted(unsigned* order) const;

    Context& ctx_;
    Mounted* mounted_ = nullptr;  // heap, kMaxMounted
    unsigned count_ = 0;
    bool all_probed_ = false;
};

}  // namespace xb::cmd
