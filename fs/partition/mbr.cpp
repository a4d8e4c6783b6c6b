#include "fs/partition/mbr.h"

#include "fs/disk_reader.h"
#include "lib/endian.h"

namespace xb::fs::detail {
namespace {

constexpr unsigned kDiskSignatureOffset = 440;
constexpr unsigned kEntriesOffset = 446;
constexpr unsigned kEntrySize = 16;
constexpr unsigned kEntries = 4;
constexpr std::uint8_t kProtectiveType = 0xee;
constexpr unsigned kFirstLogical = 5;
// Longest EBR chain followed; a longer one is treated as corrupt (a loop that
// dodges the visited check would need more EBRs than this anyway).
constexpr unsigned kMaxEbrs = 128;

struct Entry {
    std::uint8_t boot;
    std::uint8_t type;
    std::uint32_t first;
    std::uint32_t count;

    bool empty() const { return type == 0 || count == 0; }
};

Entry entry(const std::uint8_t* block, unsigned i) {
    const std::uint8_t* e = block + kEntriesOffset + i * kEntrySize;
    return Entry{e[0], e[4], load_le32(e + 8), load_le32(e + 12)};
}

// DOS (0x05), Windows LBA (0x0f) and Linux (0x85) extended partitions.
bool is_extended(std::uint8_t type) { return type == 0x05 || type == 0x0f || type == 0x85; }

// Adds a data or extended partition, or warns and skips it if it leaves the disk.
Status add_if_on_disk(BlockDevice& disk, PartitionTable& out, unsigned number, const Entry& e, std::uint64_t first) {
    if (!extent_within(first, e.count, disk.block_count())) {
        out.warnings.add("partition %u (blocks %lu+%u) extends beyond the disk's %lu blocks: ignored", number, first,
                         e.count, disk.block_count());
        return ok();
    }
    Partition p;
    p.number = number;
    p.first_block = first;
    p.block_count = e.count;
    p.mbr_type = e.type;
    p.bootable = e.boot == 0x80;
    p.extended = is_extended(e.type);
    return add_partition(out, p);
}

// Follows the EBR chain of the extended partition starting at `ext_first`.
// Logical partitions are relative to their EBR, links to the next EBR relative
// to the extended partition. Numbers go on from `next_number`: every non-empty
// data entry takes one, as Linux and U-Boot count them.
Status read_logical(BlockDevice& disk, std::uint64_t ext_first, unsigned& next_number, PartitionTable& out) {
    std::uint64_t visited[kMaxEbrs];
    unsigned visits = 0;
    BlockBuffer buf;
    std::uint64_t ebr = ext_first;
    for (;;) {
        for (unsigned i = 0; i < visits; ++i) {
            if (visited[i] == ebr) {
                return Error::make(Errc::bad_data, "extended partition at block %lu: EBR chain loops back to block %lu",
                                   ext_first, ebr);
            }
        }
        if (visits == kMaxEbrs) {
            return Error::make(Errc::bad_data, "extended partition at block %lu: more than %u EBRs in its chain",
                               ext_first, kMaxEbrs);
        }
        visited[visits++] = ebr;
        TRY(read_block(disk, ebr, buf, "EBR"));
        if (!mbr_has_signature(buf.bytes)) {
            out.warnings.add("EBR at block %lu has no 0x55aa signature: no logical partitions from %u on", ebr,
                             next_number);
            return ok();
        }
        std::uint64_t link = 0;
        bool have_link = false;
        for (unsigned i = 0; i < kEntries; ++i) {
            const Entry e = entry(buf.bytes, i);
            if (e.empty()) continue;
            if (is_extended(e.type)) {
                // The first link wins; Linux follows only one as well.
                if (!have_link) {
                    link = ext_first + e.first;
                    have_link = true;
                }
                continue;
            }
            TRY(add_if_on_disk(disk, out, next_number++, e, ebr + e.first));
        }
        if (!have_link) return ok();
        if (link >= disk.block_count()) {
            out.warnings.add("EBR at block %lu links to block %lu, beyond the disk: no logical partitions from %u on",
                             ebr, link, next_number);
            return ok();
        }
        ebr = link;
    }
}

}  // namespace

bool mbr_has_signature(const std::uint8_t* block0) { return block0[510] == 0x55 && block0[511] == 0xaa; }

bool mbr_is_protective(const std::uint8_t* block0) {
    for (unsigned i = 0; i < kEntries; ++i) {
        if (entry(block0, i).type == kProtectiveType) return true;
    }
    return false;
}

Status read_mbr(BlockDevice& disk, const std::uint8_t* block0, PartitionTable& out) {
    // As Linux does: a boot flag other than 0x00/0x80 means block 0 is not an
    // MBR (typically a FAT or NTFS boot sector, which also ends in 0x55aa).
    for (unsigned i = 0; i < kEntries; ++i) {
        const std::uint8_t boot = entry(block0, i).boot;
        if (boot != 0x00 && boot != 0x80) {
            return Error::make(Errc::not_found,
                               "no partition table: block 0 has 0x55aa but entry %u has boot flag 0x%02x", i + 1, boot);
        }
    }
    out.kind = TableKind::dos;
    out.disk_signature = load_le32(block0 + kDiskSignatureOffset);
    // Primary slots keep their numbers 1-4 whether or not the others are used.
    for (unsigned i = 0; i < kEntries; ++i) {
        const Entry e = entry(block0, i);
        if (!e.empty()) TRY(add_if_on_disk(disk, out, i + 1, e, e.first));
    }
    unsigned next_number = kFirstLogical;
    for (unsigned i = 0; i < kEntries; ++i) {
        const Entry e = entry(block0, i);
        if (e.empty() || !is_extended(e.type) || !extent_within(e.first, e.count, disk.block_count())) continue;
        TRY(read_logical(disk, e.first, next_number, out));
    }
    return ok();
}

}  // namespace xb::fs::detail
