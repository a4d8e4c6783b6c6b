// What the filesystem commands (ls, load, size, fstype, ext4*/fat*), `test -e`
// and the boot flow share: naming a volume the U-Boot way ("pvblock 0:1"),
// mounting it, and loading a file into free RAM.
#pragma once

#include <cstdint>

#include "shell/command.h"
#include "fs/mount.h"
#include "fs/partition/partition_table.h"
#include "lib/block_device.h"

namespace xb::cmd {

// A partition, or a whole disk, of a pvblock device.
struct Volume {
    BlockDeviceSlice slice;
    unsigned disk = 0;
    unsigned part = 0;  // 0: the whole disk
    bool gpt = false;   // the table it came from is a GPT (GRUB's "gptN", else "msdosN")
};

// The slice renamed "pvblock D:P" (the name users type; errors from the
// filesystems quote it).
BlockDeviceSlice named_volume(const BlockDeviceSlice& slice, unsigned disk, unsigned part);

// Reads the partition table of `disk` into `table`. A disk without one reads as
// an empty table; the result says whether there was one. Other errors (I/O, a
// table that cannot be trusted) are returned.
Result<bool> read_table(BlockDevice& disk, fs::PartitionTable& table);

// The volumes of a disk in the order the scan and GRUB's search visit them:
// its partitions in table order (extended ones excluded), or 0 (the whole
// disk) when it has none. (mkfs.vfat on a whole disk writes 0x55aa and four
// empty entries: an empty MBR.) Returns the count.
unsigned volume_numbers(const fs::PartitionTable& table, unsigned (&out)[fs::PartitionTable::kMaxPartitions]);

// Partition `part` of `disk` (0: the whole disk), which is pvblock `disk_index`.
Result<Volume> volume_of(BlockDevice& disk, const fs::PartitionTable& table, unsigned disk_index, unsigned part);

// "<dev>[:<part>]" on interface `iface` (only "pvblock"). dev and part are hex
// as in U-Boot. devpart nullptr or "": the current device (`pvblock dev N`).
// Without ":<part>" (U-Boot's "auto"): the first bootable partition, else
// partition 1, or the whole disk when it has no partition table.
Result<Volume> open_volume(Context& ctx, const char* iface, const char* devpart);

// Opens and mounts in one step; volume (optional) receives what was opened.
// The filesystem keeps a pointer to volume->slice, so `volume` must outlive it:
// callers pass their own Volume.
Result<fs::Filesystem*> mount_volume(Context& ctx, const char* iface, const char* devpart, fs::FsKind kind,
                                     Volume& volume);

struct LoadResult {
    std::uint64_t bytes = 0;
    std::uint64_t ms = 0;
};

// Loads `len` bytes (0: up to the end of the file) of `path` from offset `pos`
// to `addr`. The whole destination must be free RAM (checked before anything
// is written: a load never touches xenboot or leaves RAM). Reads in chunks of
// kLoadChunk, checking ctx.ctrlc() between them: Ctrl-C stops it with
// Errc::interrupted. Directories are refused.
inline constexpr std::uint64_t kLoadChunk = 16ULL << 20;
Result<LoadResult> load_file(Context& ctx, fs::Filesystem& fs, const char* path, std::uint64_t addr, std::uint64_t len,
                             std::uint64_t pos);

// "12345678 bytes read in 52 ms (226.4 MiB/s)", as U-Boot words it.
void print_load_result(Context& ctx, const LoadResult& r);

// True if `path` exists on the volume (the `test -e` hook in Services).
Result<bool> file_exists(Context& ctx, const char* iface, const char* devpart, const char* path);

}  // namespace xb::cmd
