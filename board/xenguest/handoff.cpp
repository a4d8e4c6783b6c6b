#include "board/xenguest/handoff.h"

#include <new>

#include "arch/arch.h"
#include "lib/deadline.h"
#include "lib/format.h"

namespace xb::board {
namespace {

constexpr std::uint64_t kXenstoreResetMs = 2000;

unsigned warn_if(Console& log, const Status& s, const char* what) {
    if (s.ok()) return 0;
    log.printf("xenboot: warning: hand-off: %s: %s\n", what, s.error().message());
    return 1;
}

}  // namespace

Status XenguestHandoff::check_grants(Console& log) const {
    if (p_.grants == nullptr || !p_.grants->ready()) return ok();
    // Grants whose end() failed earlier get another try now that every disk
    // and vif is closed (blkback and netback unmap everything before Closed).
    xen::GrantQuarantine& q = p_.grants->quarantine();
    q.retry(*p_.grants);
    const unsigned in_use = p_.grants->in_use();
    if (in_use == 0) return ok();
    // A grant still in use means another domain may still read or write one
    // of our pages, which the kernel would get as free RAM (and Linux would
    // reuse the grant entry, which a late unmap then changes). Stop here,
    // before anything that cannot be undone: the grant frames and shared_info
    // stay mapped, the console keeps working and the prompt comes back.
    char owners[160];
    q.describe(owners, sizeof owners);
    const unsigned others = in_use > q.held() + q.lost() ? in_use - q.held() - q.lost() : 0;
    char rest[48] = "";
    if (others != 0) format_to(rest, sizeof rest, "%s%u not held by a device", owners[0] != '\0' ? ", " : "", others);
    log.printf(
        "xenboot: a backend still maps pages the kernel would get: the kernel was not started.\n"
        "xenboot: boot again once it lets go; `pvblock reconnect` connects the disks again.\n");
    return Error::make(Errc::busy, "hand-off refused: %u grant reference%s still in use (%s%s)", in_use,
                       in_use == 1 ? "" : "s", owners, rest);
}

unsigned XenguestHandoff::close_devices(Console& log) {
    unsigned warnings = 0;
    // The IP stack goes first: it stops DHCP and drops the netif, so no lwIP
    // timer or buffer refers to a vif that is closing.
    std::uint64_t t = arch::counter();
    if (p_.stack != nullptr) p_.stack->down();
    if (p_.store == nullptr) {
        // No XenStore, so no device was ever connected: nothing to dance.
        if (p_.bus != nullptr) warnings += warn_if(log, p_.bus->disconnect_all(), "closing PV disks");
        if (p_.vifs != nullptr) warnings += warn_if(log, p_.vifs->close_all(), "closing PV network interfaces");
        return warnings;
    }
    // Every PV disk and every vif that was used goes Closing -> Closed ->
    // Initialising with its backend answering each step, so Linux's blkfront
    // and netfront find their backends in InitWait and connect at once. The
    // dances run together (xen::close_together): the hand-off waits about as
    // long as the slowest backend, not the sum of all of them. Each vif's TX
    // is drained first (netboot.md §1.5); left connected, netback would keep
    // copying frames into pages the kernel reuses. A disk closed here and not
    // handed off reconnects with `pvblock reconnect`.
    // The parts live on the heap, not on this frame: with their results they
    // are about 10 KB, and the hand-off can be the end of the deepest chain of
    // calls (a boot from inside a script; scripts/check-stack.py).
    constexpr std::size_t kMaxParts = pvblock::PvBlockBus::kMaxDisks + pvnet::PvNetBus::kMaxVifs;
    struct HeapParts {
        xen::CloseDevice* p;
        ~HeapParts() { delete[] p; }
    } heap_parts{new (std::nothrow) xen::CloseDevice[kMaxParts]};
    if (heap_parts.p == nullptr) {
        // Nothing is closed, so the devices' grants stay and check_grants()
        // refuses the boot: a clear stop, not a dirty hand-off.
        log.printf("xenboot: warning: no memory to close the PV devices\n");
        return warnings + 1;
    }
    xen::CloseDevice* parts = heap_parts.p;
    const std::span<xen::CloseDevice> all(parts, kMaxParts);
    const std::size_t disks = p_.bus != nullptr ? p_.bus->begin_close(all) : 0;
    const std::size_t vifs = p_.vifs != nullptr ? p_.vifs->begin_close(all.subspan(disks)) : 0;
    times_.us_drain = arch::ticks_to_us(arch::counter() - t);
    t = arch::counter();
    xen::CloseStats stats;
    (void)xen::close_together(*p_.store, all.first(disks + vifs), &stats);
    times_.us_dance = arch::ticks_to_us(arch::counter() - t);
    times_.requests_dance = stats.requests;
    times_.write_batches = stats.write_batches;
    times_.us_removing = stats.us_removing;
    times_.removals = stats.removals;
    times_.remove_batches = stats.remove_batches;
    times_.devices = static_cast<unsigned>(disks + vifs);
    for (std::size_t i = 0; i < disks + vifs; ++i) {
        for (unsigned k = 0; k < 3; ++k) {
            if (parts[i].us_step[k] > times_.us_slowest_step[k]) times_.us_slowest_step[k] = parts[i].us_step[k];
            times_.us_answers_sum += parts[i].us_step[k];
        }
    }
    // Then each device gives back what it took (its nodes are gone already,
    // removed while its backend closed): a device whose backend did
    // not answer Closed keeps what the backend may still map in the grant
    // quarantine (never freed), and check_grants() refuses the boot.
    t = arch::counter();
    if (p_.bus != nullptr) warnings += warn_if(log, p_.bus->end_close(all.first(disks)), "closing PV disks");
    if (p_.vifs != nullptr)
        warnings += warn_if(log, p_.vifs->end_close(all.subspan(disks, vifs)), "closing PV network interfaces");
    times_.us_release = arch::ticks_to_us(arch::counter() - t);
    return warnings;
}

void XenguestHandoff::print_times(Console& log) const {
    auto ms = [](std::uint64_t us) { return static_cast<unsigned long>((us + 500) / 1000); };
    log.printf(
        "xenboot: hand-off: %u device%s closed together in %lu ms (backend answers: %lu ms added up; slowest: "
        "Closing %lu, Closed %lu, InitWait %lu ms; %lu nodes removed meanwhile in %lu ms, %u batch%s), drain %lu ms, "
        "release %lu ms, grants %lu ms, XenStore reset %lu ms, unmap %lu ms; %lu XenStore requests (%lu in the "
        "dance, %u write batch%s)\n",
        times_.devices, times_.devices == 1 ? "" : "s", ms(times_.us_dance), ms(times_.us_answers_sum),
        ms(times_.us_slowest_step[0]), ms(times_.us_slowest_step[1]), ms(times_.us_slowest_step[2]),
        static_cast<unsigned long>(times_.removals), ms(times_.us_removing), times_.remove_batches,
        times_.remove_batches == 1 ? "" : "es", ms(times_.us_drain), ms(times_.us_release), ms(times_.us_grants),
        ms(times_.us_xenstore), ms(times_.us_unmap), static_cast<unsigned long>(times_.requests),
        static_cast<unsigned long>(times_.requests_dance), times_.write_batches, times_.write_batches == 1 ? "" : "es");
}

Result<unsigned> XenguestHandoff::release_xen(Console& log) {
    if (released_) return 0u;
    times_ = HandoffTimes{};
    const std::uint64_t t0 = arch::counter();
    const std::uint64_t requests0 = p_.store != nullptr ? p_.store->requests() : 0;
    // 1. PV disks and network interfaces: the reset dance, grants ended,
    //    event channels closed (close_devices).
    unsigned warnings = close_devices(log);
    // 2. Nothing still granted (see check_grants); else booting stops here.
    std::uint64_t t = arch::counter();
    Status granted = check_grants(log);
    times_.us_grants = arch::ticks_to_us(arch::counter() - t);
    TRY(granted);
    released_ = true;
    if (p_.store != nullptr) times_.requests = p_.store->requests() - requests0;
    // 3. XenStore: ask xenstored to drop this connection's state (watches,
    //    transactions) and reset the ring, when it supports reconnection.
    t = arch::counter();
    if (p_.store != nullptr)
        warnings += warn_if(log, p_.store->reconnect(Deadline::after_ms(kXenstoreResetMs)), "resetting XenStore");
    times_.us_xenstore = arch::ticks_to_us(arch::counter() - t);
    // 4. No pending bit or selector left behind for the console or XenStore
    //    ports (the kernel masks and rebinds everything itself).
    t = arch::counter();
    p_.events.clear_all_pending();
    // 5. The grant frames and shared_info leave the physmap: Xen >= 4.17 maps
    //    shared_info at one GFN only, and Linux BUG()s when its own mapping fails.
    if (p_.grants != nullptr && p_.grants->ready()) {
        warnings += warn_if(log, p_.grants->unmap(p_.xen), "removing grant frames");
    }
    if (p_.shared_info.mapped()) {
        p_.events.forget_shared_info();
        warnings += warn_if(log, p_.shared_info.unmap(p_.xen), "removing shared_info");
    }
    times_.us_unmap = arch::ticks_to_us(arch::counter() - t);
    times_.us_total = arch::ticks_to_us(arch::counter() - t0);
    // Caches are cleaned and the MMU turned off in enter_kernel, after this line.
    if (times_.devices != 0) print_times(log);
    p_.con.flush();
    return warnings;
}

void XenguestHandoff::enter_kernel(std::uint64_t entry, std::uint64_t dtb) {
    p_.con.flush();
    arch::clear_wakeup();
    Range ram[2] = {};
    for (unsigned i = 0; i < p_.memory.ram_count() && i < 2; ++i) ram[i] = p_.memory.ram(i);
    p_.enter(entry, dtb, ram[0], ram[1]);
}

}  // namespace xb::board
