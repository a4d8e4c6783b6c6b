// `bootflow scan`: the default bootcmd. Looks on every pvblock disk, every
// partition in number order (the whole disk when it has no partition table),
// for what U-Boot's distro boot looks for, in this order:
//   /extlinux/extlinux.conf, /boot/extlinux/extlinux.conf  (syslinux format)
//   /boot.scr, /boot/boot.scr                             (mkimage -T script)
// and boots the first that works. Every attempt is remembered; when nothing
// boots, the summary says what was tried, where, and why each failed.
//
// extlinux.conf: the menu is listed and the default label booted (or the label
// named by $extlinux_label, which an operator can set from the xl cmdline).
// Files load to the *_addr_r addresses (bootflow/boot_layout.h); `append` becomes
// $bootargs; `fdt`/`fdtdir` (with $fdtfile) load a device tree from disk,
// otherwise the kernel gets the tree Xen gave (with /chosen fixed up).
// boot.scr: loaded to $scriptaddr and run with `source`, with devtype, devnum,
// distro_bootpart and prefix set as U-Boot's distro scripts expect.
#include <cstring>

#include "bootflow/scan.h"

#include "bootflow/boot_kernel.h"
#include "bootflow/fs_access.h"
#include "shell/parse.h"
#include "fs/partition/partition_table.h"
#include "loader/extlinux.h"
#include "bootflow/services.h"

namespace xb::cmd {
namespace {

constexpr std::uint64_t kMaxConfSize = 64 * 1024;
constexpr const char* kConfPaths[] = {"/extlinux/extlinux.conf", "/boot/extlinux/extlinux.conf"};
constexpr const char* kScriptPaths[] = {"/boot.scr", "/boot/boot.scr"};

// Loads `path` to $<addr_var>, refusing files that would run into the area
// of $<limit_var> (the next load address above). Returns the size.
Result<std::uint64_t> load_to(Context& ctx, fs::Filesystem& fs, const char* what, const char* path,
                              const char* addr_var, const char* limit_var) {
    const std::uint64_t addr = TRY(env_hex(ctx.env, addr_var));
    const fs::Node node = TRY_CTX(fs.lookup(path), "%s %s", what, path);
    if (limit_var != nullptr) {
        const std::uint64_t limit = TRY(env_hex(ctx.env, limit_var));
        if (limit > addr && node.size > limit - addr) {
            return Error::make(Errc::no_space, "%s %s (%lu bytes) does not fit at $%s 0x%lx (%lu bytes before $%s)",
                               what, path, node.size, addr_var, addr, limit - addr, limit_var);
        }
    }
    ctx.con.printf("Retrieving %s: %s\n", what, path);
    const LoadResult r = TRY_CTX(load_file(ctx, fs, path, addr, 0, 0), "%s %s", what, path);
    print_load_result(ctx, r);
    TRY(ctx.env->set_hex("filesize", r.bytes));
    return r.bytes;
}

// Reads a small text file into a heap buffer (NUL-terminated).
struct TextFile {
    char* text = nullptr;
    ~TextFile() { delete[] text; }
};

Status read_text(fs::Filesystem& fs, const char* path, TextFile& out) {
    const fs::Node node = TRY(fs.lookup(path));
    if (node.type != fs::NodeType::file) return Error::make(Errc::invalid_argument, "%s is not a file", path);
    if (node.size > kMaxConfSize) {
        return Error::make(Errc::bad_data, "%s is %lu bytes (at most %lu)", path, node.size, kMaxConfSize);
    }
    out.text = new (std::nothrow) char[node.size + 1];
    if (out.text == nullptr) return Error::make(Errc::no_memory, "no memory for %s", path);
    const std::uint64_t got =
        TRY(fs.read(node, 0, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.text), node.size)));
    out.text[got] = '\0';
    return ok();
}

struct HeapConfig {
    loader::ExtlinuxConfig* conf = new (std::nothrow) loader::ExtlinuxConfig;
    ~HeapConfig() { delete conf; }
};

