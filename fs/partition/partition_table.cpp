#include "fs/partition/partition_table.h"

#include <cstdarg>

#include "fs/disk_reader.h"
#include "fs/partition/gpt.h"
#include "fs/partition/mbr.h"
#include "lib/format.h"

namespace xb::fs {
namespace {

// Resets in place: the table is too big to build a fresh one on the stack.
void clear(PartitionTable& t) {
    t.kind = TableKind::dos;
    t.disk_signature = 0;
    t.disk_guid = Guid{};
    t.header_block = 0;
    t.first_usable = 0;
    t.last_usable = 0;
    t.count = 0;
    t.warnings.count = 0;
    t.warnings.dropped = 0;
}

bool overlap(const Partition& a, const Partition& b) {
    return a.first_block <= b.last_block() && b.first_block <= a.last_block();
}

// Overlapping partitions are tolerated (each is still a valid window onto the
// disk, and refusing the whole table would strand the others) but reported.
// Extended partitions are left out: logical partitions lie inside them.
void warn_overlaps(PartitionTable& t) {
    for (unsigned i = 0; i < t.count; ++i) {
        if (t.parts[i].extended) continue;
        for (unsigned j = i + 1; j < t.count; ++j) {
            if (t.parts[j].extended || !overlap(t.parts[i], t.parts[j])) continue;
            t.warnings.add("partitions %u and %u overlap", t.parts[i].number, t.parts[j].number);
        }
    }
}

}  // namespace

const char* table_kind_name(TableKind kind) { return kind == TableKind::efi ? "EFI" : "DOS"; }

void Warnings::add(const char* fmt, ...) {
    if (count == kMax) {
        ++dropped;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vformat_to(text[count], kLength, fmt, ap);
    va_end(ap);
    ++count;
}

const Partition* PartitionTable::find(unsigned number) const {
    for (unsigned i = 0; i < count; ++i) {
        if (parts[i].number == number) return &parts[i];
    }
    return nullptr;
}

Status read_partitions(BlockDevice& disk, PartitionTable& out) {
    clear(out);
    TRY(detail::check_block_size(disk));
    if (disk.block_count() == 0) return Error::make(Errc::not_found, "no partition table: the disk is empty");
    detail::BlockBuffer block0;
    TRY(detail::read_block(disk, 0, block0, "MBR"));
    if (!detail::mbr_has_signature(block0.bytes)) {
        return Error::make(Errc::not_found, "no partition table (no 0x55aa signature in block 0)");
    }
    // A protective MBR means GPT; a GPT that cannot be read is an error, not a
    // reason to believe the 0xee entry (UEFI 2.x section 5.2.3).
    Status s = detail::mbr_is_protective(block0.bytes) ? detail::read_gpt(disk, out)
                                                       : detail::read_mbr(disk, block0.bytes, out);
    if (!s.ok()) {
        clear(out);
        return s;
    }
    warn_overlaps(out);
    return ok();
}

Result<BlockDeviceSlice> partition_slice(BlockDevice& disk, const PartitionTable& table, unsigned number) {
    if (number == 0) return BlockDeviceSlice(&disk, 0, disk.block_count(), disk.name());
    const Partition* p = table.find(number);
    if (p == nullptr) return Error::make(Errc::not_found, "%s: no partition %u", disk.name(), number);
    if (p->extended) {
        return Error::make(Errc::invalid_argument, "%s: partition %u is an extended partition (a container)",
                           disk.name(), number);
    }
    if (!detail::extent_within(p->first_block, p->block_count, disk.block_count())) {
        return Error::make(Errc::invalid_argument, "%s: partition %u (blocks %lu+%lu) is beyond the disk", disk.name(),
                           number, p->first_block, p->block_count);
    }
    char name[32];
    format_to(name, sizeof name, "%s:%u", disk.name(), number);
    return BlockDeviceSlice(&disk, p->first_block, p->block_count, name);
}

}  // namespace xb::fs
