// The hush parser and interpreter, table-driven: script -> exact console
// output and exit status. Runs against the simulated console with a real
// Environment, so the commands (setenv, run, test, setexpr...) are the
// firmware's.
#include <gtest/gtest.h>

#include <string>

#include "shell/default_env.h"
#include "shell/hush_parser.h"
#include "shell/interpreter.h"
#include "shell/shell.h"
#include "tests/sim/shell_cases.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

// A little guest RAM (for itest's *addr) and a step limit, so that a broken
// test fails instead of hanging.
struct HushRig : sim::ShellRig {
    HushRig() {
        (void)use_guest_ram(64 << 20);
        interp.set_step_limit(1000000);
    }
};

class HushCases : public sim::ShellCaseTest {};

TEST_P(HushCases, OutputAndStatus) {
    HushRig rig;
    int status = -1;
    const std::string out = rig.run(GetParam().input, &status);
    EXPECT_TRUE(sim::check(GetParam(), out, status));
}

XB_SHELL_CASES(
    HushCases,
    // words, quotes, variables
    sim::output_is("blanks", "echo  a   b", "a b\n", 0),
    sim::output_is("local_var", "x=1; echo $x ${x} x$x", "1 1 x1\n", 0),
    sim::output_is("single_quotes_literal", "x=1; echo '$x ${x}'", "$x ${x}\n", 0),
    sim::output_is("double_quotes_expand", "x='a  b'; echo \"[$x]\" [$x]", "[a  b] [a b]\n", 0),
    sim::output_is("escaped_dollar", "x=1; echo \\$x \"\\$x\"", "$x $x\n", 0),
    sim::output_is("backslash_blank", "echo a\\ \\ b", "a  b\n", 0),
    sim::output_is("empty_quoted_is_arg", "test -z \"\" && echo empty", "empty\n", 0),
    sim::output_is("unset_var_vanishes", "echo a $nope b", "a b\n", 0),
    sim::output_is("dollar_alone", "echo $ a$", "$ a$\n", 0),
    sim::output_is("comment", "echo a # not this\n# nor this\necho b", "a\nb\n", 0),
    sim::output_is("hash_inside_word", "echo a#b", "a#b\n", 0),
    sim::output_is("line_continuation", "echo a \\\nb", "a b\n", 0),
    sim::output_is("newlines_separate", "echo a\necho b\n\n", "a\nb\n", 0),
    sim::output_is("expansion_at_run_time", "setenv x 1; echo $x", "1\n", 0),
    // status, && || !
    sim::output_is("status_false", "false; echo $?", "1\n", 0),
    sim::output_is("status_true", "false; true; echo $?", "0\n", 0),
    sim::output_is("status_last", "true; false", "", 1),
    sim::output_is("and_or", "true && echo a; false && echo b; false || echo c; true || echo d", "a\nc\n", 0),
    sim::output_is("and_or_chain", "false && echo no || echo yes", "yes\n", 0),
    sim::output_is("and_newline", "true &&\necho after", "after\n", 0),
    sim::output_is("not", "! false && echo yes; ! true; echo $?", "yes\n1\n", 0),
    sim::output_is("failing_command_does_not_stop_line", "false; echo still", "still\n", 0),
    sim::output_is("unknown_command", "nope 1; echo $?", "Unknown command 'nope' - try 'help'\n1\n", 0),
    // if
    sim::output_is("if_then", "if true; then echo yes; fi", "yes\n", 0),
    sim::output_is("if_else", "if false; then echo yes; else echo no; fi", "no\n", 0),
    sim::output_is("if_elif",
                   "x=2; if test $x = 1; then echo one; elif test $x = 2; then echo two; else echo other; fi", "two\n",
                   0),
    sim::output_is("if_no_branch_status", "if false; then echo x; fi", "", 0),
    sim::output_is("if_multiline", "if true\nthen\n  echo yes\nfi\n", "yes\n", 0),
    sim::output_is("if_nested", "if true; then if false; then echo a; else echo b; fi; fi", "b\n", 0),
    // loops
    sim::output_is("for", "for i in 1 2 3; do echo $i; done", "1\n2\n3\n", 0),
    sim::output_is("for_splits_unquoted", "setenv l 'a b  c'; for t in ${l}; do echo x$t; done", "xa\nxb\nxc\n", 0),
    sim::output_is("for_quoted_one", "setenv l 'a b'; for t in \"${l}\"; do echo x$t; done", "xa b\n", 0),
    sim::output_is("for_empty_list", "for t in; do echo never; done; echo $?", "0\n", 0),
    sim::output_is("for_newlines", "for i in a b\ndo\necho $i\ndone", "a\nb\n", 0),
    sim::output_is("while_setexpr", "setenv i 0; while itest $i < 3; do echo $i; setexpr i $i + 1; done", "0\n1\n2\n",
                   0),
    sim::output_is("until", "setenv i 0; until test $i = 2; do setexpr i $i + 1; echo $i; done", "1\n2\n", 0),
    sim::output_is("while_empty_body", "while false; do; done; echo ok", "ok\n", 0),
    sim::output_is("exit", "echo a; exit 3; echo b", "a\n", 3),
    sim::output_is("exit_in_loop", "for i in 1 2 3; do echo $i; exit; done; echo no", "1\n", 0),
    // locals vs environment (U-Boot hush)
    sim::output_is("local_hides_env", "setenv v env; v=local; echo $v; printenv v", "local\nv=env\n", 0),
    sim::output_is("setenv_keeps_local", "v=local; setenv v env; echo $v", "local\n", 0),
    sim::output_is("local_not_in_env", "v=local; printenv v", "## Error: \"v\" not defined\n", 1),
    sim::output_is("assignment_expands", "a=1; b=\"$a $a\"; echo [$b]", "[1 1]\n", 0),
    // environment commands
    sim::output_is("setenv_joins", "setenv v a b  c; printenv v", "v=a b c\n", 0),
    sim::output_is("setenv_deletes", "setenv v 1; setenv v; printenv v", "## Error: \"v\" not defined\n", 1),
    sim::output_is("setenv_bad_name", "setenv a=b 1",
                   "## Error: illegal character '=' or blank in variable name \"a=b\"\n", 1),
    sim::output_is("printenv_all", "setenv b 2; setenv a 1; printenv",
                   "a=1\nb=2\n\nEnvironment size: 8 bytes, 2 variables\n", 0),
    sim::output_is("env_set_print", "env set v 1; env print v", "v=1\n", 0),
    sim::output_is("env_delete", "env set v 1; env delete v; env exists v", "", 1),
    sim::output_is("env_delete_missing", "env delete nope", "## Error: \"nope\" not defined\n", 1),
    sim::output_is("env_default_var", "setenv bootdelay 9; env default bootdelay; printenv bootdelay", "bootdelay=2\n",
                   0),
    sim::output_is("env_default_all", "setenv junk 1; env default -a; printenv junk",
                   "## Resetting to default environment\n## Error: \"junk\" not defined\n", 1),
    sim::output_is(
        "env_unknown", "env frob",
        "env: unknown subcommand 'frob' (usage: env set [-f] name [value...] | print [-a | name...] | "
        "default [-f] -a | default [-f] var... | delete [-f] var... | run var... | exists name | edit name | "
        "ask name [message...] [size] | import [-d] [-t [-r] | -b | -c] addr [size | -] [var...] | export [-t "
        "| -b | -c] [-s size] addr [var...] | save)\n",
        1),
    sim::output_is("run", "setenv s 'echo one; echo two'; run s", "one\ntwo\n", 0),
    sim::output_is("run_several", "setenv a 'echo A'; setenv b 'echo B'; run a b", "A\nB\n", 0),
    sim::output_is("run_stops_at_failure", "setenv a false; setenv b 'echo B'; run a b; echo $?", "1\n", 0),
    sim::output_is("run_missing", "run nope", "## Error: \"nope\" not defined\n", 1),
    sim::output_is("run_env_only", "s='echo x'; run s", "## Error: \"s\" not defined\n", 1),
    sim::output_is("run_recursion_bounded", "setenv r 'run r'; run r",
                   "r: nesting too deep (more than 16 scripts inside each other)\n", 1),
    sim::output_is("run_syntax_error", "setenv s 'echo a; fi'; run s", "syntax error in s: column 9: unexpected 'fi'\n",
                   1),
    sim::output_is("run_changes_itself", "setenv s 'setenv s echo gone; echo first'; run s; run s", "first\ngone\n", 0),
    // test / [
    sim::output_is("test_strings", "test a = a && test a != b && test -n a && test -z '' && echo ok", "ok\n", 0),
    sim::output_is(
        "test_numbers",
        "test 10 -gt 9 && test -3 -lt 2 && test 5 -ge 5 && test 4 -le 5 && test 1 -eq 1 && test 1 -ne 2 && echo ok",
        "ok\n", 0),
    sim::output_is("test_not_and_or", "test ! a = b -a x = x && test a = b -o 1 -eq 1 && echo ok", "ok\n", 0),
    sim::output_is("test_and_binds_tighter", "test a = a -o a = b -a b = c && echo ok", "ok\n", 0),
    sim::output_is("test_false", "test a = b", "", 1), sim::output_is("test_no_args", "test", "", 1),
    sim::output_is("test_bad_number", "test x -eq 1", "test: invalid number 'x'\n", 1),
    sim::output_is("bracket", "[ 1 -lt 2 ] && echo ok", "ok\n", 0),
    sim::output_is("bracket_missing", "[ 1 -lt 2", "[: missing ']'\n", 1),
    sim::output_is("test_e_no_fs", "test -e pvblock 0:1 /boot", "test: -e: no filesystems\n", 1),
    // itest, setexpr
    sim::output_is("itest", "itest 10 > f && itest.b 100 == 0 && itest 0x10 -eq 10 && itest.s abc < abd && echo ok",
                   "ok\n", 0),
    sim::output_is("itest_bad_op", "itest 1 ~ 2",
                   "itest: unknown operator '~' (usage: itest [.b, .w, .l, .q, .s] [*]value1 <op> [*]value2)\n", 1),
    sim::output_is("itest_deref_outside_ram", "itest *10 == 0", "itest: refusing itest at 0x10 (+0x4): not in RAM\n",
                   1),
    sim::output_is("setexpr_ops",
                   "setexpr a 10 + 6; setexpr b ff - 1; setexpr c 3 * 4; setexpr d 10 / 3; setexpr e 10 % 3; "
                   "setexpr f f0 '&' 3c; setexpr g 1 '|' 2; setexpr h ff ^ f; echo $a $b $c $d $e $f $g $h",
                   "16 fe c 5 1 30 3 f0\n", 0),
    sim::output_is("setexpr_size", "setexpr.b a ff + 2; setexpr.w b 0 - 1; echo $a $b", "1 ffff\n", 0),
    sim::output_is("setexpr_plain", "setexpr a 0x1F; echo $a", "1f\n", 0),
    sim::output_is("setexpr_div0", "setexpr a 1 / 0", "setexpr: division by zero\n", 1),
    sim::output_is("setexpr_sub", "setexpr s sub 'b+' X aabbbcbb; echo $s", "aaXcbb\n", 0),
    sim::output_is("setexpr_gsub", "setexpr s gsub 'b+' X aabbbcbb; echo $s", "aaXcX\n", 0),
    sim::output_is("setexpr_sub_var", "setenv s hello.world; setexpr s sub '\\.' - ; echo $s", "hello-world\n", 0),
    sim::output_is("setexpr_sub_groups", "setexpr s sub '^([a-z]+)=([0-9]+)$' '\\2=\\1' abc=123; echo $s", "123=abc\n",
                   0),
    sim::output_is("setexpr_gsub_class", "setexpr s gsub '[^a-c]' . a1b2c3; echo $s", "a.b.c.\n", 0),
    sim::output_is("setexpr_gsub_empty_match", "setexpr s gsub 'x*' - abc; echo $s", "-a-b-c-\n", 0),
    sim::output_is("setexpr_bad_regex", "setexpr s sub '(a' b c", "setexpr: regex: unmatched '('\n", 1),
    // syntax errors: position, and nothing runs
    sim::output_is("syntax_unexpected_fi", "echo ran; fi", "syntax error: column 11: unexpected 'fi'\n", 1),
    sim::output_is("syntax_after_fi", "if true; then echo x; fi fi", "syntax error: column 26: unexpected 'fi'\n", 1),
    sim::output_is("syntax_missing_fi", "echo ran; if true; then echo x",
                   "syntax error: column 31: unexpected end of input (expected 'fi')\n", 1),
    sim::output_is("syntax_missing_then", "if true; echo x; fi",
                   "syntax error: column 18: unexpected 'fi' (expected 'then')\n", 1),
    sim::output_is("syntax_missing_done", "for i in 1; do echo",
                   "syntax error: column 20: unexpected end of input (expected 'done')\n", 1),
    sim::output_is("syntax_for_name", "for 1x in a; do echo; done",
                   "syntax error: column 5: 'for' needs a variable name\n", 1),
    sim::output_is("syntax_pipe", "echo a | echo b",
                   "syntax error: column 8: '|' (pipes are not supported; quote it)\n", 1),
    sim::output_is("syntax_background", "echo a & echo b",
                   "syntax error: column 8: '&' (background jobs are not supported; quote it)\n", 1),
    sim::output_is("syntax_leading_and", "&& echo a", "syntax error: column 1: unexpected '&&'\n", 1),
    sim::output_is("syntax_double_quote", "echo \"abc", "syntax error: column 6: unterminated \" quote\n", 1),
    sim::output_is("syntax_brace", "echo ${abc", "syntax error: column 6: unterminated ${\n", 1),
    sim::output_is("syntax_line_column", "echo ran\nif true; then\n  done\nfi",
                   "syntax error: line 3, column 3: unexpected 'done' (expected 'fi')\n", 1),
    sim::output_is("syntax_then_alone", "then", "syntax error: column 1: unexpected 'then'\n", 1));