Status boot_label(Context& ctx, fs::Filesystem& fs, const char* conf_path, const loader::ExtlinuxLabel& label) {
    if (label.localboot) return Error::make(Errc::unsupported, "label '%s' is localboot (not supported)", label.name);
    if (label.kernel[0] == '\0')
        return Error::make(Errc::invalid_argument, "label '%s' (line %u) has no kernel", label.name, label.line);
    char path[loader::ExtlinuxLabel::kPathSize + 64];
    BootRequest req;
    TRY(loader::resolve_extlinux_path(conf_path, label.kernel, "", path));
    TRY(load_to(ctx, fs, "kernel", path, "kernel_addr_r", "ramdisk_addr_r"));
    req.kernel_addr = TRY(env_hex(ctx.env, "kernel_addr_r"));
    if (label.initrd[0] != '\0') {
        TRY(loader::resolve_extlinux_path(conf_path, label.initrd, "", path));
        const std::uint64_t size = TRY(load_to(ctx, fs, "initrd", path, "ramdisk_addr_r", "fdt_addr_r"));
        req.initrd = Range{TRY(env_hex(ctx.env, "ramdisk_addr_r")), size};
    }
    if (label.fdt[0] != '\0' || label.fdtdir[0] != '\0') {
        std::optional<std::string_view> fdtfile = ctx.env->get("fdtfile");
        if (label.fdt[0] != '\0') {
            TRY(loader::resolve_extlinux_path(conf_path, label.fdt, "", path));
        } else if (fdtfile) {
            char leaf[128];
            format_to(leaf, sizeof leaf, "%.*s", static_cast<int>(fdtfile->size()), fdtfile->data());
            TRY(loader::resolve_extlinux_path(conf_path, label.fdtdir, leaf, path));
        } else {
            path[0] = '\0';
            ctx.con.printf("fdtdir %s ignored: $fdtfile is not set; using the device tree from Xen\n", label.fdtdir);
        }
        if (path[0] != '\0') {
            TRY(load_to(ctx, fs, "fdt", path, "fdt_addr_r", "scriptaddr"));
            req.fdt_addr = TRY(env_hex(ctx.env, "fdt_addr_r"));
        }
    }
    if (label.append[0] != '\0') TRY(ctx.env->set("bootargs", label.append));
    return boot_kernel(ctx, req);
}

Status boot_extlinux(Context& ctx, fs::Filesystem& fs, const char* conf_path) {
    TextFile file;
    TRY(read_text(fs, conf_path, file));
    HeapConfig h;
    if (h.conf == nullptr) return Error::make(Errc::no_memory, "no memory to parse %s", conf_path);
    TRY_CTX(loader::parse_extlinux(file.text, *h.conf), "%s", conf_path);
    const loader::ExtlinuxConfig& conf = *h.conf;
    unsigned chosen = conf.default_index;
    std::optional<std::string_view> wanted = ctx.env->get("extlinux_label");
    if (wanted) {
        bool found = false;
        for (unsigned i = 0; i < conf.label_count && !found; ++i) {
            if (*wanted == conf.labels[i].name) {
                chosen = i;
                found = true;
            }
        }
        if (!found) {
            return Error::make(Errc::not_found, "no label '%.*s' ($extlinux_label)", static_cast<int>(wanted->size()),
                               wanted->data());
        }
    }
    if (conf.title[0] != '\0') ctx.con.printf("%s\n", conf.title);
    for (unsigned i = 0; i < conf.label_count; ++i) {
        const loader::ExtlinuxLabel& l = conf.labels[i];
        ctx.con.printf("%u:\t%s%s\n", i + 1, l.menu_label[0] != '\0' ? l.menu_label : l.name,
                       i == chosen ? "  (boot)" : "");
    }
    if (!conf.default_found && conf.default_name[0] != '\0') {
        ctx.con.printf("default label '%s' not found; booting the first\n", conf.default_name);
    }
    // As U-Boot: when the default label fails, every other label is tried in
    // file order; a label the user named ($extlinux_label) is the only one tried.
    Status first = ok();
    for (unsigned k = 0; k < conf.label_count; ++k) {
        const unsigned i = k == 0 ? chosen : (k <= chosen ? k - 1 : k);
        const loader::ExtlinuxLabel& label = conf.labels[i];
        ctx.con.printf("Booting label '%s'\n", label.name);
        Status s = boot_label(ctx, fs, conf_path, label);
        if (s.ok() || ctx.stop) return ok();
        ctx.con.printf("label '%s': %s\n", label.name, s.error().message());
        if (first.ok()) {
            first = s;
            first.error().prefix("label '%s'", label.name);
        }
        if (wanted || s.error().code() == Errc::interrupted) break;
    }
    return first;
}

Status boot_script(Context& ctx, fs::Filesystem& fs, const Volume& v, const char* path) {
    const std::uint64_t size = TRY(load_to(ctx, fs, "script", path, "scriptaddr", "pxefile_addr_r"));
    (void)size;
    TRY(ctx.env->set("devtype", "pvblock"));
    TRY(ctx.env->set_hex("devnum", v.disk));
    TRY(ctx.env->set_hex("distro_bootpart", v.part));
    TRY(ctx.env->set("prefix", strncmp(path, "/boot/", 6) == 0 ? "/boot/" : "/"));
    const Command* source = find_command("source");
    if (source == nullptr) return Error::make(Errc::unsupported, "no source command");
    char addr[24];
    format_to(addr, sizeof addr, "%lx", TRY(env_hex(ctx.env, "scriptaddr")));
    char name[] = "source";
    char* argv[] = {name, addr, nullptr};
    const int rc = run_command(ctx, *source, 2, argv);
    if (ctx.stop) return ok();
    return Error::make(Errc::io, "%s ran but did not boot (status %d)", path, rc);
}

