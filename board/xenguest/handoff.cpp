#include "board/xenguest/handoff.h"

#include "arch/arch.h"
#include "lib/deadline.h"

namespace xb::board {
namespace {

constexpr std::uint64_t kXenstoreResetMs = 2000;

unsigned warn_if(Console& log, const Status& s, const char* what) {
    if (s.ok()) return 0;
    log.printf("xenboot: warning: hand-off: %s: %s\n", what, s.error().message());
    return 1;
}

}  // namespace

unsigned XenguestHandoff::release_xen(Console& log) {
    if (released_) return 0;
    released_ = true;
    unsigned warnings = 0;
    // 1. PV disks: Closing -> Closed -> Initialising with blkback answering each
    //    step, so Linux's blkfront finds a backend in InitWait and connects at
    //    once; this also ends every grant and closes each ring's event channel.
    if (p_.bus != nullptr) warnings += warn_if(log, p_.bus->disconnect_all(), "closing PV disks");
    // 2. XenStore: ask xenstored to drop this connection's state (watches,
    //    transactions) and reset the ring, when it supports reconnection.
    if (p_.store != nullptr)
        warnings += warn_if(log, p_.store->reconnect(Deadline::after_ms(kXenstoreResetMs)), "resetting XenStore");
    // 3. No pending bit or selector left behind for the console or XenStore
    //    ports (the kernel masks and rebinds everything itself).
    p_.events.clear_all_pending();
    // 4. The grant frames and shared_info leave the physmap: Xen >= 4.17 maps
    //    shared_info at one GFN only, and Linux BUG()s when its own mapping fails.
    if (p_.grants != nullptr && p_.grants->ready()) {
        if (p_.grants->in_use() != 0) {
            log.printf("xenboot: warning: hand-off: %u grant references still in use\n", p_.grants->in_use());
            ++warnings;
        }
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
