// Fuzzes console input to the shell: line editing (history, completion), the
// hush parser and command dispatch (with a step budget per script). Any byte
// sequence must end (the sim reports starvation when input runs out) without
// a crash, and never power the guest off unless asked.
#include <cstdint>
#include <string>

#include "bootflow/fdt_working_tree.h"
#include "shell/shell.h"
#include "fdt/device_tree.h"
#include "tests/sim/dtb_builder.h"
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
    // xenboot's copy of a DomU device tree in the last 64 KiB ("heap"), so the
    // fdt commands edit a real tree; fresh for every input.
    static const std::vector<std::uint8_t> dtb = xb::sim::build_dtb(xb::sim::DtbSpec{});
    constexpr std::uint64_t kCopy = 0x40000000 + (64 << 20) - 0x10000;
    sys.memory.reserve({kCopy, 0x10000}, "heap");
    if (!xb::fdt::copy_to(dtb.data(), reinterpret_cast<void*>(kCopy), 0x10000).ok()) __builtin_trap();
    sys.dtb_copy = kCopy;
    sys.dtb_copy_size = 0x10000;
    xb::cmd::reset_working_fdt();
    xb::cmd::Context ctx{*guest.console, power, sys};
    xb::cmd::Environment env;
    ctx.env = &env;
    xb::cmd::Shell shell(ctx);
    shell.interpreter().set_step_limit(2000);
    shell.interpreter().set_command_filter(
        no_sleep);  // sleep waits in real time on the host  // typed `while true; do; done` must end
    guest.backend.type(std::string(reinterpret_cast<const char*>(data), size));
    (void)shell.run();
    (void)shell.run_line(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
