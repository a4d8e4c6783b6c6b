// `bootflow scan`: looks on every pvblock disk, every partition in number order
// (the whole disk when it has no partition table), for what U-Boot's standard
// boot looks for, then for what GRUB-based distributions carry, in this order:
//   /extlinux/extlinux.conf, /boot/extlinux/extlinux.conf  (syslinux format)
//   /boot.scr, /boot/boot.scr                             (mkimage -T script)
//   /EFI/<dir>/grub.cfg (the ESP stubs; EFI/BOOT first),
//   /boot/grub/grub.cfg, /grub/grub.cfg, /boot/grub2/grub.cfg, /grub2/grub.cfg
//                                                         (GRUB, interpreted natively)
// Then, on a guest with a network port, the network: DHCP and a
// pxelinux.cfg (bootflow/pxe_method.h).
// Each one found is a bootflow (bootflow/bootflows.h). With -b each is booted
// as it is found, until one boots; every failure is remembered, and when
// nothing boots the summary says what was tried, where, and why.
#include "bootflow/scan.h"

#include <cstring>
#include <new>

#include "bootflow/extlinux_method.h"
#include "bootflow/fs_access.h"
#include "bootflow/grub_method.h"
#include "bootflow/pxe_method.h"
#include "bootflow/script_method.h"
#include "bootflow/services.h"
#include "fs/partition/partition_table.h"
#include "lib/ascii.h"

namespace xb::cmd {
namespace {

struct Candidate {
    BootMethod method;
    const char* path;
};

constexpr Candidate kFixed[] = {
    {BootMethod::extlinux, "/extlinux/extlinux.conf"},
    {BootMethod::extlinux, "/boot/extlinux/extlinux.conf"},
    {BootMethod::script, "/boot.scr"},
    {BootMethod::script, "/boot/boot.scr"},
};
constexpr const char* kGrubPaths[] = {"/boot/grub/grub.cfg", "/grub/grub.cfg", "/boot/grub2/grub.cfg",
                                      "/grub2/grub.cfg"};

// The ESP's /EFI/<dir>/grub.cfg stubs: EFI/BOOT (the removable-media path
// firmware tries first) first, then the others in name order.
struct EspStubs : fs::DirVisitor {
    static constexpr unsigned kMax = 8;
    char name[kMax][40] = {};
    unsigned count = 0;

    bool visit(const fs::DirEntry& e) override {
        if (e.node.type != fs::NodeType::directory || e.name == "." || e.name == "..") return true;
        if (e.name.size() >= sizeof name[0] || count == kMax) return true;
        memcpy(name[count], e.name.data(), e.name.size());
        name[count][e.name.size()] = '\0';
        ++count;
        return true;
    }
    static bool is_boot(const char* s) { return ascii_casecmp(s, "BOOT") == 0; }
    static bool before(const char* a, const char* b) {
        if (is_boot(a) != is_boot(b)) return is_boot(a);
        return ascii_casecmp(a, b) < 0;
    }
    void sort() {
        for (unsigned i = 1; i < count; ++i) {
            for (unsigned j = i; j > 0 && before(name[j], name[j - 1]); --j) {
                char t[sizeof name[0]];
                memcpy(t, name[j], sizeof t);
                memcpy(name[j], name[j - 1], sizeof t);
                memcpy(name[j - 1], t, sizeof t);
            }
        }
    }
};

Status run_method(Context& ctx, fs::Filesystem& fs, const Volume& v, Bootflow& flow) {
    switch (flow.method) {
        case BootMethod::extlinux: return boot_extlinux(ctx, fs, flow.path, flow);
        case BootMethod::script: return boot_script(ctx, fs, v, flow.path);
        case BootMethod::grub: return boot_grub(ctx, fs, v, flow.path, flow);
        case BootMethod::pxe: break;  // not on a volume (pxe_method.h)
    }
    return Error::make(Errc::unsupported, "unknown boot method");
}

Status list_method(Context& ctx, fs::Filesystem& fs, const Volume& v, Bootflow& flow) {
    switch (flow.method) {
        case BootMethod::extlinux: return list_extlinux(ctx, fs, flow.path, flow);
        case BootMethod::script: return ok();
        case BootMethod::grub: return list_grub(ctx, fs, v, flow.path, flow);
        case BootMethod::pxe: break;
    }
    return Error::make(Errc::unsupported, "unknown boot method");
}

struct VolumeScan {
    Context& ctx;
    const ScanOptions& opts;
    ScanAttempts& tried;
    Bootflows* flows;
    Volume& v;
    fs::Filesystem& fs;
    bool found_any = false;

