// The autoboot countdown on the simulated console: $bootdelay -1 (never), 0
// (at once unless a key is already waiting), N (a key stops it), -2 (at once,
// input not read), and $bootcmd run when it runs out. Times are the host's
// virtual generic timer (arch/host/virtual_clock.h), which the countdown reads.
#include <gtest/gtest.h>

#include <string>

#include "bootflow/autoboot.h"
#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "tests/sim/boot_rig.h"

namespace {

using namespace xb;
using sim::BootRig;

// Milliseconds of virtual time since `t0` (a virtual_clock::now() value).
std::uint64_t ms_since(std::uint64_t t0) { return arch::ticks_to_ms(arch::virtual_clock::now() - t0); }

struct AutobootRig : BootRig {
    AutobootRig() { EXPECT_TRUE(env->set("bootcmd", "echo BOOTCMD-RAN; echo second line").ok()); }
    std::string autoboot() {
        cmd::autoboot(ctx, *shell);
        ctx.con.flush();
        return sim::without_cr(guest.backend.take_output());
    }
    void key(const char* k) {
        guest.backend.type(k);
        guest.backend.service();
    }
};

TEST(Autoboot, MinusOneNeverBoots) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "-1").ok());
    const std::string out = r.autoboot();
    EXPECT_EQ(out, "");
}

TEST(Autoboot, ZeroBootsAtOnce) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "0").ok());
    const std::uint64_t t0 = arch::virtual_clock::now();
    const std::string out = r.autoboot();
    EXPECT_LT(ms_since(t0), 500u);
    EXPECT_EQ(out, "Hit any key to stop autoboot:  0 \nBOOTCMD-RAN\nsecond line\n");
}

TEST(Autoboot, ZeroWithAKeyAlreadyTypedStops) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "0").ok());
    r.key("x");
    const std::string out = r.autoboot();
    EXPECT_EQ(out, "Hit any key to stop autoboot:  0 \n");
}

TEST(Autoboot, AKeyStopsTheCountdown) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "2").ok());
    // The key comes 300 ms into the countdown, while xenboot waits for input.
    const std::uint64_t t0 = arch::virtual_clock::now();
    bool typed = false;
    r.guest.xen.on_idle([&] {
        if (!typed && ms_since(t0) > 300) {
            typed = true;
            r.guest.backend.type(" ");
        }
    });
    const std::string out = r.autoboot();
    const std::uint64_t elapsed = ms_since(t0);
    EXPECT_TRUE(typed);
    EXPECT_LT(elapsed, 1500u);
    EXPECT_EQ(out, "Hit any key to stop autoboot:  2 \n");
}

TEST(Autoboot, CountdownRunsOutAndBoots) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "1").ok());
    const std::uint64_t t0 = arch::virtual_clock::now();
    const std::string out = r.autoboot();
    const std::uint64_t elapsed = ms_since(t0);
    EXPECT_GE(elapsed, 950u);
    EXPECT_LT(elapsed, 3000u);
    EXPECT_EQ(out, "Hit any key to stop autoboot:  1 \b\b\b 0 \nBOOTCMD-RAN\nsecond line\n");
}

TEST(Autoboot, MinusTwoBootsWithoutReadingInput) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "-2").ok());
    r.key("q");
    const std::string out = r.autoboot();
    EXPECT_EQ(out, "BOOTCMD-RAN\nsecond line\n");
    EXPECT_EQ(r.ctx.read_char(), 'q');  // still there for the prompt (console or typeahead)
}

TEST(Autoboot, BadBootdelayFallsBackToTwoSeconds) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "soon").ok());
    r.key("x");
    const std::string out = r.autoboot();
    EXPECT_EQ(out, "autoboot: bootdelay 'soon' is not a number; using 2\nHit any key to stop autoboot:  2 \n");
}

TEST(Autoboot, NoBootcmd) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "0").ok());
    r.env->remove("bootcmd");
    const std::string out = r.autoboot();
    EXPECT_EQ(out, "Hit any key to stop autoboot:  0 \nautoboot: $bootcmd is not set\n");
}

TEST(Autoboot, BootcmdThatBootsEndsTheShell) {
    AutobootRig r;
    ASSERT_TRUE(r.env->set("bootdelay", "0").ok());
    auto image = sim::make_arm64_image(64 * 1024, 2);
    std::memcpy(r.at(r.base() + 2 * BootRig::kMiB), image.data(), image.size());
    ASSERT_TRUE(r.env->set("bootcmd", "booti " + sim::hex(r.base() + 2 * BootRig::kMiB) + "; echo not-reached").ok());
    const std::string out = r.autoboot();
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "enter_kernel"})) << out;
    EXPECT_TRUE(r.ctx.stop);
    EXPECT_EQ(out.find("not-reached"), std::string::npos) << out;
}

}  // namespace
