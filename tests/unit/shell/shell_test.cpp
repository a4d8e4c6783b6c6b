// The shell, table-driven: what is typed -> what the console shows and what
// happens. Runs against the simulated console, so line editing, echo and CR LF
// are exercised exactly as in the firmware.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "shell/command.h"
#include "shell/hush_parser.h"
#include "tests/sim/shell_cases.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

// The shell of a 64 MiB guest on Xen 4.17, as board init describes it.
struct GuestShellRig : sim::ShellRig {
    GuestShellRig() {
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
};

class ShellCases : public sim::ShellCaseTest {};

TEST_P(ShellCases, Output) {
    GuestShellRig rig;
    EXPECT_TRUE(sim::check(GetParam(), rig.session(GetParam().input)));
}

XB_SHELL_CASES(
    ShellCases, sim::output_has("prompt", "", "=> "),
    sim::output_has("echo", "echo hello  world\r", "echo hello  world\r\nhello world\r\n=> "),
    sim::output_has("echo_n", "echo -n a b\r", "a b=> "),
    sim::output_has("quotes", "echo 'a  b' \"c;d\" e\\ f\r", "a  b c;d e f\r\n"),
    sim::output_has("semicolons", "echo one; echo two\r", "one\r\ntwo\r\n"),
    sim::output_has("unknown", "frobnicate 1 2\r", "Unknown command 'frobnicate' - try 'help'\r\n"),
    sim::output_has("syntax_error_runs_nothing", "echo ran; echo 'open\r",
                    "syntax error: column 16: unterminated ' quote\r\n=> "),
    sim::output_has("help_lists", "help\r", "bdinfo    - print board info"),
    sim::output_has("help_one", "help echo\r", "echo - echo args to console\r\n\r\nUsage:\r\necho [-n] [args...]"),
    sim::output_has("help_unknown", "help nope\r", "Unknown command 'nope' - try 'help' without arguments"),
    sim::output_has("version", "version\r", "Xen 4.17.7\r\n"),
    sim::output_has("version_args", "version now\r", "version: unexpected argument 'now' (usage: version)\r\n"),
    sim::output_has(
        "bdinfo_bank", "bdinfo\r",
        "DRAM bank   = 0x0000000000000000\r\n-> start    = 0x0000000040000000\r\n-> size     = 0x0000000004000000"),
    sim::output_has("bdinfo_free", "bdinfo\r", "free RAM    = 0x0000000040000000-0x0000000043000000 (48 MiB)"),
    sim::output_has("bdinfo_heap", "bdinfo\r", "heap        = 0x0000000043100000-0x0000000043900000 (8 MiB)"),
    sim::output_has("bdinfo_console", "bdinfo\r", "console     = pfn 0x39000, event channel 2"),
    sim::output_has("backspace", "echoo\x7f hi\r", "hi\r\n"),
    sim::output_has("ctrl_u",
                    "garbage\x15"
                    "echo clean\r",
                    "clean\r\n"),
    sim::output_has("ctrl_c", "echo never\x03", "<INTERRUPT>\r\n=> "),
    sim::output_has("crlf_once", "echo a\r\necho b\n", "a\r\n=> echo b\r\nb\r\n"),
    sim::output_has("escape_swallowed", "echo \x1b[Ax\r", "echo x\r\nx\r\n"),
    sim::output_has(
        "exception_usage", "exception\r",
        "exception: expects one exception kind (usage: exception undefined|breakpoint|abort|stackoverflow|nested)"),
    sim::output_has("exception_kind", "exception fire\r", "exception: unknown kind 'fire'"),
    sim::output_has("exception_host", "exception abort\r", "exception: not possible on this platform"),
    sim::output_has("poweroff_args", "poweroff now\r", "poweroff: unexpected argument 'now' (usage: poweroff)"));

TEST(Shell, PoweroffStopsTheShellAndPowersOff) {
    GuestShellRig rig;
    std::string out = rig.session("poweroff\recho after\r");
    EXPECT_NE(out.find("Powering off...\r\n"), std::string::npos);
    EXPECT_EQ(rig.power.power_offs, 1);
    EXPECT_EQ(out.find("after\r\n"), std::string::npos);  // nothing ran after power-off
}

TEST(Shell, ResetResets) {
    GuestShellRig rig;
    rig.session("reset\r");
    EXPECT_EQ(rig.power.resets, 1);
}

TEST(Shell, OverlongLinesAreCutNotOverflowed) {
    GuestShellRig rig;
    std::string out = rig.session("echo " + std::string(2000, 'q') + "\r");
    EXPECT_NE(out.find(std::string(cmd::LineEditor::kMaxLine - 1 - 5, 'q') + "\r\n"), std::string::npos);
}

// `help` lists the table as it stands: each command once, in strcmp order
// ('[' first), and nothing else.
TEST(Shell, HelpListsEveryCommandOnceInOrder) {
    GuestShellRig rig;
    std::istringstream lines(rig.run("help"));
    std::vector<std::string> listed;
    for (std::string line; std::getline(lines, line);) {
        const std::size_t dash = line.find("- ");
        ASSERT_NE(dash, std::string::npos) << line;
        listed.push_back(line.substr(0, line.find(' ')));
    }
    std::vector<std::string> table;
    for (const cmd::Command& c : cmd::commands()) table.push_back(c.name);
    EXPECT_EQ(listed, table);
    ASSERT_FALSE(listed.empty());
    EXPECT_EQ(listed.front(), "[");
    for (std::size_t i = 1; i < listed.size(); ++i) {
        EXPECT_LT(strcmp(listed[i - 1].c_str(), listed[i].c_str()), 0) << listed[i - 1] << " before " << listed[i];
    }
}

// The search by halves finds every entry, the '.' suffix form, and nothing else.
TEST(Shell, FindCommandFindsEveryEntry) {
    for (const cmd::Command& c : cmd::commands()) {
        EXPECT_EQ(cmd::find_command(c.name), &c) << c.name;
    }
    ASSERT_NE(cmd::find_command("md.l"), nullptr);
    EXPECT_STREQ(cmd::find_command("md.l")->name, "md");
    EXPECT_EQ(cmd::find_command("m"), nullptr);
    EXPECT_EQ(cmd::find_command("mdx"), nullptr);
    EXPECT_EQ(cmd::find_command(""), nullptr);
    EXPECT_EQ(cmd::find_command("zz"), nullptr);
    EXPECT_EQ(cmd::find_command("!"), nullptr);
}

TEST(Shell, LimitsAreErrorsNotOverflows) {
    GuestShellRig rig;
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
