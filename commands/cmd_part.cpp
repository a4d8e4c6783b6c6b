// part: U-Boot's partition commands on the PV disks (cmd/part.c):
//   part list <interface> <dev> [-bootable] [varname]  the table, laid out as
//        U-Boot prints DOS and EFI tables; with varname the numbers ("1 2 5")
//   part uuid|type <interface> <dev>[:<part>] [varname]  the partition's UUID
//        (GPT: its GUID; DOS: "<disk signature>-<number>", as Linux's PARTUUID)
//        or type (GPT: the type GUID; DOS: the type byte, "83")
//   part start|size|number|name <interface> <dev> <part> [varname]  start and
//        size in blocks (hex), number ("0x2"), GPT name; <part> is a number
//        (decimal, or hex with 0x) or a GPT partition name
// Without varname the value is printed, with it the variable is set.
#include <cstring>
#include <new>

#include "bootflow/fs_access.h"
#include "commands/builtins.h"
#include "lib/format.h"
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

// The disk `dev` (hex) of interface iface.
Result<BlockDevice*> pv_disk(Context& ctx, const char* iface, const char* dev_text, std::uint64_t& dev) {
    if (strcmp(iface, "pvblock") != 0) {
        return Error::make(Errc::unsupported, "unknown interface '%s' (xenboot has pvblock)", iface);
    }
    dev = TRY(parse_hex(dev_text, "device"));
    const BlockDevices* devices = ctx.services != nullptr ? &ctx.services->pvblock : nullptr;
    if (devices == nullptr || devices->count == 0) return Error::make(Errc::not_found, "no pvblock devices");
    if (dev >= devices->count || devices->dev[dev] == nullptr) {
        return Error::make(Errc::not_found, "no pvblock device %lu (devices 0-%u)", dev, devices->count - 1);
    }
    return devices->dev[dev];
}

// Prints text, or sets variable var (nullptr: print) to it.
Status put_value(Context& ctx, const char* var, const char* text) {
    if (var == nullptr) {
        ctx.con.printf("%s\n", text);
        return ok();
    }
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    return ctx.env->set(var, text);
}

// part list ... <varname>: the partition numbers in hex, blank-separated.
Status list_to_var(Context& ctx, const fs::PartitionTable& table, bool bootable_only, const char* var) {
    char text[fs::PartitionTable::kMaxPartitions * 3 + 1] = {};
    std::size_t len = 0;
    for (unsigned i = 0; i < table.count; ++i) {
        const fs::Partition& p = table.parts[i];
        if (bootable_only && !p.bootable) continue;  // extended ones too, as U-Boot's part_get_info gives them
        len += format_to(text + len, sizeof text - len, "%s%x", len != 0 ? " " : "", p.number);
    }
    return put_value(ctx, var, text);
}