TEST(Hush, NulByteIsAnError) {
    HushRig rig;
    int status = -1;
    std::string out = rig.run(std::string("echo a\0b", 8), &status);
    EXPECT_EQ(out, "syntax error: NUL byte at offset 6\n");
    EXPECT_EQ(status, 1);
}

TEST(Hush, NestingIsBounded) {
    HushRig rig;
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "if true; then ";
    deep += "echo x";
    for (int i = 0; i < 40; ++i) deep += "; fi";
    int status = -1;
    std::string out = rig.run(deep, &status);
    EXPECT_EQ(out, "syntax error: column 449: nesting too deep (more than 32 levels)\n");
    EXPECT_EQ(status, 1);
    // 30 levels are fine.
    std::string ok;
    for (int i = 0; i < 30; ++i) ok += "if true; then ";
    ok += "echo x";
    for (int i = 0; i < 30; ++i) ok += "; fi";
    EXPECT_EQ(rig.run(ok, &status), "x\n");
    EXPECT_EQ(status, 0);
}

TEST(Hush, LongElifAndAndOrChainsDoNotRecurse) {
    HushRig rig;
    std::string s = "x=500; if false; then echo no;";
    for (int i = 0; i < 600; ++i)
        s += " elif test $x = " + std::to_string(i) + "; then echo " + std::to_string(i) + ";";
    s += " fi";
    EXPECT_EQ(rig.run(s), "500\n");
    std::string chain = "true";
    for (int i = 0; i < 2000; ++i) chain += " && true";
    chain += " && echo end";
    EXPECT_EQ(rig.run(chain), "end\n");
}

