#include "board/xenguest/handoff.h"

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

Result<unsigned> XenguestHandoff::release_xen(Console& log) {
    if (released_) return 0u;
    unsigned warnings = 0;
    // 1. PV disks: Closing -> Closed -> Initialising with blkback answering each
    //    step, so Linux's blkfront finds a backend in InitWait and connects at
    //    once; this also ends every grant and closes each ring's event channel.
    //    A disk closed here and not handed off reconnects with `pvblock reconnect`.
    if (p_.bus != nullptr) warnings += warn_if(log, p_.bus->disconnect_all(), "closing PV disks");
    //    PV network interfaces likewise (netboot.md §1.5): TX drained, Closing
    //    -> Closed -> Initialising, keys removed, grants ended. Left connected,
    //    netback would keep copying frames into pages the kernel reuses.
    //    The IP stack goes first: it stops DHCP and drops the netif, so no
    //    lwIP timer or buffer refers to a vif that is closing.
    if (p_.stack != nullptr) p_.stack->down();
    if (p_.vifs != nullptr) warnings += warn_if(log, p_.vifs->close_all(), "closing PV network interfaces");
    // 2. Nothing still granted (see check_grants); else booting stops here.
    TRY(check_grants(log));
    released_ = true;
    // 3. XenStore: ask xenstored to drop this connection's state (watches,
    //    transactions) and reset the ring, when it supports reconnection.
    if (p_.store != nullptr)
        warnings += warn_if(log, p_.store->reconnect(Deadline::after_ms(kXenstoreResetMs)), "resetting XenStore");
    // 4. No pending bit or selector left behind for the console or XenStore
    //    ports (the kernel masks and rebinds everything itself).
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