Status part_list(Context& ctx, int argc, char* const argv[]) {
    if (argc < 4) return usage_error("list expects an interface and a device");
    bool bootable_only = false;
    const char* var = nullptr;
    for (int i = 4; i < argc; ++i) {
        if (strcmp(argv[i], "-bootable") == 0 && var == nullptr) bootable_only = true;
        else if (argv[i][0] == '-') return usage_error("unknown option '%s'", argv[i]);
        else if (var == nullptr && i == argc - 1) var = argv[i];
        else return usage_error("too many arguments");
    }
    if (bootable_only && var == nullptr) return usage_error("-bootable needs a variable name");
    std::uint64_t dev = 0;
    BlockDevice& disk = *TRY(pv_disk(ctx, argv[2], argv[3], dev));
    fs::HeapPartitionTable heap;
    if (heap.table == nullptr) return Error::make(Errc::no_memory, "out of memory");
    fs::PartitionTable& table = *heap.table;
    TRY_CTX(fs::read_partitions(disk, table), "pvblock %lu", dev);
    if (var != nullptr) return list_to_var(ctx, table, bootable_only, var);
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

// A disk's partition table on the heap, and the partition asked for.
struct Found {
    fs::HeapPartitionTable heap;
    const fs::Partition* part = nullptr;
    std::uint64_t dev = 0;
};

// part uuid|type <interface> <dev>[:<part>] [varname]: the partition as the
// filesystem commands pick it (no ":<part>": the first bootable, else 1).
Status part_by_devpart(Context& ctx, int argc, char* const argv[], Found& f) {
    if (argc < 4 || argc > 5) return usage_error("%s expects <interface> <dev>[:<part>] [varname]", argv[1]);
    const Volume v = TRY(open_volume(ctx, argv[2], argv[3]));
    if (v.part == 0) return Error::make(Errc::not_found, "pvblock %u has no partition table", v.disk);
    if (f.heap.table == nullptr) return Error::make(Errc::no_memory, "out of memory");
    BlockDevice& disk = *ctx.services->pvblock.dev[v.disk];
    TRY(read_table(disk, *f.heap.table));
    f.dev = v.disk;
    f.part = f.heap.table->find(v.part);
    if (f.part == nullptr) return Error::make(Errc::not_found, "pvblock %u has no partition %u", v.disk, v.part);
    return ok();
}

// part start|size|number|name <interface> <dev> <part> [varname]
Status part_by_number_or_name(Context& ctx, int argc, char* const argv[], Found& f) {
    if (argc < 5 || argc > 6) return usage_error("%s expects <interface> <dev> <part> [varname]", argv[1]);
    BlockDevice& disk = *TRY(pv_disk(ctx, argv[2], argv[3], f.dev));
    if (f.heap.table == nullptr) return Error::make(Errc::no_memory, "out of memory");
    fs::PartitionTable& table = *f.heap.table;
    const bool have_table = TRY(read_table(disk, table));
    if (!have_table) return Error::make(Errc::not_found, "pvblock %lu has no partition table", f.dev);
    // A number as U-Boot's simple_strtoul(.., 0) reads it: decimal, or hex with 0x.
    const char* text = argv[4];
    const bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    Result<std::uint64_t> n = hex ? parse_hex(text, "partition") : parse_dec(text, "partition");
    if (n.ok()) {
        f.part =
            n.value() <= fs::PartitionTable::kMaxPartitions ? table.find(static_cast<unsigned>(n.value())) : nullptr;
        if (f.part == nullptr) return Error::make(Errc::not_found, "pvblock %lu has no partition %s", f.dev, text);
        return ok();
    }
    for (unsigned i = 0; i < table.count && f.part == nullptr; ++i) {
        if (table.parts[i].name[0] != '\0' && strcmp(table.parts[i].name, text) == 0) f.part = &table.parts[i];
    }
    if (f.part == nullptr) return Error::make(Errc::not_found, "pvblock %lu has no partition named '%s'", f.dev, text);
    return ok();
}

Status part_info(Context& ctx, int argc, char* const argv[]) {
    const char* what = argv[1];
    Found f;
    char text[fs::Partition::kMaxName + 8];
    if (strcmp(what, "uuid") == 0 || strcmp(what, "type") == 0) {
        TRY(part_by_devpart(ctx, argc, argv, f));
        const fs::PartitionTable& t = *f.heap.table;
        const bool uuid = what[0] == 'u';
        if (t.kind == fs::TableKind::efi) {
            char guid[fs::kGuidTextSize];
            fs::format_guid(uuid ? f.part->uuid : f.part->type_guid, guid);
            format_to(text, sizeof text, "%s", guid);
        } else if (uuid) {
            format_to(text, sizeof text, "%08x-%02x", t.disk_signature, f.part->number);
        } else {
            format_to(text, sizeof text, "%02x", f.part->mbr_type);
        }
        return put_value(ctx, argc > 4 ? argv[4] : nullptr, text);
    }
    TRY(part_by_number_or_name(ctx, argc, argv, f));
    if (strcmp(what, "start") == 0) format_to(text, sizeof text, "%lx", f.part->first_block);
    else if (strcmp(what, "size") == 0) format_to(text, sizeof text, "%lx", f.part->block_count);
    else if (strcmp(what, "number") == 0) format_to(text, sizeof text, "0x%x", f.part->number);
    else format_to(text, sizeof text, "%s", f.part->name);
    return put_value(ctx, argc > 5 ? argv[5] : nullptr, text);
}

}  // namespace

Status do_part(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a subcommand");
    if (strcmp(argv[1], "list") == 0) return part_list(ctx, argc, argv);
    for (const char* sub : {"uuid", "type", "start", "size", "number", "name"}) {
        if (strcmp(argv[1], sub) == 0) return part_info(ctx, argc, argv);
    }
    return usage_error("unknown subcommand '%s'", argv[1]);
}

}  // namespace xb::cmd
