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
        con.printf("%3u\t%-10lu\t%-10lu\t%08x-%02x\t%02x%s%s\n", p.number, p.first_block, p.block_count,
                   t.disk_signature, p.number, p.mbr_type, p.bootable ? " Boot" : "", p.extended ? " Extd" : "");
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
        con.printf("%3u\t0x%08lx\t0x%08lx\t\"%s\"\n", p.number, p.first_block, p.last_block(), p.name);
        con.printf("\tattrs:\t0x%016lx\n\ttype:\t%s\n", p.attributes, type);
        if (const char* known = fs::guid_type_name(p.type_guid)) con.printf("\t\t(%s)\n", known);
        con.printf("\tguid:\t%s\n", uuid);
    }
}

Status part_list(Context& ctx, int argc, char* const argv[]) {
    if (argc != 4) return usage_error("list expects an interface and a device");
    if (strcmp(argv[2], "pvblock") != 0) {
        return Error::make(Errc::unsupported, "unknown interface '%s' (xenboot has pvblock)", argv[2]);
    }
    const std::uint64_t dev = TRY(parse_hex(argv[3], "device"));
    const BlockDevices* devices = ctx.services != nullptr ? &ctx.services->pvblock : nullptr;
    if (devices == nullptr || devices->count == 0) return Error::make(Errc::not_found, "no pvblock devices");
    if (dev >= devices->count || devices->dev[dev] == nullptr) {
        return Error::make(Errc::not_found, "no pvblock device %lu (devices 0-%u)", dev, devices->count - 1);
    }
    BlockDevice& disk = *devices->dev[dev];
    fs::HeapPartitionTable heap;
    if (heap.table == nullptr) return Error::make(Errc::no_memory, "out of memory");
    fs::PartitionTable& table = *heap.table;
    TRY_CTX(fs::read_partitions(disk, table), "pvblock %lu", dev);
    for (unsigned i = 0; i < table.warnings.count; ++i) {
        ctx.con.printf("part: pvblock %lu: warning: %s\n", dev, table.warnings.text[i]);
    }
    if (table.warnings.dropped != 0) {
        ctx.con.printf("part: pvblock %lu: %u more warnings\n", dev, table.warnings.dropped);
    }
    ctx.con.printf("\nPartition Map for PVBLOCK device %lu  --   Partition Type: %s\n\n", dev,
                   fs::table_kind_name(table.kind));
    if (table.kind == fs::TableKind::efi) print_efi(ctx.con, table);
    else print_dos(ctx.con, table);
    return ok();
}

}  // namespace

Status do_part(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a subcommand");
    if (strcmp(argv[1], "list") == 0) return part_list(ctx, argc, argv);
    return usage_error("unknown subcommand '%s'", argv[1]);
}

}  // namespace xb::cmd
