// sleep through the shell on the simulated console and virtual clock: huge
// durations (issue 14, D8: `sleep 18446744.074` once wrapped its deadline round
// to "already expired") sleep until Ctrl-C, and durations past the parser's
// limit are refused, never cut short.
#include <gtest/gtest.h>

#include <string>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

std::uint64_t ms_since(std::uint64_t t0) { return arch::ticks_to_ms(arch::virtual_clock::now() - t0); }

TEST(Sleep, HugeDurationsSleepUntilCtrlC) {
    // 18446744073.710 s: ms * hz (the host's 1 MHz) is 2^64 + 448384, which the
    // unsaturated sum wrapped to a deadline 448 ticks away; 18446744.074 s does
    // the same for a 1 GHz counter.
    for (const char* duration :
         {"18446744.074", "18446744073.709", "18446744073.710", "315360000000", "315360000000.999"}) {
        SCOPED_TRACE(duration);
        sim::ShellRig r;
        // Ctrl-C comes 2 s into the sleep (in virtual time).
        const std::uint64_t t0 = arch::virtual_clock::now();
        bool typed = false;
        r.guest.xen.on_idle([&] {
            if (!typed && ms_since(t0) >= 2000) {
                typed = true;
                r.guest.backend.type("\x03");
            }
        });
        int rc = -1;
        const std::string out = r.run(std::string("sleep ") + duration + "; echo after", &rc);
        const std::uint64_t elapsed = ms_since(t0);
        EXPECT_TRUE(typed);
        EXPECT_EQ(out, "<INTERRUPT>\n");
        EXPECT_EQ(rc, 1);
        EXPECT_GE(elapsed, 2000u);
        EXPECT_LT(elapsed, 2100u);
        EXPECT_EQ(r.guest.xen.starved_polls(), 0u);
    }
}

TEST(Sleep, DurationsPastTheLimitAreRefused) {
    for (const char* duration : {"3153600000000", "18446744073709551616", "99999999999999999999999999.5"}) {
        SCOPED_TRACE(duration);
        sim::ShellRig r;
        const std::uint64_t t0 = arch::virtual_clock::now();
        int rc = -1;
        const std::string out = r.run(std::string("sleep ") + duration, &rc);
        EXPECT_EQ(rc, 1);
        EXPECT_NE(out.find(std::string("duration '") + duration + "' is too long"), std::string::npos) << out;
        EXPECT_LT(ms_since(t0), 10u);
    }
}

TEST(Sleep, ShortDurationsEndOnTime) {
    sim::ShellRig r;
    const std::uint64_t t0 = arch::virtual_clock::now();
    int rc = -1;
    EXPECT_EQ(r.run("sleep 0.25; echo after", &rc), "after\n");
    EXPECT_EQ(rc, 0);
    const std::uint64_t elapsed = ms_since(t0);
    EXPECT_GE(elapsed, 250u);
    EXPECT_LT(elapsed, 260u);
}

}  // namespace
