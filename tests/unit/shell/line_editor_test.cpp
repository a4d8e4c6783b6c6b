// The line editor fed byte sequences: the resulting line, and the exact bytes
// it draws (plain VT100: BS, re-written characters, blanks).
#include <gtest/gtest.h>

#include <string>

#include "shell/completion.h"
#include "shell/line_editor.h"
#include "shell/shell.h"
#include "tests/sim/shell_cases.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

// The shell's line editor, fed bytes directly (no prompt loop): feed() gives
// the editor's event, raw_output() the bytes it drew.
using EditorRig = sim::ShellRig;

// Typed bytes (ending with CR) -> the line.
class EditCases : public sim::ShellCaseTest {};

TEST_P(EditCases, Line) {
    EditorRig rig;
    EXPECT_EQ(rig.feed(GetParam().input), cmd::LineEditor::Event::line);
    EXPECT_TRUE(sim::check(GetParam(), rig.editor.line()));
}

XB_SHELL_CASES(
    EditCases, sim::output_is("plain", "echo hi\r", "echo hi"), sim::output_is("left_insert", "ac\x1b[Db\r", "abc"),
    sim::output_is("left_right", "ac\x1b[D\x1b[Cd\r", "acd"),
    sim::output_is("ss3_arrows", "ac\x1bODb\x1bOCd\r", "abcd"),
    sim::output_is("ctrl_b_f",
                   "ac\x02"
                   "b\x06"
                   "d\r",
                   "abcd"),
    sim::output_is("home_csi_h", "bc\x1b[Ha\r", "abc"), sim::output_is("home_1_tilde", "bc\x1b[1~a\r", "abc"),
    sim::output_is("home_7_tilde", "bc\x1b[7~a\r", "abc"), sim::output_is("home_ss3", "bc\x1bOHa\r", "abc"),
    sim::output_is("home_ctrl_a",
                   "bc\x01"
                   "a\r",
                   "abc"),
    sim::output_is("end_csi_f", "bc\x1b[Ha\x1b[Fd\r", "abcd"),
    sim::output_is("end_4_tilde", "bc\x1b[Ha\x1b[4~d\r", "abcd"),
    sim::output_is("end_8_tilde", "bc\x1b[Ha\x1b[8~d\r", "abcd"),
    sim::output_is("end_ss3", "bc\x1b[Ha\x1bOFd\r", "abcd"),
    sim::output_is("end_ctrl_e",
                   "bc\x01"
                   "a\x05"
                   "d\r",
                   "abcd"),
    sim::output_is("delete_key", "xabc\x1b[H\x1b[3~\r", "abc"), sim::output_is("ctrl_d", "xabc\x01\x04\r", "abc"),
    sim::output_is("backspace_middle", "abxc\x1b[D\x7f\r", "abc"),
    sim::output_is("backspace_bs",
                   "abx\x08"
                   "c\r",
                   "abc"),
    sim::output_is("backspace_at_start",
                   "\x7f\x7f"
                   "a\r",
                   "a"),
    sim::output_is("left_at_start", "\x1b[D\x1b[Da\r", "a"), sim::output_is("right_at_end", "a\x1b[C\x1b[Cb\r", "ab"),
    sim::output_is("ctrl_k", "abcdef\x1b[D\x1b[D\x1b[D\x0b\r", "abc"),
    sim::output_is("ctrl_u",
                   "garbage\x1b[D\x15"
                   "clean\r",
                   "clean"),
    sim::output_is("unknown_escape", "a\x1b[2;5Xb\x1b[99~c\r", "abc"),
    sim::output_is("utf8_passes", "\xc3\xa9\r", "\xc3\xa9"));

TEST(LineEditor, InsertInTheMiddleRedrawsTheTail) {
    EditorRig rig;
    rig.feed("abd\x1b[D");
    (void)rig.raw_output();
    rig.feed("c");
    EXPECT_EQ(rig.raw_output(), "cd\b");
    rig.feed("\x1b[H");
    EXPECT_EQ(rig.raw_output(), "\b\b\b");
    rig.feed("\x1b[F");
    EXPECT_EQ(rig.raw_output(), "abcd");
}

TEST(LineEditor, DeleteInTheMiddleBlanksTheLastColumn) {
    EditorRig rig;
    rig.feed("abxc\x1b[D");
    (void)rig.raw_output();
    rig.feed("\x7f");
    EXPECT_EQ(rig.raw_output(), "\bc \b\b");
    EXPECT_EQ(rig.editor.line(), "abc");
    EXPECT_EQ(rig.editor.cursor(), 2u);
}

TEST(LineEditor, HistoryUpDownAndNoDuplicates) {
    EditorRig rig;
    rig.feed("one\rtwo\rtwo\r   \r");
    EXPECT_EQ(rig.editor.history_count(), 2u);
    EXPECT_EQ(rig.editor.history(0), "two");
    EXPECT_EQ(rig.editor.history(1), "one");
    (void)rig.raw_output();
    rig.feed("x\x1b[A");
    EXPECT_EQ(rig.editor.line(), "two");
    EXPECT_EQ(rig.raw_output(), "x\btwo");
    rig.feed("\x1b[A");
    EXPECT_EQ(rig.editor.line(), "one");
    rig.feed("\x1b[A");  // no older entry: stays
    EXPECT_EQ(rig.editor.line(), "one");
    rig.feed("\x1b[B");
    EXPECT_EQ(rig.editor.line(), "two");
    (void)rig.raw_output();
    rig.feed("\x1b[B");  // back to what was being typed
    EXPECT_EQ(rig.editor.line(), "x");
    EXPECT_EQ(rig.raw_output(), "\b\b\bx  \b\b");
    rig.feed("\x1b[B");  // nothing newer
    EXPECT_EQ(rig.editor.line(), "x");
    EXPECT_EQ(rig.feed("\x10\r"), cmd::LineEditor::Event::line);  // Ctrl-P
    EXPECT_EQ(rig.editor.line(), "two");
}

