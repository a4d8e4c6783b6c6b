#include "bootflow/grub_disks.h"

#include <cstring>
#include <new>

#include "bootflow/services.h"
#include "fs/partition/partition_table.h"
#include "lib/ascii.h"

namespace xb::cmd {
namespace {

// "hd0,gpt15" -> disk 0, partition 15; "hd2" -> disk 2, partition 0.
struct DevName {
    unsigned disk = 0;
    unsigned part = 0;
};

bool parse_number(std::string_view& s, unsigned& out) {
    std::size_t i = 0;
    std::uint64_t v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 6) v = v * 10 + static_cast<unsigned>(s[i++] - '0');
    if (i == 0 || (i < s.size() && s[i] >= '0' && s[i] <= '9')) return false;
    out = static_cast<unsigned>(v);
    s.remove_prefix(i);
    return true;
}

Result<DevName> parse_dev(std::string_view dev) {
    DevName n;
    std::string_view s = dev;
    if (s.substr(0, 2) != "hd" || (s.remove_prefix(2), !parse_number(s, n.disk))) {
        return Error::make(Errc::not_found, "no such device '%.*s' (xenboot has hdN disks)",
                           static_cast<int>(dev.size()), dev.data());
    }
    if (s.empty()) return n;
    if (s.front() != ',') {
        return Error::make(Errc::invalid_argument, "bad device name '%.*s'", static_cast<int>(dev.size()), dev.data());
    }
    s.remove_prefix(1);
    if (s.substr(0, 3) == "gpt") s.remove_prefix(3);
    else if (s.substr(0, 5) == "msdos") s.remove_prefix(5);
    if (!parse_number(s, n.part) || !s.empty() || n.part == 0) {
        return Error::make(Errc::invalid_argument, "bad device name '%.*s'", static_cast<int>(dev.size()), dev.data());
    }
    return n;
}

struct NameVisitor final : fs::DirVisitor {
    bool (*fn)(void*, std::string_view);
    void* arg;
    NameVisitor(bool (*f)(void*, std::string_view), void* a) : fn(f), arg(a) {}
    bool visit(const fs::DirEntry& e) override { return fn(arg, e.name); }
};

}  // namespace

GrubDisks::~GrubDisks() {
    if (mounted_ == nullptr) return;
    for (unsigned i = 0; i < count_; ++i) {
        if (mounted_[i].owned) delete mounted_[i].fs;
    }
    delete[] mounted_;
}

Result<GrubDisks::Mounted*> GrubDisks::new_slot(const Volume& v) {
    if (mounted_ == nullptr) {
        mounted_ = new (std::nothrow) Mounted[kMaxMounted];
        if (mounted_ == nullptr) return Error::make(Errc::no_memory, "no memory for GRUB's device list");
    }
    if (count_ == kMaxMounted) return Error::make(Errc::no_space, "more than %u GRUB devices", kMaxMounted);
    Mounted& m = mounted_[count_++];
    m.volume = v;
    if (v.part == 0) format_to(m.dev, sizeof m.dev, "hd%u", v.disk);
    else format_to(m.dev, sizeof m.dev, "hd%u,%s%u", v.disk, v.gpt ? "gpt" : "msdos", v.part);
    return &m;
}

GrubDisks::Mounted* GrubDisks::find(unsigned disk, unsigned part) {
    for (unsigned i = 0; i < count_; ++i) {
        if (mounted_[i].volume.disk == disk && mounted_[i].volume.part == part) return &mounted_[i];
    }
    return nullptr;
}

Result<GrubDisks::Mounted*> GrubDisks::mount_new(BlockDevice& disk, const fs::PartitionTable& table, unsigned d,
                                                 unsigned part) {
    const Volume v = TRY(volume_of(disk, table, d, part));
    Mounted* m = TRY(new_slot(v));
    Result<fs::Filesystem*> fs = fs::mount(m->volume.slice);
    m->fs = fs.ok() ? fs.value() : nullptr;
    return m;
}

Status GrubDisks::adopt(const Volume& v, fs::Filesystem& fs, char* out, std::size_t size) {
    // The scan read the partition table and mounted the volume already.
    Mounted* m = TRY(new_slot(v));
    m->fs = &fs;
    m->owned = false;
    format_to(out, size, "%s", m->dev);
    return ok();
}

Result<GrubDisks::Mounted*> GrubDisks::lookup_dev(std::string_view dev) {
    const DevName n = TRY(parse_dev(dev));
    if (Mounted* m = find(n.disk, n.part)) return m;
    const BlockDevices* devices = ctx_.services != nullptr ? &ctx_.services->pvblock : nullptr;
    if (devices == nullptr || n.disk >= devices->count) {
        return Error::make(Errc::not_found, "no such disk 'hd%u' (%u disks)", n.disk,
                           devices != nullptr ? devices->count : 0);
    }
    BlockDevice& disk = *devices->dev[n.disk];
    fs::HeapPartitionTable t;
    if (t.table == nullptr) return Error::make(Errc::no_memory, "no memory for a partition table");
    TRY(read_table(disk, *t.table));
    return mount_new(disk, *t.table, n.disk, n.part);
}

Result<fs::Filesystem*> GrubDisks::open(std::string_view dev) {
    Mounted* m = TRY(lookup_dev(dev));
    if (m->fs == nullptr) return Error::make(Errc::not_found, "(%s): no filesystem xenboot can read", m->dev);
    return m->fs;
}

