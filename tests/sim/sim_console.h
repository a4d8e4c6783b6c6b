// A simulated xenconsoled: drains the guest's output ring into a string and
// feeds typed input into the input ring, notifying the guest like the real
// daemon. Faults: stop draining (a stalled daemon), corrupt ring indices.
#pragma once

#include <string>
#include <string_view>

#include "tests/sim/sim_xen.h"

namespace xb::sim {

class SimConsoleBackend {
  public:
    static constexpr Gfn kPfn{0x39000};
    static constexpr EvtchnPort kPort{2};

    explicit SimConsoleBackend(SimXen& xen);

    void type(std::string_view input) { queued_input_ += input; }
    // Everything the guest wrote and the backend consumed so far.
    const std::string& output() const { return output_; }
    std::string take_output() {
        std::string out;
        out.swap(output_);
        return out;
    }
    void set_stalled(bool stalled) { stalled_ = stalled; }
    xen::ConsoleInterface& ring() { return *reinterpret_cast<xen::ConsoleInterface*>(page_.bytes); }
    std::size_t queued_input() const { return queued_input_.size(); }

    // Runs one round of the daemon's loop (also done on notify and idle).
    void service();

  private:
    SimXen& xen_;
    Page& page_;
    std::string output_;
    std::string queued_input_;
    bool stalled_ = false;
};

}  // namespace xb::sim
