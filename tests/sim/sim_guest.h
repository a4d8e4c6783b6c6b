// One simulated PV guest, composed from parts: the simulated Xen with its
// console daemon (always), and on request xenstored, PV disks (each a SimVbd
// with its image and faults), fresh guest RAM, and the guest's own drivers set
// up as board init leaves them (shared_info mapped, console and XenStore ports
// bound and polled, PvConsole, XenStore client, grant table). Tests that run
// board init themselves take only the Xen side (Options::drivers = false).
//
//   sim::SimGuest g(sim::SimGuest::Options{}.with_xenstore().with_disk(image));
//
// The test rigs (BootRig, BoardRig, blkfront's and the hand-off's guests,
// ConsoleGuest, XenstoreGuest) are thin users of it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "drivers/pvblock/blkfront.h"
#include "drivers/pvconsole/pv_console.h"
#include "drivers/xen/event_channels.h"
#include "drivers/xen/grant_table.h"
#include "drivers/xen/shared_info.h"
#include "drivers/xen/xenstore.h"
#include "lib/heap.h"
#include "tests/sim/sim_console.h"
#include "tests/sim/sim_vbd.h"
#include "tests/sim/sim_xen.h"
#include "tests/sim/sim_xenstore.h"

namespace xb::sim {

class SimGuest {
  public:
    static constexpr Gfn kSharedInfoGfn{0x38fff};                // last page of the grant window
    static constexpr Range kGrantWindow{0x38000000, 0x1000000};  // /hypervisor reg[0]
    static constexpr unsigned kGrantFrames = 32;                 // as board init maps

    struct Disk {
        std::vector<std::uint8_t> image;
        SimVbd::Options options{};  // vdev, features, faults
    };

    struct Options {
        // Guest RAM is wiped first (GuestRam::reset): set by a guest that owns
        // the test, left clear by one made in the middle of a test.
        bool fresh_ram = false;
        // The guest's side as board init leaves it; false: only Xen and the
        // backends, for tests that run board init themselves.
        bool drivers = true;
        pvconsole::PvConsole::Config console{};
        bool xenstore = false;  // a xenstored (and, with drivers, the XenStore client)
        xen::XenStore::Config store{};
        std::uint32_t xenstore_features = xen::kXenstoreServerFeatureReconnection | SimXenstore::kFeatureError;
        bool grant_table = false;  // with drivers: kGrantFrames frames mapped
        std::vector<Disk> disks;   // need xenstore

        Options& with_fresh_ram() {
            fresh_ram = true;
            return *this;
        }
        Options& without_drivers() {
            drivers = false;
            return *this;
        }
        Options& with_console(pvconsole::PvConsole::Config c) {
            console = c;
            return *this;
        }
        Options& with_xenstore(xen::XenStore::Config c = {}) {
            xenstore = true;
            store = c;
            return *this;
        }
        Options& with_xenstore_features(std::uint32_t f) {
            xenstore_features = f;
            return *this;
        }
        Options& with_grant_table() {
            grant_table = true;
            return *this;
        }
        Options& with_disk(std::vector<std::uint8_t> image, SimVbd::Options o = {}) {
            xenstore = true;
            disks.push_back(Disk{std::move(image), o});
            return *this;
        }
    };

    SimGuest();
    explicit SimGuest(Options options);
    SimGuest(const SimGuest&) = delete;
    SimGuest& operator=(const SimGuest&) = delete;

    // --- Xen and the backends ----------------------------------------------------------------
    SimXen xen;
    SimConsoleBackend backend{xen};
    std::unique_ptr<SimXenstore> daemon;        // with Options::xenstore
    std::vector<std::unique_ptr<SimVbd>> vbds;  // Options::disks, in order

    // --- the guest's drivers (Options::drivers) ----------------------------------------------
    xen::SharedInfoMapping mapping;
    xen::EventChannels events;
    std::unique_ptr<pvconsole::PvConsole> console;
    std::unique_ptr<xen::XenStore> store;  // with Options::xenstore
    xen::GrantTable grants;                // initialised with Options::grant_table
    Heap& heap;                            // guest RAM's heap (shared pages come from here)

    SimVbd& vbd(std::size_t i = 0) { return *vbds.at(i); }
    // What blkfront needs (drivers, xenstore and grant_table).
    pvblock::BlkfrontDevice::Env blkfront_env() { return {xen, events, grants, *store, heap}; }

  private:
    static Heap& prepare_ram(bool fresh);
    xen::SharedInfo* map_shared_info(bool drivers);
};

// A guest with a working PV console on the simulated Xen.
struct ConsoleGuest : SimGuest {
    explicit ConsoleGuest(pvconsole::PvConsole::Config config = {}) : SimGuest(Options{}.with_console(config)) {}
};

// A guest with a console and a XenStore client talking to the simulated
// xenstored (port bound and polled as board init does).
struct XenstoreGuest {
    SimGuest guest;
    SimXenstore& daemon;
    std::unique_ptr<xen::XenStore>& store;

    explicit XenstoreGuest(xen::XenStore::Config config = {},
                           std::uint32_t features = xen::kXenstoreServerFeatureReconnection |
                                                    SimXenstore::kFeatureError)
        : guest(SimGuest::Options{}.with_xenstore(config).with_xenstore_features(features)),
          daemon(*guest.daemon),
          store(guest.store) {}
};

}  // namespace xb::sim
