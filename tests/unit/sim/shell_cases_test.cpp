// The shell case tables' own checks (tests/sim/shell_cases.h): every kind of
// expectation passes and fails when it should, and a failure shows the bytes
// escaped, so a table that goes wrong says how.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tests/sim/shell_cases.h"

namespace {

using namespace xb;

TEST(ShellCaseCheck, EachKindOfExpectation) {
    EXPECT_TRUE(sim::check(sim::output_is("x", "echo a", "a\n"), "a\n"));
    EXPECT_FALSE(sim::check(sim::output_is("x", "echo a", "a\n"), "a\nb\n"));
    EXPECT_TRUE(sim::check(sim::output_has("x", "echo a", "a\r\n=> "), "echo a\r\na\r\n=> "));
    EXPECT_FALSE(sim::check(sim::output_has("x", "echo a", "a\r\n=> "), "echo a\r\na\n=> "));
    EXPECT_TRUE(sim::check(sim::output_matches("x", "crc32 0 1", "==> [0-9a-f]{8}\r\n"), "crc32 ... ==> d202ef8d\r\n"));
    EXPECT_FALSE(sim::check(sim::output_matches("x", "crc32 0 1", "==> [0-9a-f]{8}\r\n"), "crc32 ... ==> d202ef8\r\n"));
    // The status counts only when the case gives one, and then it must be reported.
    EXPECT_TRUE(sim::check(sim::output_is("x", "false", ""), "", 1));
    EXPECT_TRUE(sim::check(sim::output_is("x", "false", "", 1), "", 1));
    EXPECT_FALSE(sim::check(sim::output_is("x", "false", "", 1), "", 0));
    EXPECT_FALSE(sim::check(sim::output_is("x", "false", "", 1), ""));
}

TEST(ShellCaseCheck, FailuresAndParametersPrintEscaped) {
    const sim::ShellCase c = sim::output_is("ctrl_c", "echo \"x\"\x03", "<INTERRUPT>\r\n", 1);
    const ::testing::AssertionResult r = sim::check(c, "\x1b[Aecho\t\\\n", 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(std::string(r.message()),
              "input \"echo \\\"x\\\"\\x03\"\n"
              "output was \"\\x1b[Aecho\\t\\\\\\n\"\n"
              "  expected it is \"<INTERRUPT>\\r\\n\"\n"
              "status was 0, expected 1\n");
    std::ostringstream printed;
    sim::PrintTo(c, &printed);
    EXPECT_EQ(printed.str(), "ctrl_c: input \"echo \\\"x\\\"\\x03\", output is \"<INTERRUPT>\\r\\n\", status 1");
    EXPECT_EQ(sim::case_name(::testing::TestParamInfo<sim::ShellCase>(c, 7)), "ctrl_c");
}

}  // namespace
