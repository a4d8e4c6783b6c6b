// Fuzzes console input to the shell: line editing, tokenizing and command
// dispatch. Any byte sequence must end (the sim reports starvation when input
// runs out) without a crash, and never power the guest off unless asked.
#include <cstdint>
#include <string>

#include "cmd/shell.h"
#include "tests/sim/fakes.h"
#include "tests/sim/guest_ram.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    xb::sim::ConsoleGuest guest;
    xb::sim::FakePower power;
    xb::cmd::SystemInfo sys;
    // The memory commands really read and write what is declared RAM: back it
    // with the simulated guest RAM mapped at 0x40000000.
    (void)xb::sim::GuestRam::get();
    sys.memory.add_ram({0x40000000, 64 << 20});
    xb::cmd::Context ctx{*guest.console, power, sys};
    xb::cmd::Shell shell(ctx);
    guest.backend.type(std::string(reinterpret_cast<const char*>(data), size));
    (void)shell.run();
    (void)shell.run_line(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
