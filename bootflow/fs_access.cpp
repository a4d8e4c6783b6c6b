#include "bootflow/fs_access.h"

#include <cstring>
#include <new>

#include "arch/arch.h"
#include "shell/parse.h"
#include "fs/partition/partition_table.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"

namespace xb::cmd {
namespace {

// Splits "dev[:part]" (hex numbers); part_given false without ':'.
Status parse_devpart(const char* text, std::uint64_t& dev, std::uint64_t& part, bool& part_given) {
    char buf[32];
    if (strlen(text) >= sizeof buf) return Error::make(Errc::invalid_argument, "invalid device '%s'", text);
    strcpy(buf, text);
    char* colon = strchr(buf, ':');
    part_given = colon != nullptr;
    if (colon != nullptr) *colon = '\0';
    dev = TRY(parse_hex(buf, "device"));
    part = 0;
    if (part_given) {
        // U-Boot's "auto" is the same as leaving the partition out.
        if (strcmp(colon + 1, "auto") == 0 || colon[1] == '\0') part_given = false;
        else part = TRY(parse_hex(colon + 1, "partition"));
    }
    return ok();
}

}  // namespace

BlockDeviceSlice named_volume(const BlockDeviceSlice& slice, unsigned disk, unsigned part) {
    char name[32];
    format_to(name, sizeof name, "pvblock %u:%u", disk, part);
    return BlockDeviceSlice(slice.parent(), slice.first_block(), slice.block_count(), name);
}

Result<bool> read_table(BlockDevice& disk, fs::PartitionTable& table) {
    Status read = fs::read_partitions(disk, table);
    if (read.ok()) return true;
    if (read.error().code() != Errc::not_found) return read.error();
    table.count = 0;
    return false;
}

unsigned volume_numbers(const fs::PartitionTable& table, unsigned (&out)[fs::PartitionTable::kMaxPartitions]) {
    unsigned n = 0;
    for (unsigned i = 0; i < table.count && n < fs::PartitionTable::kMaxPartitions; ++i) {
        if (!table.parts[i].extended) out[n++] = table.parts[i].number;
    }
    if (n == 0) out[n++] = 0;
    return n;
}

Result<Volume> volume_of(BlockDevice& disk, const fs::PartitionTable& table, unsigned disk_index, unsigned part) {
    const BlockDeviceSlice slice = TRY(fs::partition_slice(disk, table, part));
    Volume v;
    v.slice = named_volume(slice, disk_index, part);
    v.disk = disk_index;
    v.part = part;
    v.gpt = table.kind == fs::TableKind::efi;
    return v;
}

Result<Volume> open_volume(Context& ctx, const char* iface, const char* devpart) {
    if (iface == nullptr || strcmp(iface, "pvblock") != 0) {
        return Error::make(Errc::invalid_argument, "unknown interface '%s' (xenboot has pvblock)",
                           iface != nullptr ? iface : "");
    }
    const BlockDevices* devices = ctx.services != nullptr ? &ctx.services->pvblock : nullptr;
    if (devices == nullptr || devices->count == 0) return Error::make(Errc::not_found, "no pvblock devices");
    std::uint64_t dev = devices->current, part = 0;
    bool part_given = false;
    if (devpart != nullptr && devpart[0] != '\0') TRY(parse_devpart(devpart, dev, part, part_given));
    if (dev >= devices->count) {
        return Error::make(Errc::not_found, "no pvblock device %lu (%u present)", dev, devices->count);
    }
    BlockDevice& disk = *devices->dev[dev];
    fs::HeapPartitionTable t;
    if (t.table == nullptr) return Error::make(Errc::no_memory, "no memory for a partition table");
    const bool have_table = TRY(read_table(disk, *t.table));
    if (!part_given) {
        part = 0;
        // A table without partitions (mkfs.vfat on a whole disk leaves an empty
        // MBR) means the whole disk, as no table does.
        for (unsigned i = 0; i < t.table->count && part == 0; ++i) {
            if (t.table->parts[i].bootable && !t.table->parts[i].extended) part = t.table->parts[i].number;
        }
        if (part == 0 && t.table->count != 0) part = 1;
    } else if (part != 0 && !have_table) {
        return Error::make(Errc::not_found, "%s: no partition table, so no partition %lu", disk.name(), part);
    }
    return volume_of(disk, *t.table, static_cast<unsigned>(dev), static_cast<unsigned>(part));
}

Result<fs::Filesystem*> mount_volume(Context& ctx, const char* iface, const char* devpart, fs::FsKind kind,
                                     Volume& volume) {
    volume = TRY(open_volume(ctx, iface, devpart));
    return fs::mount(volume.slice, kind);
}

Result<LoadResult> load_file(Context& ctx, fs::Filesystem& fs, const char* path, std::uint64_t addr, std::uint64_t len,
                             std::uint64_t pos) {
    const fs::Node node = TRY_CTX(fs.lookup(path), "%s", path);  // the filesystem names only the missing component
    if (node.type == fs::NodeType::directory) return Error::make(Errc::invalid_argument, "%s is a directory", path);
    if (node.type != fs::NodeType::file) return Error::make(Errc::invalid_argument, "%s is not a regular file", path);
    if (pos > node.size) {
        return Error::make(Errc::invalid_argument, "%s: offset 0x%lx is beyond its %lu bytes", path, pos, node.size);
    }
    const std::uint64_t available = node.size - pos;
    const std::uint64_t want = (len == 0 || len > available) ? available : len;
    if (want != 0) {
        if (addr + want < addr)
            return Error::make(Errc::invalid_argument, "%s: 0x%lx + %lu bytes wraps around", path, addr, want);
        TRY(ctx.sys.memory.require_free(Range{addr, want}, path));
    }
    const std::uint64_t start = arch::counter();
    std::uint64_t done = 0;
    while (done < want) {
        if (ctx.ctrlc()) {
            return Error::make(Errc::interrupted, "%s: interrupted after %lu of %lu bytes", path, done, want);
        }
        const std::uint64_t chunk = want - done < kLoadChunk ? want - done : kLoadChunk;
        auto* dst = reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr + done));
        const std::uint64_t got = TRY(fs.read(node, pos + done, std::span<std::uint8_t>(dst, chunk)));
        if (got != chunk) {
            return Error::make(Errc::bad_data, "%s: short read at offset %lu (%lu of %lu bytes)", path, pos + done, got,
                               chunk);
        }
        done += chunk;
    }
    const std::uint64_t elapsed = arch::counter() - start;
    if (ctx.services != nullptr) ctx.services->times.load_us += arch::ticks_to_us(elapsed);
    return LoadResult{done, arch::ticks_to_ms(elapsed)};
}

void print_load_result(Context& ctx, const LoadResult& r) {
    ctx.con.printf("%lu bytes read in %lu ms", r.bytes, r.ms);
    if (r.ms != 0) {
        // MiB/s with one decimal, in integers: bytes * 10000 / (ms * 1 MiB) tenths... kept overflow-safe.
        const std::uint64_t tenths = (r.bytes / r.ms) * 1000 * 10 / (1ULL << 20);
        ctx.con.printf(" (%lu.%lu MiB/s)", tenths / 10, tenths % 10);
    }
    ctx.con.write("\n");
}

Result<bool> file_exists(Context& ctx, const char* iface, const char* devpart, const char* path) {
    Volume volume;
    fs::MountedFs fs(TRY(mount_volume(ctx, iface, devpart, fs::FsKind::any, volume)));
    Result<fs::Node> node = fs->lookup(path);
    if (node.ok()) return true;
    if (node.error().code() == Errc::not_found) return false;
    return node.error();
}

}  // namespace xb::cmd