    // One candidate that exists: record it, then list or boot it. ok() only
    // if it booted; interrupted stops the scan.
    Status take(BootMethod method, const char* path) {
        found_any = true;
        Bootflow scratch;
        Bootflow* flow = flows != nullptr ? flows->add() : nullptr;
        if (flow == nullptr) flow = &scratch;
        flow->disk = v.disk;
        flow->part = v.part;
        flow->method = method;
        format_to(flow->fs, sizeof flow->fs, "%s", fs.type_name());
        format_to(flow->path, sizeof flow->path, "%s", path);
        const unsigned seq = flows != nullptr && flow != &scratch ? flows->count - 1 : 0;
        if (opts.list) print_bootflow_line(ctx.con, seq, *flow);
        if (!opts.boot) {
            Status s = list_method(ctx, fs, v, *flow);
            if (!s.ok()) {
                flow->fail("%s", s.error().message());
                if (s.error().code() == Errc::interrupted) return s;
            }
            return Error::make(Errc::not_found, "not booting");
        }
        ctx.con.printf("Found %s on %s (%s)\n", path, v.slice.name(), fs.type_name());
        Status s = record_boot(*flow, run_method(ctx, fs, v, *flow), ctx.stop);
        if (s.ok()) return s;
        ctx.con.printf("%s: %s\n", path, s.error().message());
        tried.add("%s (%s): %s: %s", v.slice.name(), fs.type_name(), path, s.error().message());
        return s;
    }

