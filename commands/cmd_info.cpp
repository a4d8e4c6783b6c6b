// version and bdinfo.
#include "commands/builtins.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"
#include "drivers/xen/xenstore.h"
#include "xenboot/version.h"

namespace xb::cmd {
namespace {

// "64 MiB", "1.5 GiB", "12 KiB": the way U-Boot's print_size shows sizes.
void print_size(Console& con, std::uint64_t bytes) {
    static constexpr const char* kUnits[] = {"Bytes", "KiB", "MiB", "GiB", "TiB"};
    unsigned unit = 0;
    std::uint64_t whole = bytes;
    std::uint64_t rem = 0;
    while (whole >= 1024 && unit + 1 < sizeof kUnits / sizeof kUnits[0]) {
        rem = whole % 1024;
        whole /= 1024;
        ++unit;
    }
    unsigned tenth = static_cast<unsigned>((rem * 10 + 512) / 1024);
    if (tenth == 10) {
        ++whole;
        tenth = 0;
    }
    if (tenth != 0) con.printf("%lu.%u %s", whole, tenth, kUnits[unit]);
    else con.printf("%lu %s", whole, kUnits[unit]);
}

void print_range(Console& con, const char* label, Range r) {
    con.printf("%-12s= 0x%016lx-0x%016lx (", label, r.base, r.end());
    print_size(con, r.size);
    con.write(")\n");
}

}  // namespace

Status do_version(Context& ctx, int argc, char* const argv[]) {
    if (argc > 1) return usage_error("unexpected argument '%s'", argv[1]);
    ctx.con.printf("xenboot %s (%s, %s)\n", XENBOOT_VERSION, XENBOOT_GIT_REVISION, XENBOOT_BUILD_DATE);
    if (ctx.sys.have_xen_version) {
        ctx.con.printf("Xen %u.%u%s\n", ctx.sys.xen_version.major, ctx.sys.xen_version.minor,
                       ctx.sys.xen_version.extra);
    } else {
        ctx.con.printf("Xen version unknown (xen_version failed)\n");
    }
    ctx.con.printf("%s\n", XENBOOT_COMPILER);
    return ok();
}

Status do_bdinfo(Context& ctx, int argc, char* const argv[]) {
    if (argc > 1) return usage_error("unexpected argument '%s'", argv[1]);
    Console& con = ctx.con;
    const SystemInfo& sys = ctx.sys;
    const MemoryMap& mem = sys.memory;
    std::uint64_t total = 0;
    for (unsigned i = 0; i < mem.ram_count(); ++i) {
        con.printf("DRAM bank   = 0x%016x\n", i);
        con.printf("-> start    = 0x%016lx\n", mem.ram(i).base);
        con.printf("-> size     = 0x%016lx\n", mem.ram(i).size);
        total += mem.ram(i).size;
    }
    con.write("RAM total   = ");
    print_size(con, total);
    con.write("\n");
    con.printf("relocaddr   = 0x%016lx\n", sys.image_base);
    con.printf("loadaddr    = 0x%016lx (where Xen loaded xenboot)\n", sys.load_base);
    for (unsigned i = 0; i < mem.reserved_count(); ++i) print_range(con, mem.reserved(i).what, mem.reserved(i).range);
    con.printf("fdt_blob    = 0x%016lx (xenboot's copy, %lu bytes; Xen's at 0x%lx)\n", sys.dtb_copy, sys.dtb_copy_size,
               sys.dtb_from_xen);
    std::array<Range, MemoryMap::kMaxRanges> free{};
    unsigned n = mem.free_ranges(free);
    for (unsigned i = 0; i < n; ++i) print_range(con, "free RAM", free[i]);
    if (sys.have_hypervisor) {
        con.printf("hypervisor  = %s\n", sys.hypervisor.compatible);
        print_range(con, "grant table", sys.hypervisor.reg[0]);
        for (unsigned i = 1; i < sys.hypervisor.reg_count; ++i) print_range(con, "ext region", sys.hypervisor.reg[i]);
        if (sys.hypervisor.has_interrupt) {
            con.printf("evtchn irq  = <%u %u 0x%x>\n", sys.hypervisor.interrupt[0], sys.hypervisor.interrupt[1],
                       sys.hypervisor.interrupt[2]);
        }
    }
    con.printf("console     = pfn 0x%lx, event channel %u\n", sys.console_pfn, sys.console_evtchn);
    if (sys.store_pfn != 0) {
        con.printf("xenstore    = pfn 0x%lx, event channel %u", sys.store_pfn, sys.store_evtchn);
        // Each request is a round trip through xenstored in dom0.
        if (ctx.services != nullptr && ctx.services->xenstore != nullptr)
            con.printf(", %lu requests so far", ctx.services->xenstore->requests());
        con.write("\n");
    }
    if (sys.shared_info_gfn != 0) con.printf("shared_info = gfn 0x%lx\n", sys.shared_info_gfn);
    con.printf("timer       = %lu Hz\n", sys.timer_hz);
    con.printf("boot time   = %lu.%03lu ms (entry to prompt)\n", sys.entry_to_prompt_us / 1000,
               sys.entry_to_prompt_us % 1000);
    for (unsigned i = 0; i < sys.init_step_count; ++i) {
        const SystemInfo::InitStep& step = sys.init_steps[i];
        con.printf("init step   = %lu.%03lu ms %s\n", step.us / 1000, step.us % 1000, step.name);
    }
    return ok();
}

}  // namespace xb::cmd
