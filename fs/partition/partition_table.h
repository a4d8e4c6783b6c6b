// Partition tables over a BlockDevice (never Xen): DOS/MBR with extended
// partitions, and GPT (UEFI 2.x chapter 5), found the way U-Boot and Linux find
// them. Partitions are numbered as U-Boot and Linux number them: MBR primary
// slots 1-4, logical partitions 5, 6, ... in chain order; GPT entry index + 1.
// Number 0 means the whole disk ("pvblock 0:0" == "pvblock 0").
//
// Untrusted input: every field read from the disk is validated; chains and
// arrays are bounded. What the reader tolerates it reports as warnings the
// caller can print (see README.md for the rules).
#pragma once

#include <array>
#include <cstdint>
#include <new>

#include "fs/partition/guid.h"
#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs {

enum class TableKind : std::uint8_t { dos, efi };

// "DOS" or "EFI", as U-Boot's `part list` names the table types.
const char* table_kind_name(TableKind kind);

struct Partition {
    // 36 UTF-16 code units, each at most 3 bytes of UTF-8 (a surrogate pair is
    // two units and 4 bytes), + NUL.
    static constexpr std::size_t kMaxName = 36 * 3 + 1;

    unsigned number = 0;            // 1-based, see above
    std::uint64_t first_block = 0;  // in the disk's blocks
    std::uint64_t block_count = 0;
    std::uint8_t mbr_type = 0;     // DOS: the partition type byte (0x83, 0x0c, ...)
    bool bootable = false;         // DOS: boot flag 0x80; EFI: attribute bit 2 (legacy BIOS bootable)
    bool extended = false;         // DOS: an extended partition (a container, listed but never opened)
    Guid type_guid;                // EFI
    Guid uuid;                     // EFI: unique partition GUID
    std::uint64_t attributes = 0;  // EFI
    char name[kMaxName] = {};      // EFI: the name as UTF-8; DOS: empty

    std::uint64_t last_block() const { return first_block + block_count - 1; }
};

// Problems the reader tolerated ("using the backup GPT", "partitions 1 and 2
// overlap", ...); each is one line without a trailing newline.
struct Warnings {
    static constexpr unsigned kMax = 4;
    static constexpr std::size_t kLength = 160;

    [[gnu::format(printf, 2, 3)]] void add(const char* fmt, ...);
    unsigned count = 0;
    unsigned dropped = 0;  // warnings beyond kMax
    char text[kMax][kLength] = {};
};

struct PartitionTable {
    // The usual GPT entry count; an MBR with more partitions than fit is an error.
    static constexpr unsigned kMaxPartitions = 128;

    TableKind kind = TableKind::dos;
    std::uint32_t disk_signature = 0;  // DOS: MBR bytes 440-443 (U-Boot's "%08x-%02x" UUIDs)
    Guid disk_guid;                    // EFI
    std::uint64_t header_block = 0;    // EFI: where the GPT header in use was (1, or the backup's)
    std::uint64_t first_usable = 0;    // EFI
    std::uint64_t last_usable = 0;     // EFI
    unsigned count = 0;                // partitions in parts[], in number order
    std::array<Partition, kMaxPartitions> parts{};
    Warnings warnings;

    // The partition with this number, or nullptr.
    const Partition* find(unsigned number) const;
};

// A PartitionTable on the heap: it is ~22 KiB and the firmware's stack 64 KiB.
// `table` is nullptr when the heap is exhausted.
struct HeapPartitionTable {
    PartitionTable* table = new (std::nothrow) PartitionTable;
    HeapPartitionTable() = default;
    HeapPartitionTable(const HeapPartitionTable&) = delete;
    HeapPartitionTable& operator=(const HeapPartitionTable&) = delete;
    ~HeapPartitionTable() { delete table; }
};

// Reads the partition table of `disk` into `out` (about 22 KiB: callers in the
// firmware keep it on the heap, not the 64 KiB stack). Errors:
//   not_found   no partition table (no 0x55aa signature, or block 0 is not an MBR);
//   bad_data    a table that cannot be trusted (both GPT headers invalid, an EBR
//               chain that loops or is longer than 128, more partitions than fit);
//   unsupported a block size other than 512, 1024, 2048 or 4096;
//   the device's own errors (io, ...) with what was being read in front.
Status read_partitions(BlockDevice& disk, PartitionTable& out);

// A window onto partition `number` of `disk` (0: the whole disk), named
// "<disk name>:<number>" ("pvblock 0:1"); the whole disk keeps the disk's name.
// Extended partitions are containers and cannot be opened.
Result<BlockDeviceSlice> partition_slice(BlockDevice& disk, const PartitionTable& table, unsigned number);

}  // namespace xb::fs
