// Fuzzes console input to the shell: line editing (history, completion), the
// hush parser and command dispatch (with a step budget per script). Any byte
// sequence must end (the sim reports starvation when input runs out) without
// a crash, and never power the guest off unless asked.
#include <cstdint>
#include <string>

#include "cmd/shell.h"
#include "tests/sim/fakes.h"
#include "tests/sim/guest_ram.h"

static bool no_sleep(const char* name) { return std::string_view(name) != "sleep"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    xb::sim::ConsoleGuest guest;
    xb::sim::FakePower power;
    xb::cmd::SystemInfo sys;
    // The memory commands really read and write what is declared RAM: back it
    // with the simulated guest RAM mapped at 0x40000000.
    (void)xb::sim::GuestRam::get();
    sys.memory.add_ram({0x40000000, 64 << 20});
    xb::cmd::Context ctx{*guest.console, power, sys};
    xb::cmd::Environment env;
    ctx.env = &env;
    xb::cmd::Shell shell(ctx);
    shell.interpreter().set_step_limit(2000);
    shell.interpreter().set_command_filter(no_sleep);  // sleep waits in real time on the host  // typed `while true; do; done` must end
    guest.backend.type(std::string(reinterpret_cast<const char*>(data), size));
    (void)shell.run();
    (void)shell.run_line(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