TEST(Hush, CtrlCStopsAnEndlessLoop) {
    HushRig rig;
    rig.type("\x03");
    int status = -1;
    std::string out = rig.run("while true; do echo x; done; echo after", &status);
    EXPECT_EQ(out, "<INTERRUPT>\n");
    EXPECT_EQ(status, 1);
    EXPECT_FALSE(rig.ctx.interrupted);  // cleared for the next prompt
    // The next script runs normally.
    EXPECT_EQ(rig.run("echo next"), "next\n");
}

TEST(Hush, CtrlCInsideRunStopsEverything) {
    HushRig rig;
    ASSERT_TRUE(rig.env.set("body", "while true; do; done").ok());
    rig.type("\x03");
    int status = -1;
    EXPECT_EQ(rig.run("run body; echo after", &status), "<INTERRUPT>\n");
    EXPECT_EQ(status, 1);
}

TEST(Hush, CtrlCKeepsOtherTypeahead) {
    HushRig rig;
    rig.type("echo typed\r");
    EXPECT_EQ(rig.run("echo a; echo b"), "a\nb\n");
    // What was typed while the script ran is still there for the prompt.
    std::string typed;
    for (int c = rig.ctx.read_char(); c >= 0; c = rig.ctx.read_char()) typed += static_cast<char>(c);
    EXPECT_EQ(typed, "echo typed\r");
}