    Status run() {
        for (const Candidate& c : kFixed) {
            if (!fs.lookup(c.path).ok()) continue;
            Status s = take(c.method, c.path);
            if (s.ok() || (!s.ok() && s.error().code() == Errc::interrupted)) return s;
        }
        Result<fs::Node> efi = fs.lookup("/EFI");
        if (efi.ok() && efi.value().type == fs::NodeType::directory) {
            EspStubs stubs;
            if (fs.list(efi.value(), stubs).ok()) {
                stubs.sort();
                for (unsigned i = 0; i < stubs.count; ++i) {
                    char path[64];
                    format_to(path, sizeof path, "/EFI/%s/grub.cfg", stubs.name[i]);
                    Result<fs::Node> n = fs.lookup(path);
                    if (!n.ok() || n.value().type != fs::NodeType::file) continue;
                    Status s = take(BootMethod::grub, path);
                    if (s.ok() || s.error().code() == Errc::interrupted) return s;
                }
            }
        }
        for (const char* path : kGrubPaths) {
            Result<fs::Node> n = fs.lookup(path);
            if (!n.ok() || n.value().type != fs::NodeType::file) continue;
            Status s = take(BootMethod::grub, path);
            if (s.ok() || s.error().code() == Errc::interrupted) return s;
        }
        if (!found_any && opts.all && flows != nullptr) {
            if (Bootflow* f = flows->add()) {
                f->disk = v.disk;
                f->part = v.part;
                format_to(f->fs, sizeof f->fs, "%s", fs.type_name());
                f->fail("no extlinux.conf, boot.scr or grub.cfg");
            }
        }
        if (!found_any) {
            tried.add("%s (%s): no extlinux.conf, boot.scr or grub.cfg", v.slice.name(), fs.type_name());
        }
        return Error::make(Errc::not_found, "nothing booted");
    }
};

// Tries one volume; ok() only if it booted (simulated platforms).
Status scan_volume(Context& ctx, const ScanOptions& opts, Bootflows* flows, Volume& v, ScanAttempts& tried) {
    Result<fs::Filesystem*> mounted = fs::mount(v.slice);
    if (!mounted.ok()) {
        // The filesystems' messages usually start with the volume's name already.
        const char* msg = mounted.error().message();
        if (strncmp(msg, v.slice.name(), strlen(v.slice.name())) == 0) tried.add("%s", msg);
        else tried.add("%s: %s", v.slice.name(), msg);
        return mounted.error();
    }
    fs::MountedFs fs(mounted.value());
    VolumeScan scan{ctx, opts, tried, flows, v, *fs.get()};
    return scan.run();
}

}  // namespace

Bootflows* bootflows(Context& ctx) {
    if (ctx.services == nullptr) return nullptr;
    if (ctx.services->bootflows == nullptr) ctx.services->bootflows = new (std::nothrow) Bootflows;
    return ctx.services->bootflows;
}

Status scan(Context& ctx, const ScanOptions& opts, ScanAttempts& tried) {
    Bootflows* flows = bootflows(ctx);
    if (flows != nullptr) flows->clear();
    const BlockDevices* devices = ctx.services != nullptr ? &ctx.services->pvblock : nullptr;
    const unsigned disks = devices != nullptr ? devices->count : 0;
    const bool network = ctx.services != nullptr && ctx.services->net != nullptr;
    if (disks == 0) {
        tried.add("no pvblock disks (is there a disk line in the xl config?)");
        if (!network) return Error::make(Errc::not_found, "no disks");
    }
    if (opts.list) {
        ctx.con.printf(network ? "Scanning for bootflows in all pvblock disks, then eth0\n"
                               : "Scanning for bootflows in all pvblock disks\n");
        print_bootflow_header(ctx.con);
    }
    for (unsigned d = 0; d < disks && !ctx.stop; ++d) {
        BlockDevice& disk = *devices->dev[d];
        fs::HeapPartitionTable t;
        if (t.table == nullptr) return Error::make(Errc::no_memory, "no memory for a partition table");
        Result<bool> read = read_table(disk, *t.table);
        if (!read.ok()) {
            tried.add("%s: %s", disk.name(), read.error().message());
            continue;
        }
        unsigned numbers[fs::PartitionTable::kMaxPartitions];
        const unsigned n = volume_numbers(*t.table, numbers);
        for (unsigned i = 0; i < n && !ctx.stop; ++i) {
            if (ctx.ctrlc()) return Error::make(Errc::interrupted, "scan interrupted");
            Result<Volume> volume = volume_of(disk, *t.table, d, numbers[i]);
            if (!volume.ok()) {
                tried.add("%s", volume.error().message());
                continue;
            }
            Status s = scan_volume(ctx, opts, flows, volume.value(), tried);
            if (s.ok() || ctx.stop) return ok();
            if (s.error().code() == Errc::interrupted) return s;
        }
    }
    // The network after every disk (U-Boot's ethernet bootdevs come after
    // the local ones): with -b, only when no disk booted.
    if (network && !ctx.stop) {
        if (ctx.ctrlc()) return Error::make(Errc::interrupted, "scan interrupted");
        Status s = scan_network(ctx, opts, flows, tried);
        if (ctx.stop || (opts.boot && s.ok())) return ok();
        if (!s.ok() && s.error().code() == Errc::interrupted) return s;
    }
    if (opts.list) {
        const unsigned count = flows != nullptr ? flows->count : 0;
        ctx.con.printf("---  --------  ------  -----------  -----  --------------------------------\n");
        ctx.con.printf("(%u bootflow%s)\n", count, count == 1 ? "" : "s");
    }
    if (!opts.boot && flows != nullptr && flows->count != 0) return ok();
    return Error::make(Errc::not_found, "nothing booted");
}

Status boot_bootflow(Context& ctx, Bootflow& flow) {
    if (flow.method == BootMethod::pxe) return boot_pxe_flow(ctx, flow);
    const BlockDevices* devices = ctx.services != nullptr ? &ctx.services->pvblock : nullptr;
    if (devices == nullptr || flow.disk >= devices->count) {
        return Error::make(Errc::not_found, "pvblock %x is gone", flow.disk);
    }
    BlockDevice& disk = *devices->dev[flow.disk];
    fs::HeapPartitionTable t;
    if (t.table == nullptr) return Error::make(Errc::no_memory, "no memory for a partition table");
    TRY(read_table(disk, *t.table));
    Volume v = TRY(volume_of(disk, *t.table, flow.disk, flow.part));
    fs::MountedFs fs(TRY(fs::mount(v.slice)));
    ctx.con.printf("Booting %s on %s (%s)\n", flow.path, v.slice.name(), fs->type_name());
    return record_boot(flow, run_method(ctx, *fs.get(), v, flow), ctx.stop);
}

}  // namespace xb::cmd
