// The console fixup: which command lines get console=hvc0 appended, and that
// booti applies it to what the kernel receives in /chosen/bootargs (from
// $bootargs or from Xen's `extra`), says so, and that console_fixup=0 stops it.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "bootflow/console_fixup.h"
#include "tests/sim/boot_rig.h"

namespace {

using namespace xb;
using xb::cmd::check_consoles;

TEST(ConsoleFixup, OnlyHardwareConsolesGetHvc0) {
    EXPECT_TRUE(check_consoles("root=/dev/xvda1 ro console=tty0 console=ttyS0,115200 quiet").append_hvc0);
    EXPECT_TRUE(check_consoles("console=ttyAMA0").append_hvc0);
    EXPECT_TRUE(check_consoles("console=tty1").append_hvc0);
    EXPECT_TRUE(check_consoles("console=\"ttyS0,115200n8\"").append_hvc0);
}

TEST(ConsoleFixup, LinesNamingHvcOrNoConsoleOrAnotherConsoleAreKept) {
    EXPECT_FALSE(check_consoles("console=ttyS0 console=hvc0").append_hvc0);
    EXPECT_FALSE(check_consoles("root=/dev/xvda1 ro quiet").append_hvc0);
    EXPECT_FALSE(check_consoles("").append_hvc0);
    EXPECT_FALSE(check_consoles("console=ttyUSB0").append_hvc0);  // not one we know is absent
    EXPECT_FALSE(check_consoles("console=null").append_hvc0);
    EXPECT_FALSE(check_consoles("console=tty").append_hvc0);  // the current VT: left alone
}

TEST(ConsoleFixup, ArgumentsAfterDoubleDashBelongToInit) {
    EXPECT_FALSE(check_consoles("ro -- console=ttyS0").append_hvc0);
    EXPECT_EQ(check_consoles("ro -- console=ttyS0").named, 0u);
}

TEST(ConsoleFixup, QuotedSpacesDoNotSplitWords) {
    // A quoted value with a space is one word: console= inside it is not an argument.
    EXPECT_FALSE(check_consoles("foo=\"a console=ttyS0\"").append_hvc0);
}

TEST(ConsoleFixup, NamesTheFirstConsoleForTheMessage) {
    const cmd::ConsoleCheck c = check_consoles("console=tty0 console=ttyS0,115200");
    EXPECT_EQ(c.named, 2u);
    EXPECT_STREQ(c.first, "tty0");
}

TEST(ConsoleFixup, AppendTrimsTrailingSpacesAndChecksRoom) {
    char out[64];
    ASSERT_TRUE(cmd::append_hvc0("console=ttyS0  ", out, sizeof out));
    EXPECT_STREQ(out, "console=ttyS0 console=hvc0");
    ASSERT_TRUE(cmd::append_hvc0("", out, sizeof out));
    EXPECT_STREQ(out, "console=hvc0");
    char tiny[20];
    EXPECT_FALSE(cmd::append_hvc0("console=ttyS0", tiny, sizeof tiny));
}

struct BootiConsole : sim::BootRig {
    std::vector<std::uint8_t> image = sim::make_arm64_image(64 * 1024, 3);
    std::uint64_t k = 0;
    BootiConsole() {
        handoff.snapshot_bytes = image.size();
        k = base() + (2ULL << 20);
        std::memcpy(at(k), image.data(), image.size());
    }
};

TEST(ConsoleFixup, BootiAppendsHvc0ToBootargsAndSaysSo) {
    BootiConsole r;
    r.run("setenv bootargs 'root=/dev/xvda1 console=tty0 console=ttyS0,115200'");
    int rc = -1;
    const std::string out = r.run("booti " + sim::hex(r.k) + " -", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"),
              std::string("root=/dev/xvda1 console=tty0 console=ttyS0,115200 console=hvc0") + '\0');
    EXPECT_NE(out.find("console=tty0 (and the others named) is not a Xen guest console: appending console=hvc0"),
              std::string::npos)
        << out;
}

TEST(ConsoleFixup, BootiFixesXensCommandLineWhenBootargsIsUnset) {
    BootiConsole r;
    r.run("fdt set /chosen bootargs 'console=ttyAMA0 from-xen'");
    int rc = -1;
    const std::string out = r.run("booti " + sim::hex(r.k) + " -", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("console=ttyAMA0 from-xen console=hvc0") + '\0');
}

TEST(ConsoleFixup, ConsoleFixupZeroTurnsItOff) {
    BootiConsole r;
    r.run("setenv console_fixup 0; setenv bootargs console=ttyS0");
    int rc = -1;
    const std::string out = r.run("booti " + sim::hex(r.k) + " -", &rc);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.chosen("bootargs"), std::string("console=ttyS0") + '\0');
    EXPECT_EQ(out.find("appending console=hvc0"), std::string::npos) << out;
}

}  // namespace
