// run_command, the one adapter between a command's Status and the shell: what
// each kind of result prints and the exit status it gives, and the messages
// whose wording moved into it (sub-commands named in full, usage lines).
#include <gtest/gtest.h>

#include <string>

#include "shell/command.h"
#include "tests/sim/shell_cases.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

Status succeeds(cmd::Context& ctx, int, char* const[]) {
    ctx.con.printf("did it\n");
    return ok();
}
Status fails(cmd::Context&, int, char* const argv[]) {
    return Error::make(Errc::not_found, "no such thing as '%s'", argv[1]);
}
Status misused(cmd::Context&, int argc, char* const[]) { return cmd::usage_error("expects %d more", 3 - argc); }
Status quiet(cmd::Context&, int, char* const[]) { return cmd::quiet_failure(); }
Status said_why(cmd::Context& ctx, int, char* const[]) {
    ctx.con.printf("## Error: in U-Boot's words\n");
    return cmd::quiet_failure();
}

struct Outcome {
    std::string output;
    int status;
};

Outcome run(const cmd::Command& c) {
    sim::ShellRig rig;
    char a0[] = "name", a1[] = "thing";
    char* argv[] = {a0, a1, nullptr};
    const int status = cmd::run_command(rig.ctx, c, 2, argv);
    return {rig.output(), status};
}

TEST(RunCommand, SuccessPrintsNothingMoreAndGivesZero) {
    const Outcome r = run({"good", "", "", succeeds});
    EXPECT_EQ(r.output, "did it\n");
    EXPECT_EQ(r.status, 0);
}

TEST(RunCommand, FailurePrintsNameAndMessage) {
    const Outcome r = run({"bad", "", "x y", fails});
    EXPECT_EQ(r.output, "bad: no such thing as 'thing'\n");
    EXPECT_EQ(r.status, 1);
}

TEST(RunCommand, UsageErrorAddsTheUsageLine) {
    const Outcome r = run({"fdt set", "", "path prop [value]", misused});
    EXPECT_EQ(r.output, "fdt set: expects 1 more (usage: fdt set path prop [value])\n");
    EXPECT_EQ(r.status, 1);
}

TEST(RunCommand, UsageErrorWithoutArgumentsHasNoTrailingBlank) {
    const Outcome r = run({"version", "", "", misused});
    EXPECT_EQ(r.output, "version: expects 1 more (usage: version)\n");
    EXPECT_EQ(r.status, 1);
}

TEST(RunCommand, QuietFailurePrintsNothing) {
    const Outcome r = run({"false", "", "", quiet});
    EXPECT_EQ(r.output, "");
    EXPECT_EQ(r.status, 1);
    const Outcome own = run({"printenv", "", "", said_why});
    EXPECT_EQ(own.output, "## Error: in U-Boot's words\n");
    EXPECT_EQ(own.status, 1);
}

TEST(RunCommand, ErrorKindsHaveNames) {
    EXPECT_STREQ(errc_name(Errc::usage), "bad usage");
    EXPECT_STREQ(errc_name(Errc::reported), "already reported");
    EXPECT_EQ(cmd::usage_error("x %d", 1).code(), Errc::usage);
    EXPECT_STREQ(cmd::usage_error("x %d", 1).message(), "x 1");
    EXPECT_EQ(cmd::quiet_failure().code(), Errc::reported);
}

// Messages that changed when the commands moved to the adapter: each now says
// "NAME: why (usage: NAME USAGE)" with the usage `help NAME` shows, and names
// the (sub-)command the user typed.
class AdapterMessages : public sim::ShellCaseTest {};

TEST_P(AdapterMessages, Output) {
    sim::ShellRig rig;
    int status = -1;
    const std::string out = rig.run(GetParam().input, &status);
    EXPECT_TRUE(sim::check(GetParam(), out, status));
}

XB_SHELL_CASES(
    AdapterMessages,
    sim::output_is("ls_usage", "ls",
                   "ls: expects an interface, then optionally a device and a directory (usage: ls <interface> "
                   "[<dev[:part]> [directory]])\n",
                   1),
    sim::output_is("size_usage", "ext4size pvblock",
                   "ext4size: expects an interface, a device and a file name (usage: ext4size <interface> <dev[:part]> "
                   "<filename>)\n",
                   1),
    sim::output_is("fstype_usage", "fstype",
                   "fstype: expects an interface, a device and optionally a variable name (usage: fstype <interface> "
                   "<dev>:<part> [<varname>])\n",
                   1),
    sim::output_is("booti_usage", "booti",
                   "booti: expects a kernel address, optionally an initrd and a device tree (usage: booti kernel_addr "
                   "[initrd_addr[:size] | -] [fdt_addr])\n",
                   1),
    sim::output_is(
        "bootflow_usage", "bootflow frobnicate",
        "bootflow: unknown subcommand 'frobnicate' (usage: bootflow scan [-lbaeGH] [pvblock] | list [-e] | select [N] "
        "| info | boot)\n",
        1),
    sim::output_is("setenv_usage", "setenv",
                   "setenv: missing variable name (usage: setenv [-f] name [value...] (no value: delete))\n", 1),
    sim::output_is("env_set_usage", "env set -f",
                   "env set: missing variable name (usage: env set [-f] name [value...])\n", 1),
    sim::output_is("env_exists_usage", "env exists", "env exists: expects one name (usage: env exists name)\n", 1),
    sim::output_is("env_run_usage", "env run", "env run: expects variable names (usage: env run var...)\n", 1),
    sim::output_is("env_default_usage", "env default -f",
                   "env default: expects -a or variable names (usage: env default [-f] -a | var...)\n", 1),
    sim::output_is("env_delete_missing", "env delete nope", "## Error: \"nope\" not defined\n", 1),
    sim::output_is("bracket_error", "[ x -eq 1 ]", "[: invalid number 'x'\n", 1),
    sim::output_is("run_status_is_one", "setenv s 'exit 3'; run s; echo $?", "1\n", 0),
    sim::output_is("false_is_quiet", "false", "", 1),
    sim::output_is("help_unknown_is_status_1", "help nope echo; echo $?",
                   "Unknown command 'nope' - try 'help' without arguments for a list of all known commands\n"
                   "echo - echo args to console\n\nUsage:\necho [-n] [args...]\n1\n",
                   0));

}  // namespace
