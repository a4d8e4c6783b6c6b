// Fuzzes the hush parser and interpreter with arbitrary script text. The
// parse must end (no unbounded recursion: nesting is limited) with a tree or a
// positioned error; then the script runs against a real environment with a
// step budget, so `while true; do; done` ends too. Commands that touch memory
// or devices are in the table as well (mw, md, source...): RAM is the
// simulated guest RAM, and every access is range-checked by them.
#include <cstdint>
#include <string_view>

#include "bootflow/system_info.h"
#include "shell/hush_parser.h"
#include "shell/interpreter.h"
#include "tests/sim/fakes.h"
#include "tests/sim/guest_ram.h"

static bool no_sleep(const char* name) { return std::string_view(name) != "sleep"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // Parse only: what the fuzzer mostly exercises.
    {
        xb::cmd::hush::Script script;
        bool incomplete = false;
        (void)xb::cmd::hush::parse(text, script, &incomplete);
    }
    // Parse and run, bounded.
    xb::sim::ConsoleGuest guest;
    xb::sim::FakePower power;
    xb::cmd::SystemInfo sys;
    (void)xb::sim::GuestRam::get();
    sys.memory.add_ram({0x40000000, 64 << 20});
    xb::cmd::Environment env;
    xb::cmd::Context ctx{*guest.console, power, sys};
    ctx.env = &env;
    xb::cmd::Interpreter interp(ctx);
    interp.set_step_limit(2000);
    interp.set_command_filter(no_sleep);  // sleep waits in real time on the host
    (void)interp.run_script(text);
    return 0;
}
