#include "board/xenguest/board.h"
#include "board/xenguest/handoff.h"
#include "board/xenguest/net_ports.h"

#include <new>

#include "arch/arch.h"
#include "bootflow/autoboot.h"
#include "bootflow/boot_layout.h"
#include "bootflow/fs_access.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"
#include "shell/default_env.h"
#include "shell/shell.h"
#include "drivers/pvblock/pvblock_bus.h"
#include "drivers/pvnet/pvnet_bus.h"
#include "drivers/pvconsole/pv_console.h"
#include "drivers/xen/grant_table.h"
#include "drivers/xen/xenstore.h"
#include "drivers/xen/event_channels.h"
#include "drivers/xen/hypercall.h"
#include "drivers/xen/shared_info.h"
#include "fdt/device_tree.h"
#include "xenboot/config.h"
#include "xenboot/version.h"

namespace xb::board {
namespace {

// What init learned from the device tree; the errors are reported once the
// console is up (it needs none of this), then the guest powers off.
struct TreeFacts {
    bool valid = false;
    std::size_t size = 0;
    bool have_banks = false;
    fdt::MemoryBanks banks{};
    bool have_hypervisor = false;
    fdt::HypervisorNode hypervisor{};
    char error[Error::kMaxMessage] = {};

    void fail(const Error& e) {
        if (error[0] == '\0') format_to(error, sizeof error, "%s", e.message());
    }
};

TreeFacts read_tree(const BoardEnv& env) {
    TreeFacts t;
    Result<std::size_t> size = fdt::validate(env.dtb, env.dtb_readable);
    if (!size.ok()) {
        t.fail(size.error());
        return t;
    }
    t.valid = true;
    t.size = size.value();
    Result<fdt::MemoryBanks> banks = fdt::memory_banks(env.dtb);
    if (banks.ok()) {
        t.have_banks = true;
        t.banks = banks.value();
        const Range* home = t.banks.find(env.image.base);
        if (home == nullptr || !home->contains(env.image) || !home->contains(env.heap_range)) {
            t.have_banks = false;
            t.fail(Error::make(Errc::bad_data,
                               "device tree: no RAM bank holds xenboot and its heap at 0x%lx-0x%lx (RAM too small?)",
                               env.image.base, env.heap_range.end()));
        }
    } else {
        t.fail(banks.error());
    }
    Result<fdt::HypervisorNode> hv = fdt::hypervisor(env.dtb);
    if (hv.ok()) {
        t.have_hypervisor = true;
        t.hypervisor = hv.value();
    } else {
        t.fail(hv.error());
    }
    return t;
}

// Maps one page shared with Xen or dom0 unless RAM already covers it.
Status map_shared_page(BoardEnv& env, const TreeFacts& tree, Gfn pfn) {
    Range page{addr_of(pfn).value(), kPageSize};
    if (tree.have_banks && tree.banks.find(page.base) != nullptr) return ok();
    return env.mapper.map(page, arch::MemType::normal);
}

Status map_memory(BoardEnv& env, const TreeFacts& tree, Gfn console_pfn, Gfn store_pfn) {
    if (tree.have_banks) {
        for (unsigned i = 0; i < tree.banks.count; ++i) TRY(env.mapper.map(tree.banks.bank[i], arch::MemType::normal));
    } else {
        // Without a usable RAM description map only what xenboot knows is RAM.
        TRY(env.mapper.map(env.image, arch::MemType::normal));
        TRY(env.mapper.map(env.heap_range, arch::MemType::normal));
        if (tree.size != 0 || env.dtb != nullptr) {
            TRY(env.mapper.map(Range{reinterpret_cast<std::uintptr_t>(env.dtb), tree.size ? tree.size : kPageSize},
                               arch::MemType::normal));
        }
    }
    // Pages shared with Xen and dom0 must be Normal Write-Back Inner-Shareable
    // on our side too (Xen's Arm guest ABI), like RAM.
    TRY(map_shared_page(env, tree, console_pfn));
    if (store_pfn.value() != 0 && store_pfn != console_pfn) TRY(map_shared_page(env, tree, store_pfn));
    if (tree.have_hypervisor) TRY(env.mapper.map(tree.hypervisor.reg[0], arch::MemType::normal));
    return env.mapper.activate();
}

[[gnu::format(printf, 3, 4)]] void fatal(BoardEnv& env, Console& con, const char* fmt, ...) {
    con.write("xenboot: fatal: ");
    va_list ap;
    va_start(ap, fmt);
    vformat(con, fmt, ap);
    va_end(ap);
    con.write("\nxenboot: cannot continue; powering off\n");
    con.flush();
    Status s = env.power.power_off();
    if (!s.ok()) con.printf("xenboot: power-off failed: %s\n", s.error().message());
}

// XenStore, grant tables, the PV disks and vifs. Each may fail on its own;
// the shell still comes up and the commands that need the missing part say so.
struct PvServices {
    xen::GrantTable grants;
    xen::XenStore* store = nullptr;
    pvblock::PvBlockBus* bus = nullptr;
    pvblock::BlkfrontDevice::Env* disk_env = nullptr;
    pvnet::PvNetBus* vifs = nullptr;
    pvnet::NetFront::Env* vif_env = nullptr;
    NetPorts* net = nullptr;  // the vifs and the IP stack, for the network commands
};

template <typename T>
void* alloc_for(Heap& heap) {
    return heap.alloc(sizeof(T), alignof(T));
}

// Everything the PV devices need that costs no XenStore round trip: the
// XenStore client (its ring page and event channel are HVM params), the grant
// table (hypercalls) and the empty device buses. The device listing itself
// waits for dom0's xenstored, so it comes after the prompt (PvDevices).
void start_pv_services(BoardEnv& env, Console& con, xen::EventChannels& events, const TreeFacts& tree,
                       Result<std::uint64_t> store_pfn, Result<std::uint64_t> store_port, PvServices& pv,
                       cmd::Services& services) {
    if (!store_pfn.ok() || !store_port.ok() || store_pfn.value() == 0) {
        con.printf("xenboot: warning: no XenStore (HVM params missing): no PV disks\n");
        return;
    }
    EvtchnPort port(static_cast<std::uint32_t>(store_port.value()));
    Status bound = events.bind_polled(port);
    void* store_mem = alloc_for<xen::XenStore>(env.heap);
    if (!bound.ok() || store_mem == nullptr) {
        con.printf("xenboot: warning: XenStore unavailable: %s\n",
                   bound.ok() ? "out of memory" : bound.error().message());
        return;
    }
    pv.store = new (store_mem)
        xen::XenStore(events, static_cast<xen::XenstoreInterface*>(env.xen.frame(Gfn(store_pfn.value()))), port);
    services.xenstore = pv.store;

    Status g = pv.grants.init(env.xen, tree.hypervisor.reg[0], XENBOOT_GRANT_FRAMES, env.heap);
    if (!g.ok()) {
        con.printf("xenboot: warning: grant tables unavailable (%s): no PV disks\n", g.error().message());
        return;
    }
    void* bus_mem = alloc_for<pvblock::PvBlockBus>(env.heap);
    void* denv_mem = alloc_for<pvblock::BlkfrontDevice::Env>(env.heap);
    if (bus_mem == nullptr || denv_mem == nullptr) {
        con.printf("xenboot: warning: out of memory for PV disks\n");
        return;
    }
    pv.bus = new (bus_mem) pvblock::PvBlockBus();
    pv.disk_env = new (denv_mem) pvblock::BlkfrontDevice::Env{env.xen, events, pv.grants, *pv.store, env.heap};
    services.pvblock_bus = pv.bus;

    void* vifs_mem = alloc_for<pvnet::PvNetBus>(env.heap);
    void* nenv_mem = alloc_for<pvnet::NetFront::Env>(env.heap);
    void* ports_mem = alloc_for<NetPorts>(env.heap);
    if (vifs_mem == nullptr || nenv_mem == nullptr || ports_mem == nullptr) {
        con.printf("xenboot: warning: out of memory for PV network interfaces\n");
        return;
    }
    pv.vif_env = new (nenv_mem) pvnet::NetFront::Env{env.xen, events, pv.grants, *pv.store, env.heap};
    pv.vifs = new (vifs_mem) pvnet::PvNetBus();
    pv.net = new (ports_mem) NetPorts(*pv.vifs);
    services.pvnet_bus = pv.vifs;
}

// The disks are still connecting (their sizes come with Connected): the
// names only; `pvblock info` shows the rest.
void print_disks(Console& con, pvblock::PvBlockBus* bus) {
    if (bus == nullptr) return;
    for (unsigned i = 0; i < bus->count(); ++i) {
        const pvblock::BlkfrontInfo& d = bus->disk(i).info();
        con.printf("pvblock %u: %s (vbd %u)\n", i, d.vdev_name[0] ? d.vdev_name : "disk", d.vdev);
    }
}

void print_vifs(Console& con, const pvnet::PvNetBus* vifs) {
    if (vifs == nullptr) return;
    for (unsigned i = 0; i < vifs->count(); ++i) {
        const pvnet::NetfrontInfo& v = vifs->vif(i).info();
        con.printf("Net:   eth%u: vif %u, %s\n", i, v.handle, v.mac_text);
    }
}

// U-Boot's convention: the MAC of interface N is `ethaddr` (N = 0) or
// `eth<N>addr`. A value the operator gave (bootargs) is kept.
void set_mac_vars(Console& con, cmd::Environment& env, const pvnet::PvNetBus* vifs) {
    if (vifs == nullptr) return;
    for (unsigned i = 0; i < vifs->count(); ++i) {
        char name[16];
        if (i == 0) format_to(name, sizeof name, "ethaddr");
        else format_to(name, sizeof name, "eth%uaddr", i);
        const char* mac = vifs->vif(i).info().mac_text;
        std::optional<std::string_view> given = env.get(name);
        if (given.has_value()) {
            if (*given != mac)
                con.printf("xenboot: warning: %s is %.*s, but vif %u's MAC is %s\n", name,
                           static_cast<int>(given->size()), given->data(), vifs->vif(i).info().handle, mac);
            continue;
        }
        Status s = env.set(name, mac);
        if (!s.ok()) con.printf("xenboot: warning: %s: %s\n", name, s.error().message());
    }
}

// The PV device listing and the disks' handshakes, after the prompt. Every
// XenStore request waits for xenstored in dom0 (an event-channel round trip
// through Xen, tens of ms under the lab's emulation), so board init sends
// none before the prompt: the console's idle loop lists the disks (starting
// each one's handshake) and then the vifs, one bus per poll, and goes on with
// the handshakes and the pools' warm-up (PvBlockBus::poll). The first script
// to run (a typed command, bootcmd) finishes the listing first (ScriptGate):
// commands and variable expansion then see every disk and vif and $ethaddr,
// and the listing's lines are printed there, never over a prompt or the
// countdown. A disk still connecting is waited for by the command that uses
// it, and closed by the hand-off like any other.
class PvDevices final : public pvconsole::PvConsole::Idle, public cmd::ScriptGate {
  public:
    PvDevices(Console& con, PvServices& pv, cmd::Services& services) : con_(con), pv_(pv), services_(services) {}
    // Where $ethaddr and friends go once the vifs are listed.
    void set_env(cmd::Environment* live, cmd::Environment* defaults) {
        live_ = live;
        defaults_ = defaults;
    }