TEST(Hush, StepLimitStopsEndlessLoops) {
    HushRig rig;
    rig.interp.set_step_limit(1000);
    int status = -1;
    EXPECT_EQ(rig.run("while true; do; done", &status), "script stopped after 1000 steps\n");
    EXPECT_EQ(status, 1);
    EXPECT_EQ(rig.run("echo fine"), "fine\n");
}

TEST(Hush, ParseOnlyReportsIncomplete) {
    HushRig rig;
    bool incomplete = false;
    EXPECT_FALSE(rig.interp.check("if true; then", &incomplete).ok());
    EXPECT_TRUE(incomplete);
    EXPECT_FALSE(rig.interp.check("true &&", &incomplete).ok());
    EXPECT_TRUE(incomplete);
    EXPECT_FALSE(rig.interp.check("echo 'open", &incomplete).ok());
    EXPECT_FALSE(incomplete);  // an unterminated quote is an error at once
    EXPECT_TRUE(rig.interp.check("while true; do; done").ok());
    EXPECT_EQ(rig.run(""), "");  // parse-only ran nothing
}

TEST(Hush, DefaultEnvironmentParses) {
    cmd::Environment env;
    ASSERT_TRUE(cmd::load_default_env(env).ok());
    EXPECT_EQ(env.get("bootdelay").value_or(""), "2");
    EXPECT_TRUE(env.get("bootcmd").has_value());
    EXPECT_EQ(cmd::default_env_value("bootdelay").value_or(""), "2");
    EXPECT_FALSE(cmd::default_env_value("nope").has_value());
    Status bad = cmd::load_env_text(env, "# c\n\nok=1\nbroken line\n");
    ASSERT_FALSE(bad.ok());
    EXPECT_STREQ(bad.error().message(), "default environment line 4: not name=value");
}

