// Small fakes for host tests: power control that records, a mapper that
// records (and can be told to fail), and a guest wired to the simulated
// console (SimXen + SimConsoleBackend + shared_info + PvConsole).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "board/xenguest/board.h"
#include "drivers/pvconsole/pv_console.h"
#include "drivers/xen/event_channels.h"
#include "drivers/xen/shared_info.h"
#include "lib/power.h"
#include "tests/sim/sim_console.h"
#include "tests/sim/sim_xen.h"

namespace xb::sim {

class FakePower final : public PowerControl {
  public:
    Status power_off() override {
        ++power_offs;
        return ok();
    }
    Status reset() override {
        ++resets;
        return ok();
    }
    int power_offs = 0;
    int resets = 0;
};

class FakeMapper final : public board::Mapper {
  public:
    Status map(Range range, arch::MemType type) override {
        mapped.push_back({range, type});
        return ok();
    }
    Status activate() override {
        ++activations;
        return ok();
    }
    struct Mapping {
        Range range;
        arch::MemType type;
    };
    std::vector<Mapping> mapped;
    int activations = 0;
};

// A guest with a working PV console on the simulated Xen.
struct ConsoleGuest {
    static constexpr Gfn kSharedInfoGfn{0x38fff};

    SimXen xen;
    SimConsoleBackend backend{xen};
    xen::SharedInfoMapping mapping;
    xen::EventChannels events{xen, map_shared_info()};
    std::unique_ptr<pvconsole::PvConsole> console;

    explicit ConsoleGuest(pvconsole::PvConsole::Config config = {}) {
        auto* ring = static_cast<xen::ConsoleInterface*>(xen.frame(SimConsoleBackend::kPfn));
        (void)events.bind_polled(SimConsoleBackend::kPort);
        console = std::make_unique<pvconsole::PvConsole>(events, ring, SimConsoleBackend::kPort, config);
    }

  private:
    xen::SharedInfo* map_shared_info() {
        Result<xen::SharedInfo*> si = mapping.map(xen, kSharedInfoGfn);
        return si.ok() ? si.value() : nullptr;
    }
};

}  // namespace xb::sim
