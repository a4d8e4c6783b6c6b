// The line editor fed byte sequences: the resulting line, and the exact bytes
// it draws (plain VT100: BS, re-written characters, blanks).
#include <gtest/gtest.h>

#include <string>

#include "shell/completion.h"
#include "shell/line_editor.h"
#include "shell/shell.h"
#include "tests/sim/fakes.h"
#include "bootflow/system_info.h"

namespace {

using namespace xb;

struct EditorRig {
    sim::ConsoleGuest guest;
    sim::FakePower power;
    cmd::SystemInfo sys;
    cmd::Environment env;
    cmd::Context ctx{*guest.console, power, sys};
    cmd::LineEditor ed{*guest.console};

    EditorRig() {
        ctx.env = &env;
        ed.set_context(&ctx);
        ed.set_prompt("=> ");
    }
    // Feeds the bytes; returns the last event.
    cmd::LineEditor::Event feed(const std::string& bytes) {
        cmd::LineEditor::Event e = cmd::LineEditor::Event::none;
        for (char c : bytes) e = ed.feed(c);
        return e;
    }
    std::string drawn() {
        guest.console->flush();
        return guest.backend.take_output();
    }
};

struct EditCase {
    const char* name;
    const char* typed;  // ends with CR
    const char* line;
};

class EditCases : public ::testing::TestWithParam<EditCase> {};

TEST_P(EditCases, Line) {
    EditorRig rig;
    EXPECT_EQ(rig.feed(GetParam().typed), cmd::LineEditor::Event::line);
    EXPECT_EQ(rig.ed.line(), GetParam().line);
}

INSTANTIATE_TEST_SUITE_P(
    Table, EditCases,
    ::testing::Values(EditCase{"plain", "echo hi\r", "echo hi"},
                      EditCase{"left_insert", "ac\x1b[Db\r", "abc"},
                      EditCase{"left_right", "ac\x1b[D\x1b[Cd\r", "acd"},
                      EditCase{"ss3_arrows", "ac\x1bODb\x1bOCd\r", "abcd"},
                      EditCase{"ctrl_b_f", "ac\x02" "b\x06" "d\r", "abcd"},
                      EditCase{"home_csi_h", "bc\x1b[Ha\r", "abc"},
                      EditCase{"home_1_tilde", "bc\x1b[1~a\r", "abc"},
                      EditCase{"home_7_tilde", "bc\x1b[7~a\r", "abc"},
                      EditCase{"home_ss3", "bc\x1bOHa\r", "abc"},
                      EditCase{"home_ctrl_a", "bc\x01" "a\r", "abc"},
                      EditCase{"end_csi_f", "bc\x1b[Ha\x1b[Fd\r", "abcd"},
                      EditCase{"end_4_tilde", "bc\x1b[Ha\x1b[4~d\r", "abcd"},
                      EditCase{"end_8_tilde", "bc\x1b[Ha\x1b[8~d\r", "abcd"},
                      EditCase{"end_ss3", "bc\x1b[Ha\x1bOFd\r", "abcd"},
                      EditCase{"end_ctrl_e", "bc\x01" "a\x05" "d\r", "abcd"},
                      EditCase{"delete_key", "xabc\x1b[H\x1b[3~\r", "abc"},
                      EditCase{"ctrl_d", "xabc\x01\x04\r", "abc"},
                      EditCase{"backspace_middle", "abxc\x1b[D\x7f\r", "abc"},
                      EditCase{"backspace_bs", "abx\x08" "c\r", "abc"},
                      EditCase{"backspace_at_start", "\x7f\x7f" "a\r", "a"},
                      EditCase{"left_at_start", "\x1b[D\x1b[Da\r", "a"},
                      EditCase{"right_at_end", "a\x1b[C\x1b[Cb\r", "ab"},
                      EditCase{"ctrl_k", "abcdef\x1b[D\x1b[D\x1b[D\x0b\r", "abc"},
                      EditCase{"ctrl_u", "garbage\x1b[D\x15" "clean\r", "clean"},
                      EditCase{"unknown_escape", "a\x1b[2;5Xb\x1b[99~c\r", "abc"},
                      EditCase{"utf8_passes", "\xc3\xa9\r", "\xc3\xa9"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(LineEditor, InsertInTheMiddleRedrawsTheTail) {
    EditorRig rig;
    rig.feed("abd\x1b[D");
    (void)rig.drawn();
    rig.feed("c");
    EXPECT_EQ(rig.drawn(), "cd\b");
    rig.feed("\x1b[H");
    EXPECT_EQ(rig.drawn(), "\b\b\b");
    rig.feed("\x1b[F");
    EXPECT_EQ(rig.drawn(), "abcd");
}

TEST(LineEditor, DeleteInTheMiddleBlanksTheLastColumn) {
    EditorRig rig;
    rig.feed("abxc\x1b[D");
    (void)rig.drawn();
    rig.feed("\x7f");
    EXPECT_EQ(rig.drawn(), "\bc \b\b");
    EXPECT_EQ(rig.ed.line(), "abc");
    EXPECT_EQ(rig.ed.cursor(), 2u);
}

TEST(LineEditor, HistoryUpDownAndNoDuplicates) {
    EditorRig rig;
    rig.feed("one\rtwo\rtwo\r   \r");
    EXPECT_EQ(rig.ed.history_count(), 2u);
    EXPECT_EQ(rig.ed.history(0), "two");
    EXPECT_EQ(rig.ed.history(1), "one");
    (void)rig.drawn();
    rig.feed("x\x1b[A");
    EXPECT_EQ(rig.ed.line(), "two");
    EXPECT_EQ(rig.drawn(), "x\btwo");
    rig.feed("\x1b[A");
    EXPECT_EQ(rig.ed.line(), "one");
    rig.feed("\x1b[A");  // no older entry: stays
    EXPECT_EQ(rig.ed.line(), "one");
    rig.feed("\x1b[B");
    EXPECT_EQ(rig.ed.line(), "two");
    (void)rig.drawn();
    rig.feed("\x1b[B");  // back to what was being typed
    EXPECT_EQ(rig.ed.line(), "x");
    EXPECT_EQ(rig.drawn(), "\b\b\bx  \b\b");
    rig.feed("\x1b[B");  // nothing newer
    EXPECT_EQ(rig.ed.line(), "x");
    EXPECT_EQ(rig.feed("\x10\r"), cmd::LineEditor::Event::line);  // Ctrl-P
    EXPECT_EQ(rig.ed.line(), "two");
}

TEST(LineEditor, HistoryKeepsTheNewest32) {
    EditorRig rig;
    for (int i = 0; i < 40; ++i) rig.feed("cmd" + std::to_string(i) + "\r");
    EXPECT_EQ(rig.ed.history_count(), cmd::LineEditor::kHistory);
    EXPECT_EQ(rig.ed.history(0), "cmd39");
    EXPECT_EQ(rig.ed.history(31), "cmd8");
    for (int i = 0; i < 40; ++i) rig.feed("\x1b[A");
    rig.feed("\r");
    EXPECT_EQ(rig.ed.line(), "cmd8");
}

TEST(LineEditor, CtrlCAbandonsTheLine) {
    EditorRig rig;
    EXPECT_EQ(rig.feed("echo x\x03"), cmd::LineEditor::Event::interrupted);
    EXPECT_EQ(rig.drawn(), "echo x<INTERRUPT>\r\n");
    EXPECT_EQ(rig.feed("y\r"), cmd::LineEditor::Event::line);
    EXPECT_EQ(rig.ed.line(), "y");
}

struct CompleteCase {
    const char* name;
    const char* typed;  // then Enter is added
    const char* line;
};

class CompleteCases : public ::testing::TestWithParam<CompleteCase> {};

TEST_P(CompleteCases, Line) {
    EditorRig rig;
    for (const char* v : {"bootcmd", "bootdelay", "foo", "kernel_addr_r"}) ASSERT_TRUE(rig.env.set(v, "1").ok());
    EXPECT_EQ(rig.feed(std::string(GetParam().typed) + "\r"), cmd::LineEditor::Event::line);
    EXPECT_EQ(rig.ed.line(), GetParam().line);
}

INSTANTIATE_TEST_SUITE_P(
    Table, CompleteCases,
    ::testing::Values(CompleteCase{"command_unique", "pri\t", "printenv "},
                      CompleteCase{"command_common_prefix", "se\t", "sete"},
                      CompleteCase{"command_none", "zz\t", "zz"},
                      CompleteCase{"command_after_semicolon", "echo a; ver\t", "echo a; version "},
                      CompleteCase{"command_after_then", "if true; then ver\t", "if true; then version "},
                      CompleteCase{"command_after_if", "if tr\t", "if true "},
                      CompleteCase{"var_dollar", "echo $fo\t", "echo $foo"},
                      CompleteCase{"var_braced", "echo ${ker\t", "echo ${kernel_addr_r}"},
                      CompleteCase{"var_common", "echo $boot\t", "echo $boot"},
                      CompleteCase{"var_common_more", "echo $b\t", "echo $boot"},
                      CompleteCase{"var_in_word", "echo x${ker\t", "echo x${kernel_addr_r}"},
                      CompleteCase{"printenv_arg", "printenv ke\t", "printenv kernel_addr_r "},
                      CompleteCase{"run_arg", "run bootc\t", "run bootcmd "},
                      CompleteCase{"setenv_name", "setenv f\t", "setenv foo "},
                      CompleteCase{"setenv_value_not", "setenv x f\t", "setenv x f"},
                      CompleteCase{"echo_arg_not", "echo f\t", "echo f"},
                      CompleteCase{"env_sub", "env pr\t", "env print "},
                      CompleteCase{"env_sub_common", "env de\t", "env de"},
                      CompleteCase{"env_print_var", "env print bootd\t", "env print bootdelay "},
                      CompleteCase{"middle_of_line", "pri x\x1b[D\x1b[D\t", "printenv x"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(LineEditor, DoubleTabListsCandidatesAndRedraws) {
    EditorRig rig;
    for (const char* v : {"bootcmd", "bootdelay", "foo"}) ASSERT_TRUE(rig.env.set(v, "1").ok());
    rig.feed("echo $boot");
    (void)rig.drawn();
    rig.feed("\t");
    EXPECT_EQ(rig.drawn(), "");  // ambiguous, nothing to add: the first Tab does nothing
    rig.feed("\t");
    EXPECT_EQ(rig.drawn(), "\r\nbootcmd    bootdelay  \r\n=> echo $boot");
    rig.feed("c\t");
    EXPECT_EQ(rig.ed.line(), "echo $bootcmd");
}

TEST(LineEditor, DoubleTabListsCommands) {
    EditorRig rig;
    rig.feed("se\t");  // -> "sete"
    (void)rig.drawn();
    rig.feed("\t");
    EXPECT_EQ(rig.drawn(), "\r\nsetenv   setexpr  \r\n=> sete");
}

TEST(Shell, HistoryAndCompletionThroughTheShell) {
    sim::ConsoleGuest guest;
    sim::FakePower power;
    cmd::SystemInfo sys;
    cmd::Environment env;
    cmd::Context ctx{*guest.console, power, sys};
    ctx.env = &env;
    cmd::Shell shell(ctx);
    guest.backend.type("setenv greeting hello\recho $gree\t\r\x1b[A\x1b[A\x1b[B\r");
    (void)shell.run();
    std::string out = guest.backend.take_output();
    EXPECT_NE(out.find("=> echo $greeting\r\nhello\r\n"), std::string::npos) << out;
    // Up, Up, Down: the echo line again, run a second time.
    const std::size_t first = out.find("hello\r\n");
    EXPECT_NE(out.find("hello\r\n", first + 1), std::string::npos) << out;
}

}  // namespace
