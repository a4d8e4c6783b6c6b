// part list <interface> <dev>: the partition table of a PV disk, laid out as
// U-Boot's `part list` prints DOS and EFI tables.
#include <cstring>
#include <new>

#include "commands/builtins.h"
#include "shell/parse.h"
#include "fs/partition/partition_table.h"

namespace xb::cmd {
namespace {

void print_dos(Console& con, const fs::PartitionTable& t) {
    con.write("Part\tStart Sector\tNum Sectors\tUUID\t\tType\n");
    for (unsigned i = 0; i < t.count; ++i) {
        const fs::Partition& p = t.parts[i];
        con.printf("%3u\t%-10lu\t%-10lu\t%08x-%02x\t%02x%s%s\n", p.number, p.first_block,
                   p.block_count, t.disk_signature, p.number, p.mbr_type, p.bootable ? " Boot" : "",
                   p.extended ? " Extd" : "");
    }
}

void print_efi(Console& con, const fs::PartitionTable& t) {
    con.write("Part\tStart LBA\tEnd LBA\t\tName\n\tAttributes\n\tType GUID\n\tPartition GUID\n");
    for (unsigned i = 0; i < t.count; ++i) {
        const fs::Partition& p = t.parts[i];
        char type[fs::kGuidTextSize];
        char uuid[fs::kGuidTextSize];
        fs::format_guid(p.type_guid, type);
        fs::format_guid(p.uuid, uuid);
        con.printf("%3u\t0x%08lx\t0x%08lx\t\"%s\"\n", p.number, p.first_block,
                   p.last_block(), p.name);
        con.printf("\tattrs:\t0x%016lx\n\ttype:\t%s\n", p.attributes, type);
        if (const char* known = fs::guid_type_name(p.type_guid)) con.printf("\t\t(%s)\n", known);
        con.printf("\tguid:\t%s\n", uuid);
    }
}

int part_list(Context& ctx, const Command& cmd, int argc, char* const argv[]) {
    if (argc != 4) return usage_error(ctx, cmd, "list expects an interface and a device");
    if (strcmp(argv[2], "pvblock") != 0) {
        ctx.con.printf("part: unknown interface '%s' (xenboot has pvblock)\n", argv[2]);
        return 1;
    }
    Result<std::uint64_t> dev = parse_hex(argv[3], "device");
    if (!dev.ok()) {
        ctx.con.printf("part: %s\n", dev.error().message());
        return 1;
    }
    const BlockDevices* devices = ctx.services != nullptr ? &ctx.services->pvblock : nullptr;
    if (devices == nullptr || devices->count == 0) {
        ctx.con.printf("part: no pvblock devices\n");
        return 1;
    }
    if (dev.value() >= devices->count || devices->dev[dev.value()] == nullptr) {
        ctx.con.printf("part: no pvblock device %lu (devices 0-%u)\n", dev.value(),
                       devices->count - 1);
        return 1;
    }
    BlockDevice& disk = *devices->dev[dev.value()];
    fs::HeapPartitionTable heap;
    if (heap.table == nullptr) {
        ctx.con.printf("part: out of memory\n");
        return 1;
    }
    fs::PartitionTable& table = *heap.table;
    Status s = fs::read_partitions(disk, table);
    if (!s.ok()) {
        ctx.con.printf("part: pvblock %lu: %s\n", dev.value(), s.error().message());
        return 1;
    }
    for (unsigned i = 0; i < table.warnings.count; ++i) {
        ctx.con.printf("part: pvblock %lu: warning: %s\n", dev.value(), table.warnings.text[i]);
    }
    if (table.warnings.dropped != 0) {
        ctx.con.printf("part: pvblock %lu: %u more warnings\n", dev.value(), table.warnings.dropped);
    }
    ctx.con.printf("\nPartition Map for PVBLOCK device %lu  --   Partition Type: %s\n\n", dev.value(),
                   fs::table_kind_name(table.kind));
    if (table.kind == fs::TableKind::efi) print_efi(ctx.con, table);
    else print_dos(ctx.con, table);
    return 0;
}

}  // namespace

int do_part(Context& ctx, int argc, char* const argv[]) {
    const Command& cmd = *find_command("part");
    if (argc < 2) return usage_error(ctx, cmd, "expects a subcommand");
    if (strcmp(argv[1], "list") == 0) return part_list(ctx, cmd, argc, argv);
    return usage_error(ctx, cmd, "unknown subcommand '%s'", argv[1]);
}

}  // namespace xb::cmd