// Tries one volume; ok() only if it booted (simulated platforms).
Status try_volume(Context& ctx, Volume& v, ScanAttempts& tried) {
    Result<fs::Filesystem*> mounted = fs::mount(v.slice);
    if (!mounted.ok()) {
        // The filesystems' messages usually start with the volume's name already.
        const char* msg = mounted.error().message();
        if (strncmp(msg, v.slice.name(), strlen(v.slice.name())) == 0) tried.add("%s", msg);
        else tried.add("%s: %s", v.slice.name(), msg);
        return mounted.error();
    }
    fs::MountedFs fs(mounted.value());
    bool found_any = false;
    for (const char* path : kConfPaths) {
        Result<fs::Node> node = fs->lookup(path);
        if (!node.ok()) continue;
        found_any = true;
        ctx.con.printf("Found %s on %s (%s)\n", path, v.slice.name(), fs->type_name());
        Status s = boot_extlinux(ctx, *fs.get(), path);
        if (s.ok() || ctx.stop) return ok();
        ctx.con.printf("%s: %s\n", path, s.error().message());
        tried.add("%s (%s): %s: %s", v.slice.name(), fs->type_name(), path, s.error().message());
        if (s.error().code() == Errc::interrupted) return s;
    }
    for (const char* path : kScriptPaths) {
        Result<fs::Node> node = fs->lookup(path);
        if (!node.ok()) continue;
        found_any = true;
        ctx.con.printf("Found %s on %s (%s)\n", path, v.slice.name(), fs->type_name());
        Status s = boot_script(ctx, *fs.get(), v, path);
        if (s.ok() || ctx.stop) return ok();
        ctx.con.printf("%s: %s\n", path, s.error().message());
        tried.add("%s (%s): %s: %s", v.slice.name(), fs->type_name(), path, s.error().message());
        if (s.error().code() == Errc::interrupted) return s;
    }
    if (!found_any) {
        tried.add("%s (%s): none of /extlinux/extlinux.conf, /boot/extlinux/extlinux.conf, /boot.scr, /boot/boot.scr",
                  v.slice.name(), fs->type_name());
    }
    return Error::make(Errc::not_found, "nothing booted");
}

}  // namespace

// ok() only if something booted (simulated platforms); interrupted stops the scan.
Status scan(Context& ctx, ScanAttempts& tried) {
    const BlockDevices* devices = ctx.services != nullptr ? &ctx.services->pvblock : nullptr;
    if (devices == nullptr || devices->count == 0) {
        tried.add("no pvblock disks (is there a disk line in the xl config?)");
        return Error::make(Errc::not_found, "no disks");
    }
    for (unsigned d = 0; d < devices->count && !ctx.stop; ++d) {
        BlockDevice& disk = *devices->dev[d];
        fs::HeapPartitionTable t;
        if (t.table == nullptr) return Error::make(Errc::no_memory, "no memory for a partition table");
        Result<bool> read = read_table(disk, *t.table);
        if (!read.ok()) {
            tried.add("%s: %s", disk.name(), read.error().message());
            continue;
        }
        unsigned numbers[fs::PartitionTable::kMaxPartitions];
        unsigned n = 0;
        for (unsigned i = 0; i < t.table->count; ++i) {
            if (!t.table->parts[i].extended) numbers[n++] = t.table->parts[i].number;
        }
        // No table, or one without partitions: the whole disk. (mkfs.vfat on a
        // whole disk writes 0x55aa and four empty entries: an empty MBR.)
        if (n == 0) numbers[n++] = 0;
        for (unsigned i = 0; i < n && !ctx.stop; ++i) {
            if (ctx.ctrlc()) return Error::make(Errc::interrupted, "scan interrupted");
            Result<Volume> volume = volume_of(disk, *t.table, d, numbers[i]);
            if (!volume.ok()) {
                tried.add("%s", volume.error().message());
                continue;
            }
            Volume& v = volume.value();
            Status s = try_volume(ctx, v, tried);
            if (s.ok() || ctx.stop) return ok();
            if (s.error().code() == Errc::interrupted) return s;
        }
    }
    return Error::make(Errc::not_found, "nothing booted");
}

}  // namespace xb::cmd