    bool poll() override {
        if (stage_ != Stage::done) {
            step();
            return true;
        }
        return pv_.bus != nullptr && pv_.bus->poll();
    }

    void ready() override {
        while (stage_ != Stage::done) step();
        if (reported_) return;
        reported_ = true;
        print_disks(con_, pv_.bus);
        print_vifs(con_, pv_.vifs);
        if (defaults_ != nullptr) set_mac_vars(con_, *defaults_, pv_.vifs);
        // The live environment was copied from the defaults before the
        // vifs were known: it gets what they got (a value already there,
        // from bootargs, stays).
        if (live_ != nullptr && defaults_ != nullptr && pv_.vifs != nullptr) {
            for (unsigned i = 0; i < pv_.vifs->count(); ++i) {
                char name[16];
                if (i == 0) format_to(name, sizeof name, "ethaddr");
                else format_to(name, sizeof name, "eth%uaddr", i);
                std::optional<std::string_view> value = defaults_->get(name);
                if (value && live_->get(name) == std::nullopt) (void)live_->set(name, *value);
            }
        }
    }

  private:
    enum class Stage { disks, vifs, done };

    void step() {
        const std::uint64_t t0 = arch::counter();
        if (stage_ == Stage::disks) {
            stage_ = Stage::vifs;
            if (pv_.bus != nullptr) {
                Status probed = pv_.bus->probe(*pv_.disk_env, pvblock::BlkfrontOptions{}, &con_);
                if (!probed.ok()) con_.printf("xenboot: warning: %s\n", probed.error().message());
                for (unsigned i = 0; i < pv_.bus->count() && i < cmd::kMaxBlockDevices; ++i) {
                    services_.pvblock.dev[i] = &pv_.bus->disk(i);
                    services_.pvblock.count = i + 1;
                }
            }
        } else if (stage_ == Stage::vifs) {
            stage_ = Stage::done;
            if (pv_.vifs != nullptr) {
                Status probed = pv_.vifs->probe(*pv_.vif_env, pvnet::NetfrontOptions{}, &con_);
                if (!probed.ok()) con_.printf("xenboot: warning: %s\n", probed.error().message());
                if (pv_.vifs->count() != 0) services_.net = pv_.net;
            }
        }
        services_.times.disks_us += arch::ticks_to_us(arch::counter() - t0);
    }

