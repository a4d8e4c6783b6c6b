// Frontend of Xen's PV console ring (public/io/console.h): one shared page with
// an input ring (backend -> guest, 1 KiB) and an output ring (guest -> backend,
// 2 KiB), free-running 32-bit indices, and an event channel to xenconsoled.
// Output turns '\n' into CR LF, as a terminal on the other end expects.
#pragma once

#include "drivers/xen/abi.h"
#include "drivers/xen/event_channels.h"
#include "lib/console.h"

namespace xb::pvconsole {

class PvConsole final : public Console {
  public:
    struct Config {
        // How long a write waits for the backend to make room before output is
        // dropped (and later writes stop waiting until the backend moves again).
        std::uint64_t stall_timeout_ms = 2000;
    };

    PvConsole(xen::EventChannels& events, xen::ConsoleInterface* ring, EvtchnPort port, Config config);
    PvConsole(xen::EventChannels& events, xen::ConsoleInterface* ring, EvtchnPort port)
        : PvConsole(events, ring, port, Config{}) {}

    // Work that goes on while the console waits for input (the board's disks
    // connecting in the background): no threads, so the input loop does it.
    class Idle {
      public:
        // Takes one bounded step; true while work is left (the console then
        // calls again within kIdleSliceMs instead of sleeping until input).
        virtual bool poll() = 0;

      protected:
        ~Idle() = default;
    };
    static constexpr std::uint64_t kIdleSliceMs = 5;
    void set_idle(Idle* idle) { idle_ = idle; }

    void write(std::string_view text) override;
    int read_char() override;
    Status wait_input(Deadline until) override;
    void flush() override;

    std::uint64_t dropped_bytes() const { return dropped_; }
    std::uint64_t bad_index_resets() const { return bad_indices_; }

  private:
    // Copies text into the output ring (waiting, bounded, for space) without notifying.
    void write_raw(std::string_view text);
    // Copies what the backend has put into the input ring into pending_.
    void pull_input();
    bool input_ready();
    bool wait_for_space();

    xen::EventChannels& events_;
    xen::ConsoleInterface* ring_;
    EvtchnPort port_;
    Config config_;
    Idle* idle_ = nullptr;
    bool backend_stalled_ = false;
    std::uint64_t dropped_ = 0;
    std::uint64_t bad_indices_ = 0;
    char pending_[sizeof(xen::ConsoleInterface::in)];
    unsigned pending_head_ = 0;
    unsigned pending_len_ = 0;
};

}  // namespace xb::pvconsole
