// The shell, table-driven: what is typed -> what the console shows and what
// happens. Runs against the simulated console, so line editing, echo and CR LF
// are exercised exactly as in the firmware.
#include <gtest/gtest.h>

#include <cstring>

#include "shell/shell.h"
#include "shell/hush_parser.h"
#include "tests/sim/fakes.h"
#include "bootflow/system_info.h"

namespace {

using namespace xb;

struct ShellRig {
    sim::ConsoleGuest guest;
    sim::FakePower power;
    cmd::SystemInfo sys;
    cmd::Context ctx{*guest.console, power, sys};
    cmd::Shell shell{ctx};

    ShellRig() {
        sys.have_xen_version = true;
        sys.xen_version = {4, 17, ".7"};
        sys.memory.add_ram({0x40000000, 64 << 20});
        sys.memory.reserve({0x43000000, 0x100000}, "xenboot");
        sys.memory.reserve({0x43100000, 0x800000}, "heap");
        sys.image_base = 0x43000000;
        sys.load_base = 0x40000000;
        sys.have_hypervisor = true;
        sys.hypervisor.reg[0] = {0x38000000, 0x1000000};
        sys.hypervisor.reg_count = 1;
        sys.console_pfn = 0x39000;
        sys.console_evtchn = 2;
        sys.timer_hz = 62500000;
    }

    // Types `input` and runs the shell until it stops (poweroff) or input runs out.
    std::string session(const std::string& input) {
        guest.backend.type(input);
        (void)shell.run();
        return guest.backend.take_output();
    }
};

struct Case {
    const char* name;
    const char* typed;
    const char* expect_in_output;
};

class ShellCases : public ::testing::TestWithParam<Case> {};

TEST_P(ShellCases, Output) {
    ShellRig rig;
    std::string out = rig.session(GetParam().typed);
    EXPECT_NE(out.find(GetParam().expect_in_output), std::string::npos) << "output was:\n" << out;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ShellCases,
    ::testing::Values(
        Case{"prompt", "", "=> "},
        Case{"echo", "echo hello  world\r", "echo hello  world\r\nhello world\r\n=> "},
        Case{"echo_n", "echo -n a b\r", "a b=> "},
        Case{"quotes", "echo 'a  b' \"c;d\" e\\ f\r", "a  b c;d e f\r\n"},
        Case{"semicolons", "echo one; echo two\r", "one\r\ntwo\r\n"},
        Case{"unknown", "frobnicate 1 2\r", "Unknown command 'frobnicate' - try 'help'\r\n"},
        Case{"syntax_error_runs_nothing", "echo ran; echo 'open\r", "syntax error: column 16: unterminated ' quote\r\n=> "},
        Case{"help_lists", "help\r", "bdinfo    - print board info"},
        Case{"help_one", "help echo\r", "echo - echo args to console\r\n\r\nUsage:\r\necho [-n] [args...]"},
        Case{"help_unknown", "help nope\r", "Unknown command 'nope' - try 'help' without arguments"},
        Case{"version", "version\r", "Xen 4.17.7\r\n"},
        Case{"version_args", "version now\r", "version: unexpected argument 'now' (usage: version)\r\n"},
        Case{"bdinfo_bank", "bdinfo\r", "DRAM bank   = 0x0000000000000000\r\n-> start    = 0x0000000040000000\r\n-> size     = 0x0000000004000000"},
        Case{"bdinfo_free", "bdinfo\r", "free RAM    = 0x0000000040000000-0x0000000043000000 (48 MiB)"},
        Case{"bdinfo_heap", "bdinfo\r", "heap        = 0x0000000043100000-0x0000000043900000 (8 MiB)"},
        Case{"bdinfo_console", "bdinfo\r", "console     = pfn 0x39000, event channel 2"},
        Case{"backspace", "echoo\x7f hi\r", "hi\r\n"},
        Case{"ctrl_u", "garbage\x15""echo clean\r", "clean\r\n"},
        Case{"ctrl_c", "echo never\x03", "<INTERRUPT>\r\n=> "},
        Case{"crlf_once", "echo a\r\necho b\n", "a\r\n=> echo b\r\nb\r\n"},
        Case{"escape_swallowed", "echo \x1b[Ax\r", "echo x\r\nx\r\n"},
        Case{"exception_usage", "exception\r", "exception: expects one exception kind (usage: exception undefined|breakpoint|abort)"},
        Case{"exception_kind", "exception fire\r", "exception: unknown kind 'fire'"},
        Case{"exception_host", "exception abort\r", "exception: not possible on this platform"},
        Case{"poweroff_args", "poweroff now\r", "poweroff: unexpected argument 'now' (usage: poweroff)"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Shell, PoweroffStopsTheShellAndPowersOff) {
    ShellRig rig;
    std::string out = rig.session("poweroff\recho after\r");
    EXPECT_NE(out.find("Powering off...\r\n"), std::string::npos);
    EXPECT_EQ(rig.power.power_offs, 1);
    EXPECT_EQ(out.find("after\r\n"), std::string::npos);  // nothing ran after power-off
}

TEST(Shell, ResetResets) {
    ShellRig rig;
    rig.session("reset\r");
    EXPECT_EQ(rig.power.resets, 1);
}

TEST(Shell, OverlongLinesAreCutNotOverflowed) {
    ShellRig rig;
    std::string out = rig.session("echo " + std::string(2000, 'q') + "\r");
    EXPECT_NE(out.find(std::string(cmd::LineEditor::kMaxLine - 1 - 5, 'q') + "\r\n"), std::string::npos);
}

TEST(Shell, LimitsAreErrorsNotOverflows) {
    ShellRig rig;
    std::string many = "echo";
    for (int i = 0; i < 70; ++i) many += " a";
    std::string out = rig.session(many + "\r");
    EXPECT_NE(out.find("too many arguments (at most 64)\r\n"), std::string::npos) << out;
    cmd::hush::Script script;
    Status s = cmd::hush::parse("echo \\", script);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "column 6: backslash at end of input");
}

}  // namespace