    Console& con_;
    PvServices& pv_;
    cmd::Services& services_;
    cmd::Environment* live_ = nullptr;
    cmd::Environment* defaults_ = nullptr;
    Stage stage_ = Stage::disks;
    bool reported_ = false;
};

void print_banner(Console& con, const cmd::SystemInfo& sys) {
    con.printf("\nxenboot %s (%s, %s)", XENBOOT_VERSION, XENBOOT_GIT_REVISION, XENBOOT_BUILD_DATE);
    if (sys.have_xen_version) {
        con.printf(" on Xen %u.%u%s", sys.xen_version.major, sys.xen_version.minor, sys.xen_version.extra);
    }
    con.write("\n");
    std::uint64_t total = 0;
    for (unsigned i = 0; i < sys.memory.ram_count(); ++i) {
        const Range& r = sys.memory.ram(i);
        con.printf("DRAM:  bank %u at 0x%lx, %lu MiB\n", i, r.base, r.size >> 20);
        total += r.size;
    }
    con.printf("DRAM:  %lu MiB total; xenboot at 0x%lx\n", total >> 20, sys.image_base);
}

// The board's defaults (configs/xenguest.env), then name=value words from
// /chosen/bootargs (xl's cmdline=), which win: the operator's way to change
// bootcmd or bootdelay without rebuilding xenboot.
void load_environment(Console& con, cmd::Environment& env, const void* dtb) {
    Status d = cmd::load_default_env(env);
    if (!d.ok()) con.printf("xenboot: warning: %s\n", d.error().message());
    Result<const char*> args = fdt::bootargs(dtb);
    if (!args.ok()) {
        con.printf("xenboot: warning: %s\n", args.error().message());
        return;
    }
    cmd::BootargsResult r = cmd::load_bootargs_env(env, args.value());
    if (r.set != 0) con.printf("Environment: %u variable%s from bootargs\n", r.set, r.set == 1 ? "" : "s");
    if (r.failed != 0)
        con.printf("xenboot: warning: %u bootargs variable%s not set (too long or environment full)\n", r.failed,
                   r.failed == 1 ? "" : "s");
}

// Ends an init step at count `now` for bdinfo's profile ("init step = 0.123 ms NAME").
void mark_step_at(cmd::SystemInfo& sys, std::uint64_t& since, std::uint64_t now, const char* name) {
    if (sys.init_step_count < cmd::SystemInfo::kMaxInitSteps)
        sys.init_steps[sys.init_step_count++] = {name, arch::ticks_to_us(now - since)};
    since = now;
}

void mark_step(cmd::SystemInfo& sys, std::uint64_t& since, const char* name) {
    mark_step_at(sys, since, arch::counter(), name);
}

// The entry stub's steps (boot/entry.S), each ending at its slot's count:
// slot 0 is the entry itself, slot 8 the entry after the move.
constexpr const char* kStubSteps[kStubTicks] = {
    nullptr,
    "stub: invalidate image (MMU off)",
    "stub: relocate (MMU off)",
    "stub: clear early BSS (MMU off)",
    "stub: early map, invalidate (MMU off)",
    "stub: MMU on",
    "stub: choose home (C++, device tree)",
    "stub: copy image to its home",
    "stub: clean copy and old image, MMU off, re-enter",
    "stub 2: invalidate image (MMU off)",
    "stub 2: relocate (MMU off)",
    "stub 2: clear BSS (MMU off)",
    "stub 2: early map, invalidate (MMU off)",
    "stub 2: MMU on",
    nullptr,  // the entry after the move does not ask again
    nullptr,
};

void mark_stub_steps(cmd::SystemInfo& sys, std::uint64_t& since, const BoardEnv& env) {
    if (env.stub_ticks == nullptr) return;
    for (unsigned i = 1; i < kStubTicks; ++i) {
        if (env.stub_ticks[i] >= since && kStubSteps[i] != nullptr)
            mark_step_at(sys, since, env.stub_ticks[i], kStubSteps[i]);
    }
    if (env.main_ticks >= since) mark_step_at(sys, since, env.main_ticks, "stub to C++ entry");
}

}  // namespace

void board_main(BoardEnv& env) {
    xen::XenPort& xen = env.xen;
    cmd::SystemInfo sys;
    std::uint64_t step_start = env.entry_ticks;
    mark_stub_steps(sys, step_start, env);
    mark_step(sys, step_start, "C++ entry: heap size (device tree), early map, heap");

    // 1. The console needs no device tree: its page and event channel are HVM
    //    params. Without them there is no way to say anything.
    Result<std::uint64_t> console_pfn = xen::hvm_get_param(xen, xen::HvmParam::console_pfn);
    Result<std::uint64_t> console_port = xen::hvm_get_param(xen, xen::HvmParam::console_evtchn);
    if (!console_pfn.ok() || !console_port.ok() || console_pfn.value() == 0) {
        (void)env.power.power_off();
        return;
    }

    mark_step(sys, step_start, "console HVM params");

    // 2. The device tree, checked in full before use.
    TreeFacts tree = read_tree(env);
    mark_step(sys, step_start, "device tree checks");

    // 3. Final page tables: RAM, the console and xenstore pages, the grant-table
    //    window. (The xenstore page is only mapped here; its client comes later.)
    Result<std::uint64_t> store_pfn = xen::hvm_get_param(xen, xen::HvmParam::store_pfn);
    Result<std::uint64_t> store_port = xen::hvm_get_param(xen, xen::HvmParam::store_evtchn);
    Status mapped = map_memory(env, tree, Gfn(console_pfn.value()), Gfn(store_pfn.value_or(0)));
    if (!mapped.ok()) tree.fail(mapped.error());
    mark_step(sys, step_start, "XenStore HVM params, final page tables");

    // 4. shared_info in the last page of the grant-table window (the window's
    //    low frames are where grant frames go), then polled event channels.
    xen::SharedInfoMapping shared_info_mapping;
    xen::SharedInfo* shared = nullptr;
    char shared_info_warning[Error::kMaxMessage] = {};
    if (tree.have_hypervisor && mapped.ok()) {
        const Range& window = tree.hypervisor.reg[0];
        Result<xen::SharedInfo*> si = shared_info_mapping.map(xen, gfn_of(PhysAddr(window.end() - kPageSize)));
        if (si.ok()) shared = si.value();
        else format_to(shared_info_warning, sizeof shared_info_warning, "%s", si.error().message());
    }
    xen::EventChannels events(xen, shared);
    EvtchnPort port(static_cast<std::uint32_t>(console_port.value()));
    Status bound = events.bind_polled(port);
    pvconsole::PvConsole con(events, static_cast<xen::ConsoleInterface*>(xen.frame(Gfn(console_pfn.value()))), port);
    env.set_panic_console(&con);

    if (!bound.ok()) tree.fail(bound.error());
    if (tree.error[0] != '\0' || !tree.have_banks || !tree.have_hypervisor) {
        fatal(env, con, "%s", tree.error[0] != '\0' ? tree.error : "device tree unusable");
        return;
    }
    if (shared_info_warning[0] != '\0') {
        con.printf("xenboot: warning: %s (console input falls back to polling)\n", shared_info_warning);
    }

    mark_step(sys, step_start, "shared_info, event channels, console");

    // 5. Keep our own copy of the device tree (with room for fixups), so the
    //    memory Xen put it in is free for kernels.
    std::size_t dtb_room = tree.size + XENBOOT_DTB_EXTRA_SPACE;
    void* dtb_copy = env.heap.alloc(dtb_room, 8);
    if (dtb_copy == nullptr) {
        fatal(env, con, "no heap for a %zu-byte copy of the device tree", dtb_room);
        return;
    }
    Status copied = fdt::copy_to(env.dtb, dtb_copy, dtb_room);
    if (!copied.ok()) {
        fatal(env, con, "%s", copied.error().message());
        return;
    }

    // 6. What commands report.
    Result<xen::XenVersion> version = xen::xen_version(xen);
    sys.have_xen_version = version.ok();
    if (version.ok()) sys.xen_version = version.value();
    for (unsigned i = 0; i < tree.banks.count; ++i) sys.memory.add_ram(tree.banks.bank[i]);
    sys.memory.reserve(env.image, "xenboot");
    sys.memory.reserve(env.heap_range, "heap");
    sys.image_base = env.image.base;
    sys.load_base = env.load_base;
    sys.dtb_copy = reinterpret_cast<std::uintptr_t>(dtb_copy);
    sys.dtb_copy_size = dtb_room;
    sys.dtb_from_xen = reinterpret_cast<std::uintptr_t>(env.dtb);
    sys.have_hypervisor = true;
    sys.hypervisor = tree.hypervisor;
    sys.console_pfn = console_pfn.value();
    sys.console_evtchn = port.value();
    sys.store_pfn = store_pfn.value_or(0);
    sys.store_evtchn = static_cast<std::uint32_t>(store_port.value_or(0));
    sys.shared_info_gfn = shared_info_mapping.mapped() ? shared_info_mapping.gfn().value() : 0;
    sys.timer_hz = arch::counter_hz();

    PvServices pv;
    cmd::Services services;
    // No XenStore request before the prompt (PvDevices lists the devices
    // from the console's idle loop): its count is in the line below.
    mark_step(sys, step_start, "device tree copy, system facts");
    start_pv_services(env, con, events, tree, store_pfn, store_port, pv, services);
    PvDevices devices(con, pv, services);
    con.set_idle(&devices);
    mark_step(sys, step_start, "XenStore client, grant table, buses");

    print_banner(con, sys);
    mark_step(sys, step_start, "banner");
    sys.entry_to_prompt_us = arch::ticks_to_us(arch::counter() - env.entry_ticks);
    con.printf("Entry to prompt: %lu.%03lu ms (%lu XenStore requests)\n", sys.entry_to_prompt_us / 1000,
               sys.entry_to_prompt_us % 1000, pv.store != nullptr ? pv.store->requests() : 0UL);

    // 7. The shell, until a command ends the guest.
    cmd::Context ctx{con, env.power, sys};
    ctx.services = &services;
    // Two environments: the board's defaults as computed now (what `env
    // default` restores) and the live one, a copy of them.
    void* env_mem = env.heap.alloc(2 * sizeof(cmd::Environment), alignof(cmd::Environment));
    if (env_mem == nullptr) {
        fatal(env, con, "no heap for the environment");
        return;
    }
    cmd::Environment* defaults = new (env_mem) cmd::Environment();
    ctx.env = new (static_cast<cmd::Environment*>(env_mem) + 1) cmd::Environment();
    ctx.env_defaults = defaults;
    load_environment(con, *defaults, dtb_copy);
    devices.set_env(ctx.env, defaults);
    ctx.gate = &devices;
    board::HandoffParts parts{
        xen, events,     shared_info_mapping, pv.grants.ready() ? &pv.grants : nullptr, pv.store, pv.bus,
        con, sys.memory, env.enter_kernel};
    parts.vifs = pv.vifs;  // listed after the prompt: the hand-off closes whatever the lists hold by then
    if (pv.net != nullptr) parts.stack = &pv.net->stack();
    XenguestHandoff handoff(parts);
    if (env.enter_kernel != nullptr) services.handoff = &handoff;
    services.file_exists = &cmd::file_exists;
    services.times.init_us = sys.entry_to_prompt_us;
    Result<cmd::BootLayout> layout = cmd::choose_boot_layout(sys.memory);
    Status vars = layout.ok() ? cmd::set_boot_layout_vars(*defaults, layout.value()) : Status(layout.error());
    if (!vars.ok()) con.printf("xenboot: warning: load addresses: %s\n", vars.error().message());
    Status fdt_vars = cmd::set_fdt_vars(*defaults, sys.dtb_copy);
    if (!fdt_vars.ok()) con.printf("xenboot: warning: fdtcontroladdr: %s\n", fdt_vars.error().message());
    if (defaults->get("bootcmd") == std::nullopt) (void)defaults->set("bootcmd", "bootflow scan");
    Status copied_env = ctx.env->copy_from(*defaults);
    if (!copied_env.ok()) con.printf("xenboot: warning: environment: %s\n", copied_env.error().message());
    cmd::Shell shell(ctx);
    cmd::autoboot(ctx, shell);
    Status ran = ctx.stop ? ok() : shell.run();
    if (!ran.ok()) fatal(env, con, "console failed: %s", ran.error().message());
    env.set_panic_console(nullptr);
    con.set_idle(nullptr);
    // lwIP is one global instance that remembers each netif's link: a stack left
    // up would point into this boot's heap after board_main returns (simulated
    // platforms, where the next boot then polls a freed link).
    if (pv.net != nullptr) pv.net->stack().down();
    ctx.env->~Environment();  // frees the variables (matters on simulated platforms, where board_main returns)
    defaults->~Environment();
}

}  // namespace xb::board
