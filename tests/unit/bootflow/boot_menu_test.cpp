// The boot menu on the simulated console with the virtual clock: the list,
// the countdown and what stops it, choosing by number (GRUB's "1>0" too) or by
// arrows, `e` and the command-line editor, leaving with Esc or Ctrl-C.
#include <gtest/gtest.h>

#include <string>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "bootflow/boot_menu.h"
#include "tests/sim/boot_rig.h"

namespace {

using namespace xb;
using cmd::MenuItem;

const MenuItem kItems[] = {
    {"0", "Debian GNU/Linux", 0, true},
    {"1", "Advanced options for Debian GNU/Linux", 0, false},
    {"1>0", "Debian GNU/Linux, with Linux 6.1.0-28-arm64", 1, true},
    {"1>1", "Debian GNU/Linux, with Linux 6.1.0-28-arm64 (recovery mode)", 1, true},
};

struct MenuRig : sim::BootRig {
    void key(const char* k) {
        guest.backend.type(k);
        guest.backend.service();
    }
    Result<cmd::MenuChoice> menu(std::int64_t timeout_ms, unsigned def = 0) {
        return cmd::run_boot_menu(ctx, "GRUB menu:", kItems, 4, def, timeout_ms);
    }
    std::string output() {
        ctx.con.flush();
        return sim::without_cr(guest.backend.take_output());
    }
};

std::uint64_t ms_since(std::uint64_t t0) { return arch::ticks_to_ms(arch::virtual_clock::now() - t0); }

TEST(BootMenu, ListsEntriesWithGrubNumbersAndBootsTheDefaultAtTimeoutZero) {
    MenuRig r;
    const std::uint64_t t0 = arch::virtual_clock::now();
    Result<cmd::MenuChoice> c = r.menu(0);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.value().item, 0u);
    EXPECT_FALSE(c.value().by_user);
    EXPECT_LT(ms_since(t0), 100u);
    const std::string out = r.output();
    EXPECT_NE(out.find("  0      Debian GNU/Linux  (default)\n"), std::string::npos) << out;
    EXPECT_NE(out.find("  1      Advanced options for Debian GNU/Linux  >\n"), std::string::npos) << out;
    EXPECT_NE(out.find("    1>1    Debian GNU/Linux, with Linux 6.1.0-28-arm64 (recovery mode)\n"), std::string::npos)
        << out;
}

TEST(BootMenu, CountdownRunsOutToTheDefault) {
    MenuRig r;
    const std::uint64_t t0 = arch::virtual_clock::now();
    Result<cmd::MenuChoice> c = r.menu(3000, 2);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.value().item, 2u);
    EXPECT_GE(ms_since(t0), 3000u);
    EXPECT_LT(ms_since(t0), 3500u);
    const std::string out = r.output();
    EXPECT_NE(out.find("Booting entry 1>0 in  3 s; press a key for the menu"), std::string::npos) << out;
    EXPECT_NE(out.find(" 0 s \n"), std::string::npos) << out;
}

TEST(BootMenu, TypedNumberIntoASubmenuAndEnter) {
    MenuRig r;
    r.key("1>1\r");
    Result<cmd::MenuChoice> c = r.menu(5000);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.value().item, 3u);
    EXPECT_TRUE(c.value().by_user);
    EXPECT_FALSE(c.value().edit);
}

TEST(BootMenu, ArrowsSkipSubmenuHeadings) {
    MenuRig r;
    r.key(" \x1b[B\r");  // a key stops the countdown, down once: from 0 past the heading to 1>0
    Result<cmd::MenuChoice> c = r.menu(5000);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.value().item, 2u);
    r.key("\x1b[A\x1b[A\r");  // up twice from the default 0: wraps to 1>1, then 1>0
    Result<cmd::MenuChoice> c2 = r.menu(-1);
    ASSERT_TRUE(c2.ok());
    EXPECT_EQ(c2.value().item, 2u);
}

TEST(BootMenu, EChoosesWithEditing) {
    MenuRig r;
    r.key("1>0e");
    Result<cmd::MenuChoice> c = r.menu(-1);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.value().item, 2u);
    EXPECT_TRUE(c.value().edit);
}

TEST(BootMenu, UnknownNumberSaysSoAndWaitsForAnother) {
    MenuRig r;
    r.key("7\r0\r");
    Result<cmd::MenuChoice> c = r.menu(-1, 2);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.value().item, 0u);
    EXPECT_NE(r.output().find("no bootable entry '7'"), std::string::npos);
}

TEST(BootMenu, EscapeOrCtrlCLeavesForThePrompt) {
    MenuRig r;
    r.key("\x1b");
    Result<cmd::MenuChoice> c = r.menu(-1);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), Errc::interrupted);
    MenuRig r2;
    r2.key("\x03");
    Result<cmd::MenuChoice> c2 = r2.menu(5000);
    ASSERT_FALSE(c2.ok());
    EXPECT_EQ(c2.error().code(), Errc::interrupted);
}

TEST(BootMenu, NoBootableDefaultIsAnError) {
    MenuRig r;
    Result<cmd::MenuChoice> c = r.menu(0, 1);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), Errc::invalid_argument);
}

TEST(BootMenu, EditCommandLineKeepsTheEdit) {
    MenuRig r;
    char args[64] = "root=/dev/xvda1 ro quiet";
    r.key("\b\b\b\b\bsingle\r");
    ASSERT_TRUE(cmd::edit_command_line(r.ctx, args, sizeof args).ok());
    EXPECT_STREQ(args, "root=/dev/xvda1 ro single");
    EXPECT_NE(r.output().find("linux args: root=/dev/xvda1 ro quiet"), std::string::npos);
}

TEST(BootMenu, EditCommandLineCtrlCKeepsTheOriginal) {
    MenuRig r;
    char args[64] = "root=/dev/xvda1 ro";
    r.key("xyz\x03");
    Status s = cmd::edit_command_line(r.ctx, args, sizeof args);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::interrupted);
    EXPECT_STREQ(args, "root=/dev/xvda1 ro");
}

}  // namespace