TEST(Hush, BootargsSetVariables) {
    cmd::Environment env;
    cmd::BootargsResult r = cmd::load_bootargs_env(
        env, "console=hvc0 bootdelay=0 bootcmd='run mine; echo x' quiet -x=1 \"a b=c\" mine=\"echo hi\"");
    EXPECT_EQ(r.set, 4u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(env.get("console").value_or(""), "hvc0");
    EXPECT_EQ(env.get("bootdelay").value_or(""), "0");
    EXPECT_EQ(env.get("bootcmd").value_or(""), "run mine; echo x");
    EXPECT_EQ(env.get("mine").value_or(""), "echo hi");
    EXPECT_FALSE(env.get("quiet").has_value());
    EXPECT_FALSE(env.get("-x").has_value());
    std::string huge = "v=" + std::string(5000, 'x');
    r = cmd::load_bootargs_env(env, huge);
    EXPECT_EQ(r.set, 0u);
    EXPECT_EQ(r.failed, 1u);
}

TEST(Hush, ShellContinuesOpenConstructs) {
    sim::ShellRig rig;
    std::string out = rig.session("for i in 1 2\rdo echo n$i\rdone\recho 'open\r");
    EXPECT_NE(out.find("for i in 1 2\r\n> "), std::string::npos) << out;
    EXPECT_NE(out.find("done\r\nn1\r\nn2\r\n=> "), std::string::npos) << out;
    EXPECT_NE(out.find("syntax error: column 6: unterminated ' quote\r\n=> "), std::string::npos) << out;
    EXPECT_EQ(rig.shell.run_script("echo via\nrun_script"), 1);
}

}  // namespace