Status GrubDisks::probe_all() {
    if (all_probed_) return ok();
    all_probed_ = true;
    const BlockDevices* devices = ctx_.services != nullptr ? &ctx_.services->pvblock : nullptr;
    if (devices == nullptr) return ok();
    for (unsigned d = 0; d < devices->count; ++d) {
        BlockDevice& disk = *devices->dev[d];
        fs::HeapPartitionTable t;
        if (t.table == nullptr) return Error::make(Errc::no_memory, "no memory for a partition table");
        if (!read_table(disk, *t.table).ok()) continue;
        // One table read per disk serves all of its volumes.
        unsigned numbers[fs::PartitionTable::kMaxPartitions];
        const unsigned n = volume_numbers(*t.table, numbers);
        for (unsigned i = 0; i < n; ++i) {
            if (find(d, numbers[i]) == nullptr) (void)mount_new(disk, *t.table, d, numbers[i]);
        }
    }
    return ok();
}

Result<std::uint64_t> GrubDisks::read_file(std::string_view dev, std::string_view path, std::span<char> out) {
    fs::Filesystem* fs = TRY(open(dev));
    const fs::Node node = TRY_CTX(fs->lookup(path), "(%.*s)", static_cast<int>(dev.size()), dev.data());
    if (node.type != fs::NodeType::file) {
        return Error::make(Errc::invalid_argument, "(%.*s)%.*s is not a file", static_cast<int>(dev.size()), dev.data(),
                           static_cast<int>(path.size()), path.data());
    }
    if (node.size > out.size()) {
        return Error::make(Errc::no_space, "(%.*s)%.*s is %lu bytes (at most %zu)", static_cast<int>(dev.size()),
                           dev.data(), static_cast<int>(path.size()), path.data(), node.size, out.size());
    }
    return fs->read(node, 0, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), node.size));
}

Result<GrubDisks::FileInfo> GrubDisks::stat(std::string_view dev, std::string_view path) {
    Result<fs::Filesystem*> fs = open(dev);
    if (!fs.ok()) return FileInfo{false, false, 0};
    Result<fs::Node> node = fs.value()->lookup(path);
    if (!node.ok()) {
        if (node.error().code() == Errc::not_found) return FileInfo{false, false, 0};
        return node.error();
    }
    return FileInfo{true, node.value().type == fs::NodeType::directory, node.value().size};
}

Status GrubDisks::list_dir(std::string_view dev, std::string_view path, bool (*visit)(void* ctx, std::string_view name),
                           void* visit_ctx) {
    fs::Filesystem* fs = TRY(open(dev));
    const fs::Node node = TRY_CTX(fs->lookup(path), "(%.*s)", static_cast<int>(dev.size()), dev.data());
    if (node.type != fs::NodeType::directory) {
        return Error::make(Errc::invalid_argument, "(%.*s)%.*s is not a directory", static_cast<int>(dev.size()),
                           dev.data(), static_cast<int>(path.size()), path.data());
    }
    NameVisitor v(visit, visit_ctx);
    return fs->list(node, v);
}

bool GrubDisks::matches(const Mounted& m, SearchKind kind, std::string_view key) {
    fs::Filesystem* fs = m.fs;
    if (fs == nullptr) return false;
    switch (kind) {
        case SearchKind::fs_uuid: return !fs->uuid().empty() && ascii_casecmp(fs->uuid(), key) == 0;
        case SearchKind::label: return !fs->label().empty() && fs->label() == key;
        case SearchKind::file: {
            Result<fs::Node> n = fs->lookup(key);
            return n.ok() && n.value().type == fs::NodeType::file;
        }
    }
    return false;
}

// The volumes in GRUB's order: disks in order, partitions in number order.
unsigned GrubDisks::sorted(unsigned* order) const {
    for (unsigned i = 0; i < count_; ++i) {
        unsigned j = i;
        for (; j > 0; --j) {
            const Volume& a = mounted_[order[j - 1]].volume;
            const Volume& b = mounted_[i].volume;
            if (a.disk < b.disk || (a.disk == b.disk && a.part < b.part)) break;
            order[j] = order[j - 1];
        }
        order[j] = i;
    }
    return count_;
}

Result<std::size_t> GrubDisks::search(SearchKind kind, std::string_view key, std::span<char> out) {
    // GRUB looks at the hinted devices first; generated configs hint the
    // volume their files came from, which xenboot has open already. So the
    // volumes already open are looked at first, and only then is every other
    // one mounted (each mount costs block reads through blkback). A UUID or
    // label that two volumes share (a cloned disk) can make the two orders
    // differ; GRUB's hints make it order-dependent too.
    unsigned order[kMaxMounted];
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1) {
            if (all_probed_) break;
            TRY(probe_all());
        }
        const unsigned n = sorted(order);
        for (unsigned k = 0; k < n; ++k) {
            if (ctx_.ctrlc()) return Error::make(Errc::interrupted, "search interrupted");
            const Mounted& m = mounted_[order[k]];
            if (!matches(m, kind, key)) continue;
            const std::size_t len = strlen(m.dev);
            if (len >= out.size()) return Error::make(Errc::no_space, "device name too long");
            memcpy(out.data(), m.dev, len + 1);
            return len;
        }
    }
    return Error::make(Errc::not_found, "no such device: %.*s", static_cast<int>(key.size()), key.data());
}

void GrubDisks::print(std::string_view line) { ctx_.con.printf("%.*s\n", static_cast<int>(line.size()), line.data()); }

bool GrubDisks::interrupted() { return ctx_.ctrlc(); }

}  // namespace xb::cmd
