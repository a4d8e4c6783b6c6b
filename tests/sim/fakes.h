// Small fakes for host tests: power control that records and a mapper that
// records (and can be told to fail). The simulated guests (ConsoleGuest and
// the rest) live in tests/sim/sim_guest.h, included here for their users.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "board/xenguest/board.h"
#include "lib/power.h"
#include "tests/sim/sim_guest.h"

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

}  // namespace xb::sim
