#include "bootflow/grub_method.h"

#include <cstring>
#include <new>

#include "arch/arch.h"
#include "bootflow/boot_kernel.h"
#include "bootflow/boot_menu.h"
#include "bootflow/grub_disks.h"
#include "bootflow/method_files.h"
#include "bootflow/services.h"
#include "loader/grub/interpreter.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

using loader::grub::BootSpec;
using loader::grub::EntryRef;
using loader::grub::Interpreter;

// The interpreter's menu as the boot menu shows it, numbered as GRUB numbers
// entries for `default` and `saved_entry` (from 0; "1>2" is the third entry
// of the submenu that is the second top-level entry).
struct FlatMenu {
    static constexpr unsigned kMax = Interpreter::kMaxEntries;
    MenuItem items[kMax];
    char numbers[kMax][24];
    unsigned count = 0;
    unsigned default_item = 0;

    void build(const Interpreter& in) {
        count = in.entry_count() < kMax ? in.entry_count() : kMax;
        unsigned child_count[kMax] = {};
        unsigned top = 0;
        for (unsigned i = 0; i < count; ++i) {
            const loader::grub::MenuEntry& e = in.entry(EntryRef{i});
            unsigned depth = 0;
            if (e.parent < 0 || static_cast<unsigned>(e.parent) >= i) {
                format_to(numbers[i], sizeof numbers[i], "%u", top++);
            } else {
                const auto p = static_cast<unsigned>(e.parent);
                format_to(numbers[i], sizeof numbers[i], "%s>%u", numbers[p], child_count[p]++);
                depth = items[p].depth + 1;
            }
            items[i] = MenuItem{numbers[i], e.title, depth, !e.submenu};
        }
    }

    void record(Bootflow& flow) const {
        flow.entry_count = 0;
        for (unsigned i = 0; i < count; ++i) {
            flow.add_entry("%*s%s: %s%s", static_cast<int>(items[i].depth * 2), "", items[i].number, items[i].title,
                           items[i].bootable ? "" : " >");
        }
        flow.default_entry = static_cast<int>(default_item);
    }
};

// The interpreter, the disks it reads and the flattened menu, for one attempt.
struct GrubRun {
    GrubDisks disks;
    Interpreter* in = nullptr;
    FlatMenu* menu = nullptr;
    char dev[24] = "";

    explicit GrubRun(Context& ctx) : disks(ctx) {}
    GrubRun(const GrubRun&) = delete;
    GrubRun& operator=(const GrubRun&) = delete;
    ~GrubRun() {
        delete in;
        delete menu;
    }

    Status start(Context& ctx, const Volume& v, fs::Filesystem& fs, const char* path, Bootflow& flow) {
        in = new (std::nothrow) Interpreter(disks);
        menu = new (std::nothrow) FlatMenu;
        if (in == nullptr || menu == nullptr) return Error::make(Errc::no_memory, "no memory for the GRUB interpreter");
        TRY(disks.adopt(v, fs, dev, sizeof dev));
        ctx.con.printf("GRUB config (%s)%s\n", dev, path);
        TRY(in->run_config(dev, path));
        menu->build(*in);
        const EntryRef def = TRY(in->default_entry());
        menu->default_item = def.index;
        menu->record(flow);
        return ok();
    }
};

// Adds the time since t0 to BootTimes::config_us.
void add_config_time(Context& ctx, std::uint64_t t0) {
    if (ctx.services != nullptr) ctx.services->times.config_us += arch::ticks_to_us(arch::counter() - t0);
}

// Loads the entry's kernel and initrds; sets $bootargs. Out of line: its frame has no
// business in boot_grub's, which is on the stack under the GRUB interpreter's recursion.
[[gnu::noinline]] Result<BootRequest> load_entry(Context& ctx, GrubDisks& disks, const BootSpec& spec) {
    BootRequest req;
    fs::Filesystem* kfs = TRY_CTX(disks.open(spec.kernel.dev), "kernel (%s)%s", spec.kernel.dev, spec.kernel.path);
    TRY(load_to(ctx, *kfs, "kernel", spec.kernel.path, "kernel_addr_r", "ramdisk_addr_r"));
    req.kernel_addr = TRY(env_hex(ctx.env, "kernel_addr_r"));
    std::uint64_t initrd_size = 0;
    for (unsigned i = 0; i < spec.initrd_count; ++i) {
        const loader::grub::FileRef& f = spec.initrds[i];
        fs::Filesystem* ifs = TRY_CTX(disks.open(f.dev), "initrd (%s)%s", f.dev, f.path);
        initrd_size += TRY(load_to(ctx, *ifs, "initrd", f.path, "ramdisk_addr_r", "fdt_addr_r", initrd_size));
    }
    if (spec.initrd_count != 0) {
        req.initrd = Range{TRY(env_hex(ctx.env, "ramdisk_addr_r")), initrd_size};
        TRY(ctx.env->set_hex("filesize", initrd_size));
    }
    if (spec.has_devicetree) ctx.con.printf("devicetree ignored: the kernel gets the device tree from Xen\n");
    TRY(ctx.env->set("bootargs", spec.args));
    return req;
}

}  // namespace

Status list_grub(Context& ctx, fs::Filesystem& fs, const Volume& v, const char* path, Bootflow& flow) {
    GrubRun run(ctx);
    return run.start(ctx, v, fs, path, flow);
}

Status boot_grub(Context& ctx, fs::Filesystem& fs, const Volume& v, const char* path, Bootflow& flow) {
    GrubRun run(ctx);
    std::uint64_t t0 = arch::counter();
    Status started = run.start(ctx, v, fs, path, flow);
    add_config_time(ctx, t0);
    TRY(started);
    const FlatMenu& menu = *run.menu;
    char heading[160];
    format_to(heading, sizeof heading, "GRUB menu of (%s)%s:", run.dev, path);
    const MenuChoice choice =
        TRY(run_boot_menu(ctx, heading, menu.items, menu.count, menu.default_item, run.in->timeout_ms()));
    const loader::grub::MenuEntry& entry = run.in->entry(EntryRef{choice.item});
    ctx.con.printf("Booting '%s'\n", entry.title);
    BootSpec* spec = new (std::nothrow) BootSpec;
    if (spec == nullptr) return Error::make(Errc::no_memory, "no memory for the boot entry");
    struct Free {
        BootSpec* p;
        ~Free() { delete p; }
    } free_spec{spec};
    t0 = arch::counter();
    // Into the heap: a BootSpec on this frame would sit below the interpreter's recursion.
    Status evaluated = run.in->evaluate_entry(EntryRef{choice.item}, *spec);
    add_config_time(ctx, t0);
    TRY_CTX(evaluated, "entry '%s'", entry.title);
    if (choice.edit) TRY(edit_command_line(ctx, spec->args, sizeof spec->args));
    const BootRequest req = TRY_CTX(load_entry(ctx, run.disks, *spec), "entry '%s'", entry.title);
    return boot_kernel(ctx, req);
}

}  // namespace xb::cmd
