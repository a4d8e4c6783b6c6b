#include "tests/sim/sim_guest.h"

#include <cstdio>
#include <cstdlib>

#include "tests/sim/guest_ram.h"

namespace xb::sim {

namespace {

// A guest that cannot be set up makes every later assertion meaningless; no
// gtest here, as the fuzzers link the sim too.
void require(const Status& s, const char* what) {
    if (s.ok()) return;
    std::fprintf(stderr, "sim guest: %s: %s\n", what, s.error().message());
    std::abort();
}

}  // namespace

SimGuest::SimGuest() : SimGuest(Options{}) {}

SimGuest::SimGuest(Options options)
    : events(xen, map_shared_info(options.drivers)), heap(prepare_ram(options.fresh_ram)) {
    // The backends first, as the toolstack has them ready before the guest runs.
    if (options.xenstore) daemon = std::make_unique<SimXenstore>(xen, options.xenstore_features);
    for (Disk& d : options.disks) vbds.push_back(std::make_unique<SimVbd>(xen, *daemon, std::move(d.image), d.options));
    if (!options.drivers) return;
    // Then the guest's side, in board init's order: console, XenStore, grants.
    auto* ring = static_cast<xen::ConsoleInterface*>(xen.frame(SimConsoleBackend::kPfn));
    require(events.bind_polled(SimConsoleBackend::kPort), "binding the console port");
    console = std::make_unique<pvconsole::PvConsole>(events, ring, SimConsoleBackend::kPort, options.console);
    if (options.xenstore) {
        require(events.bind_polled(SimXenstore::kPort), "binding the xenstore port");
        auto* store_ring = static_cast<xen::XenstoreInterface*>(xen.frame(SimXenstore::kPfn));
        store = std::make_unique<xen::XenStore>(events, store_ring, SimXenstore::kPort, options.store);
    }
    if (options.grant_table) {
        require(grants.init(xen, kGrantWindow, kGrantFrames, heap), "mapping the grant table");
    }
}

Heap& SimGuest::prepare_ram(bool fresh) {
    if (fresh) GuestRam::get().reset();
    return GuestRam::get().heap();
}

xen::SharedInfo* SimGuest::map_shared_info(bool drivers) {
    if (!drivers) return nullptr;  // board init maps it itself (Xen 4.17 allows one mapping)
    Result<xen::SharedInfo*> si = mapping.map(xen, kSharedInfoGfn);
    if (!si.ok()) require(si.error(), "mapping shared_info");
    return si.value();
}

}  // namespace xb::sim