TEST(LineEditor, HistoryKeepsTheNewest32) {
    EditorRig rig;
    for (int i = 0; i < 40; ++i) rig.feed("cmd" + std::to_string(i) + "\r");
    EXPECT_EQ(rig.editor.history_count(), cmd::LineEditor::kHistory);
    EXPECT_EQ(rig.editor.history(0), "cmd39");
    EXPECT_EQ(rig.editor.history(31), "cmd8");
    for (int i = 0; i < 40; ++i) rig.feed("\x1b[A");
    rig.feed("\r");
    EXPECT_EQ(rig.editor.line(), "cmd8");
}

TEST(LineEditor, CtrlCAbandonsTheLine) {
    EditorRig rig;
    EXPECT_EQ(rig.feed("echo x\x03"), cmd::LineEditor::Event::interrupted);
    EXPECT_EQ(rig.raw_output(), "echo x<INTERRUPT>\r\n");
    EXPECT_EQ(rig.feed("y\r"), cmd::LineEditor::Event::line);
    EXPECT_EQ(rig.editor.line(), "y");
}

// Typed bytes (then Enter is added) -> the completed line.
class CompleteCases : public sim::ShellCaseTest {};

TEST_P(CompleteCases, Line) {
    EditorRig rig;
    for (const char* v : {"bootcmd", "bootdelay", "foo", "kernel_addr_r"}) ASSERT_TRUE(rig.env.set(v, "1").ok());
    EXPECT_EQ(rig.feed(GetParam().input + "\r"), cmd::LineEditor::Event::line);
    EXPECT_TRUE(sim::check(GetParam(), rig.editor.line()));
}

XB_SHELL_CASES(CompleteCases, sim::output_is("command_unique", "pri\t", "printenv "),
               sim::output_is("command_common_prefix", "se\t", "sete"), sim::output_is("command_none", "zz\t", "zz"),
               sim::output_is("command_after_semicolon", "echo a; ver\t", "echo a; version "),
               sim::output_is("command_after_then", "if true; then ver\t", "if true; then version "),
               sim::output_is("command_after_if", "if tr\t", "if true "),
               sim::output_is("var_dollar", "echo $fo\t", "echo $foo"),
               sim::output_is("var_braced", "echo ${ker\t", "echo ${kernel_addr_r}"),
               sim::output_is("var_common", "echo $boot\t", "echo $boot"),
               sim::output_is("var_common_more", "echo $b\t", "echo $boot"),
               sim::output_is("var_in_word", "echo x${ker\t", "echo x${kernel_addr_r}"),
               sim::output_is("printenv_arg", "printenv ke\t", "printenv kernel_addr_r "),
               sim::output_is("run_arg", "run bootc\t", "run bootcmd "),
               sim::output_is("setenv_name", "setenv f\t", "setenv foo "),
               sim::output_is("setenv_value_not", "setenv x f\t", "setenv x f"),
               sim::output_is("echo_arg_not", "echo f\t", "echo f"),
               sim::output_is("env_sub", "env pr\t", "env print "),
               sim::output_is("env_sub_common", "env de\t", "env de"),
               sim::output_is("env_print_var", "env print bootd\t", "env print bootdelay "),
               sim::output_is("middle_of_line", "pri x\x1b[D\x1b[D\t", "printenv x"));

TEST(LineEditor, DoubleTabListsCandidatesAndRedraws) {
    EditorRig rig;
    for (const char* v : {"bootcmd", "bootdelay", "foo"}) ASSERT_TRUE(rig.env.set(v, "1").ok());
    rig.feed("echo $boot");
    (void)rig.raw_output();
    rig.feed("\t");
    EXPECT_EQ(rig.raw_output(), "");  // ambiguous, nothing to add: the first Tab does nothing
    rig.feed("\t");
    EXPECT_EQ(rig.raw_output(), "\r\nbootcmd    bootdelay  \r\n=> echo $boot");
    rig.feed("c\t");
    EXPECT_EQ(rig.editor.line(), "echo $bootcmd");
}

TEST(LineEditor, DoubleTabListsCommands) {
    EditorRig rig;
    rig.feed("se\t");  // -> "sete"
    (void)rig.raw_output();
    rig.feed("\t");
    EXPECT_EQ(rig.raw_output(), "\r\nsetenv   setexpr  \r\n=> sete");
}

TEST(Shell, HistoryAndCompletionThroughTheShell) {
    sim::ShellRig rig;
    std::string out = rig.session("setenv greeting hello\recho $gree\t\r\x1b[A\x1b[A\x1b[B\r");
    EXPECT_NE(out.find("=> echo $greeting\r\nhello\r\n"), std::string::npos) << out;
    // Up, Up, Down: the echo line again, run a second time.
    const std::size_t first = out.find("hello\r\n");
    EXPECT_NE(out.find("hello\r\n", first + 1), std::string::npos) << out;
}

}  // namespace
