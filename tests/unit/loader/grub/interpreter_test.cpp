// The grub.cfg interpreter on small inline configs (language, commands, bad
// configs with their exact errors). Real generated configs: generated_test.cpp.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "loader/grub/interpreter.h"
#include "tests/unit/loader/grub/fake_host.h"

namespace xb::loader::grub {
namespace {

using test::FakeHost;

struct GrubCfg : ::testing::Test {
    FakeHost host;
    std::unique_ptr<Interpreter> in = std::make_unique<Interpreter>(host);

    Status run(const std::string& cfg) {
        host.add("hd0,gpt1", "/boot/grub/grub.cfg", cfg);
        Status r = in->run_config("hd0,gpt1", "/boot/grub/grub.cfg");
        if (!r.ok()) std::printf("run_config: %s\n", r.error().message());
        return r;
    }
    std::string var(const char* name) {
        auto v = in->var(name);
        return v ? std::string(*v) : std::string("<unset>");
    }
    BootSpec boot(unsigned i) {
        auto r = in->evaluate_entry(EntryRef{i});
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
        return r.ok() ? r.value() : BootSpec{};
    }
    std::string boot_error(unsigned i) {
        auto r = in->evaluate_entry(EntryRef{i});
        return r.ok() ? std::string("<ok>") : std::string(r.error().message());
    }
    void kernel_files() {
        host.add("hd0,gpt1", "/boot/vmlinuz", "K");
        host.add("hd0,gpt1", "/boot/initrd.img", "I");
    }
};

TEST_F(GrubCfg, GrubVariablesAreSetAsGrubSetsThem) {
    ASSERT_TRUE(run("menuentry a { linux /boot/vmlinuz }\n").ok());
    EXPECT_EQ(var("grub_platform"), "efi");
    EXPECT_EQ(var("grub_cpu"), "arm64");
    EXPECT_EQ(var("feature_menuentry_id"), "y");
    EXPECT_EQ(var("feature_platform_search_hint"), "y");
    EXPECT_EQ(var("feature_timeout_style"), "y");
    EXPECT_EQ(var("feature_200_final"), "y");
    EXPECT_EQ(var("cmdpath"), "(hd0,gpt1)/boot/grub");
    EXPECT_EQ(var("prefix"), "(hd0,gpt1)/boot/grub");
    EXPECT_EQ(var("root"), "hd0,gpt1");
    EXPECT_EQ(var("config_directory"), "(hd0,gpt1)/boot/grub");
    EXPECT_EQ(var("config_file"), "(hd0,gpt1)/boot/grub/grub.cfg");
}

TEST_F(GrubCfg, QuotingExpansionAndSplitting) {
    ASSERT_TRUE(run("set a='x  y'\n"
                    "b=\"[$a]\" ; c=${a}z\n"
                    "set d=it\\'s\\ ok # comment\n"
                    "set e='$a'\"\\$a\\\\\"\n"
                    "echo $a \"$a\" x$undefined $undefined end\n"
                    "menuentry t { true }\n")
                    .ok());
    EXPECT_EQ(var("b"), "[x  y]");
    EXPECT_EQ(var("c"), "x  yz");
    EXPECT_EQ(var("d"), "it's ok");
    EXPECT_EQ(var("e"), "$a$a\\");
    EXPECT_EQ(host.output(), "x y x  y x end\n");
}

TEST_F(GrubCfg, IfElifElseAndTest) {
    host.add("hd0,gpt1", "/boot/grub/grubenv", std::string(1024, '#'));
    host.add("hd0,gpt1", "/empty", "");
    ASSERT_TRUE(run("if [ -z \"$nope\" -a -n x ]; then r1=yes; else r1=no; fi\n"
                    "if [ x$grub_platform = xxen ]; then r2=xen; elif [ \"$grub_platform\" != efi ]; then r2=other\n"
                    "else r2=efi\nfi\n"
                    "if [ -s $prefix/grubenv ]; then r3=s; fi\n"
                    "if [ -s /empty ]; then r4=s; else r4=empty; fi\n"
                    "if [ -f /empty -a -e /boot/grub -a -d /boot -a ! -d /empty ]; then r5=files; fi\n"
                    "if test 1 -lt 2 -o ( a = b ); then r6=num; fi\n"
                    "if ! false; then r7=neg; fi\n"
                    "if [ \"${missing}\" ] ; then r8=set; else r8=unset; fi\n"
                    "if false; then if true; then r9=inner; fi; fi\n"
                    "menuentry t { true }\n")
                    .ok());
    EXPECT_EQ(var("r1"), "yes");
    EXPECT_EQ(var("r2"), "efi");
    EXPECT_EQ(var("r3"), "s");
    EXPECT_EQ(var("r4"), "empty");
    EXPECT_EQ(var("r5"), "files");
    EXPECT_EQ(var("r6"), "num");
    EXPECT_EQ(var("r7"), "neg");
    EXPECT_EQ(var("r8"), "unset");
    EXPECT_EQ(var("r9"), "<unset>");
}

TEST_F(GrubCfg, FunctionsArgumentsAndReturn) {
    ASSERT_TRUE(run("function f {\n  got=\"$# $1 $2\"\n  return 3\n  got=never\n}\n"
                    "f a 'b c'\nst=$?\n"
                    "function g { if true; then return 0; fi; gg=never; }\n"
                    "g\n"
                    "menuentry t { true }\n")
                    .ok());
    EXPECT_EQ(var("got"), "2 a b c");
    EXPECT_EQ(var("st"), "3");
    EXPECT_EQ(var("gg"), "<unset>");
}

TEST_F(GrubCfg, MenuEntriesAndSubmenus) {
    ASSERT_TRUE(run("export menuentry_id_option\nmenuentry_id_option=--id\n"
                    "menuentry 'First' --class debian --class os $menuentry_id_option first-id --unrestricted {\n"
                    "  linux /boot/vmlinuz\n}\n"
                    "submenu 'More' $menuentry_id_option more {\n"
                    "  menuentry 'Inner A' --users root { linux /a }\n"
                    "  menuentry \"Inner B\" $menuentry_id_option inner-b --hotkey=x { linux /b }\n"
                    "}\n"
                    "menuentry Last { linux /c }\n")
                    .ok());
    ASSERT_EQ(in->entry_count(), 5u);
    const MenuEntry& e0 = in->entry(EntryRef{0});
    EXPECT_STREQ(e0.title, "First");
    EXPECT_STREQ(e0.id, "first-id");
    EXPECT_STREQ(e0.classes, "debian os");
    EXPECT_TRUE(e0.unrestricted);
    EXPECT_EQ(e0.parent, -1);
    EXPECT_EQ(std::string(in->body(EntryRef{0})), "\n  linux /boot/vmlinuz\n");
    EXPECT_TRUE(in->entry(EntryRef{1}).submenu);
    EXPECT_STREQ(in->entry(EntryRef{2}).title, "Inner A");
    EXPECT_STREQ(in->entry(EntryRef{2}).id, "Inner A");
    EXPECT_STREQ(in->entry(EntryRef{2}).users, "root");
    EXPECT_EQ(in->entry(EntryRef{2}).parent, 1);
    EXPECT_STREQ(in->entry(EntryRef{3}).id, "inner-b");
    EXPECT_STREQ(in->entry(EntryRef{3}).hotkey, "x");
    EXPECT_EQ(in->entry(EntryRef{4}).parent, -1);
}

TEST_F(GrubCfg, DefaultByIndexIdTitleAndPath) {
    const std::string menu =
        "menuentry A --id a { linux /a }\n"
        "submenu S --id s { menuentry S0 --id s0 { linux /s0 }\n menuentry S1 --id s1 { linux /s1 } }\n"
        "menuentry 'B>C' --id b { linux /b }\n";
    struct Case {
        const char* def;
        const char* title;
    } cases[] = {{"", "A"},    {"0", "A"},       {"2", "B>C"},  {"9", "A"},     {"a", "A"},
                 {"b", "B>C"}, {"B>>C", "B>C"},  {"1>1", "S1"}, {"s>s1", "S1"}, {"S>S1", "S1"},
                 {"1", "S0"},  {"s>nope", "S0"}, {"nope", "A"}, {"1>0", "S0"}};
    for (const Case& c : cases) {
        const std::string cfg = std::string(c.def[0] ? "set default='" + std::string(c.def) + "'\n" : "") + menu;
        ASSERT_TRUE(run(cfg).ok());
        auto d = in->default_entry();
        ASSERT_TRUE(d.ok()) << c.def;
        EXPECT_STREQ(in->entry(d.value()).title, c.title) << "default=" << c.def;
    }
}

TEST_F(GrubCfg, TimeoutAndStyle) {
    ASSERT_TRUE(run("menuentry a { true }\n").ok());
    EXPECT_EQ(in->timeout_ms(), -1);  // GRUB: no $timeout waits for ever
    EXPECT_EQ(in->timeout_style(), TimeoutStyle::menu);
    ASSERT_TRUE(run("set timeout=5\nset timeout_style=hidden\nmenuentry a { true }\n").ok());
    EXPECT_EQ(in->timeout_ms(), 5000);
    EXPECT_EQ(in->timeout_style(), TimeoutStyle::hidden);
    ASSERT_TRUE(run("set timeout=-1\nset timeout_style=countdown\nmenuentry a { true }\n").ok());
    EXPECT_EQ(in->timeout_ms(), -1);
    EXPECT_EQ(in->timeout_style(), TimeoutStyle::menu);
    ASSERT_TRUE(run("set timeout=0\nmenuentry a { true }\n").ok());
    EXPECT_EQ(in->timeout_ms(), 0);
}

TEST_F(GrubCfg, EvaluateEntryResolvesDevicesAndArgs) {
    kernel_files();
    host.add("hd1,gpt2", "/vmlinuz", "K");
    host.add("hd1,gpt2", "/i1", "I");
    host.add("hd1,gpt2", "/i2", "I");
    host.dev("hd1,gpt2").uuid = "1234-abcd";
    ASSERT_TRUE(run("set opts='quiet splash'\n"
                    "menuentry one {\n  set root='hd0,gpt1'\n  linux /boot/vmlinuz root=/dev/xvda1 ro $opts\n"
                    "  initrd /boot/initrd.img\n  devicetree /dtb\n}\n"
                    "menuentry two {\n  search --no-floppy --fs-uuid --set=root --hint-efi=hd0,gpt1 1234-abcd\n"
                    "  linux /vmlinuz x=\"$chosen\" d=$default\n  initrd /i1 (hd1,gpt2)/i2\n}\n"
                    "menuentry three {\n  linux (hd1,gpt2)/vmlinuz\n  initrd (hd0,gpt1)/boot/initrd.img\n}\n"
                    "menuentry four { echo nothing }\n")
                    .ok());
    BootSpec s = boot(0);
    EXPECT_STREQ(s.kernel.dev, "hd0,gpt1");
    EXPECT_STREQ(s.kernel.path, "/boot/vmlinuz");
    EXPECT_STREQ(s.args, "root=/dev/xvda1 ro quiet splash");
    ASSERT_EQ(s.initrd_count, 1u);
    EXPECT_STREQ(s.initrds[0].path, "/boot/initrd.img");
    EXPECT_TRUE(s.has_devicetree);
    EXPECT_EQ(host.printed.back(), "devicetree ignored: the device tree comes from Xen");
    s = boot(1);
    EXPECT_STREQ(s.kernel.dev, "hd1,gpt2");
    EXPECT_STREQ(s.args, "x=two d=");
    ASSERT_EQ(s.initrd_count, 2u);
    EXPECT_STREQ(s.initrds[0].dev, "hd1,gpt2");
    EXPECT_STREQ(s.initrds[1].path, "/i2");
    EXPECT_EQ(var("root"), "hd0,gpt1");  // the entry ran on a copy of the environment
    s = boot(2);
    EXPECT_STREQ(s.kernel.dev, "hd1,gpt2");
    EXPECT_STREQ(s.initrds[0].dev, "hd0,gpt1");
    EXPECT_EQ(boot_error(3), "entry 'four' has no linux command");
}

TEST_F(GrubCfg, CommandErrorsArePrintedAndTheMenuGoesOn) {
    ASSERT_TRUE(run("frobnicate now\nset x\ninsmod gzio\nload_video\nsave_env a\nsave_env b\n"
                    "menuentry a { true }\n")
                    .ok());
    EXPECT_EQ(host.output(),
              "(hd0,gpt1)/boot/grub/grub.cfg:1: can't find command 'frobnicate'\n"
              "(hd0,gpt1)/boot/grub/grub.cfg:2: set: not an assignment\n"
              "save_env: not saved (xenboot does not write disks)\n");
}

TEST_F(GrubCfg, SourceKeepsTheContextConfigfileReplacesIt) {
    host.add("hd0,gpt1", "/boot/grub/vars.cfg", "sourced=yes\n");
    host.add("hd0,gpt2", "/grub/grub.cfg", "inner=$local-$exported\nmenuentry Inner { linux /k }\n");
    ASSERT_TRUE(run("source /boot/grub/vars.cfg\nlocal=L\nexported=E\nexport exported\n"
                    "menuentry Outer { true }\nconfigfile (hd0,gpt2)/grub/grub.cfg\nafter=yes\n")
                    .ok());
    EXPECT_EQ(var("sourced"), "<unset>");  // the final environment is the inner one
    EXPECT_EQ(var("inner"), "-E");
    EXPECT_EQ(var("after"), "<unset>");
    EXPECT_EQ(var("config_directory"), "(hd0,gpt2)/grub");
    ASSERT_EQ(in->entry_count(), 1u);
    EXPECT_STREQ(in->entry(EntryRef{0}).title, "Inner");
}

TEST_F(GrubCfg, ConfigfileWithoutEntriesComesBack) {
    host.add("hd0,gpt1", "/other.cfg", "x=1\n");
    ASSERT_TRUE(run("keep=1\nconfigfile /other.cfg\nmenuentry a { true }\n").ok());
    EXPECT_EQ(var("keep"), "1");
    EXPECT_EQ(var("x"), "<unset>");
    EXPECT_EQ(in->entry_count(), 1u);
}

TEST_F(GrubCfg, EspStubs) {
    // Ubuntu: search.fs_uuid + configfile; Fedora: search --set=dev + export + configfile; SUSE: source.
    host.add("hd0,gpt16", "/grub/grub.cfg", "menuentry Ubuntu { linux /vmlinuz }\n");
    host.add("hd0,gpt16", "/vmlinuz", "K");
    host.dev("hd0,gpt16").uuid = "258379e7";
    host.add("hd0,gpt15", "/EFI/ubuntu/grub.cfg",
             "search.fs_uuid 258379e7 root hd0,gpt2\nset prefix=($root)'/grub'\nconfigfile $prefix/grub.cfg\n");
    ASSERT_TRUE(in->run_config("hd0,gpt15", "/EFI/ubuntu/grub.cfg").ok());
    EXPECT_EQ(var("prefix"), "(hd0,gpt16)/grub");
    BootSpec s = boot(0);
    EXPECT_STREQ(s.kernel.dev, "hd0,gpt16");

    host.add("hd0,gpt2", "/grub2/grub.cfg", "menuentry Fedora { linux ($dev)/vmlinuz }\nset r=$root\n");
    host.add("hd0,gpt2", "/vmlinuz", "K");
    host.dev("hd0,gpt2").uuid = "6df325af";
    host.add("hd0,gpt1", "/EFI/fedora/grub.cfg",
             "search --no-floppy --root-dev-only --fs-uuid --set=dev 6df325af\nset prefix=($dev)/grub2\n"
             "export $prefix\nconfigfile $prefix/grub.cfg\n");
    ASSERT_TRUE(in->run_config("hd0,gpt1", "/EFI/fedora/grub.cfg").ok());
    EXPECT_EQ(var("prefix"), "(hd0,gpt2)/grub2");
    EXPECT_EQ(var("r"), "hd0,gpt1");  // root is not changed by --set=dev
    EXPECT_EQ(boot_error(0), "(hd0,gpt2)/grub2/grub.cfg:1: no device in '()/vmlinuz'");

    host.add("hd0,gpt3", "/boot/grub2/grub.cfg", "menuentry SUSE { linux /boot/Image }\nseen=$stub\n");
    host.add("hd0,gpt3", "/boot/Image", "K");
    host.dev("hd0,gpt3").label = "ROOT";
    host.add("hd0,gpt1", "/EFI/opensuse/grub.cfg",
             "stub=1\nsearch --label --set ROOT\nset prefix=(${root})/boot/grub2\nsource \"${prefix}/grub.cfg\"\n");
    ASSERT_TRUE(in->run_config("hd0,gpt1", "/EFI/opensuse/grub.cfg").ok());
    EXPECT_EQ(var("seen"), "1");
    s = boot(0);
    EXPECT_STREQ(s.kernel.dev, "hd0,gpt3");
}

TEST_F(GrubCfg, SearchThatMatchesNothingLeavesRootAndLinuxFails) {
    ASSERT_TRUE(run("menuentry a {\n  set root='hd0,gpt9'\n  search --no-floppy --fs-uuid --set=root dead-beef\n"
                    "  linux /boot/vmlinuz\n}\n")
                    .ok());
    EXPECT_EQ(boot_error(0), "(hd0,gpt1)/boot/grub/grub.cfg:4: file '(hd0,gpt9)/boot/vmlinuz' not found");
    EXPECT_EQ(host.output(),
              "(hd0,gpt1)/boot/grub/grub.cfg:3: no such device: dead-beef\n"
              "(hd0,gpt1)/boot/grub/grub.cfg:4: file '(hd0,gpt9)/boot/vmlinuz' not found\n");
}

TEST_F(GrubCfg, SyntaxErrorsAbortTheFile) {
    struct Case {
        const char* cfg;
        const char* error;
    } cases[] = {
        {"menuentry a {\n linux /k\n", "(hd0,gpt1)/boot/grub/grub.cfg:1: syntax error: '{' without '}'"},
        {"menuentry a { linux /k }\n}\n", "(hd0,gpt1)/boot/grub/grub.cfg:2: syntax error: unexpected '}'"},
        {"set a='abc\n\n", "(hd0,gpt1)/boot/grub/grub.cfg:1: syntax error: unterminated ' quote"},
        {"echo \"abc\n", "(hd0,gpt1)/boot/grub/grub.cfg:1: syntax error: unterminated \" quote"},
        {"\nif true; then\n  echo\n", "(hd0,gpt1)/boot/grub/grub.cfg:2: syntax error: 'if' without 'fi'"},
        {"if true\necho\n", "(hd0,gpt1)/boot/grub/grub.cfg:1: syntax error: 'if' without 'then'"},
        {"fi\n", "(hd0,gpt1)/boot/grub/grub.cfg:1: syntax error: unexpected 'fi'"},
        {"function f { echo\n", "(hd0,gpt1)/boot/grub/grub.cfg:1: syntax error: '{' without '}'"},
    };
    for (const Case& c : cases) {
        const Status r = run(c.cfg);
        ASSERT_FALSE(r.ok()) << c.cfg;
        EXPECT_EQ(r.error().code(), Errc::bad_data);
        EXPECT_STREQ(r.error().message(), c.error) << c.cfg;
    }
}

TEST_F(GrubCfg, SyntaxErrorInASourcedFileIsReportedAndTheMenuGoesOn) {
    host.add("hd0,gpt1", "/boot/grub/custom.cfg", "if true; then\n");
    ASSERT_TRUE(run("source $prefix/custom.cfg\nmenuentry a { true }\n").ok());
    EXPECT_EQ(host.output(),
              "(hd0,gpt1)/boot/grub/grub.cfg:1: (hd0,gpt1)/boot/grub/custom.cfg:1: syntax error: "
              "'if' without 'fi'\n");
}

TEST_F(GrubCfg, ConfigfileLoop) {
    const Status r = run("configfile $prefix/grub.cfg\n");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(
        r.error().message(),
        "(hd0,gpt1)/boot/grub/grub.cfg:1: configfile loop: more than 8 nested files at (hd0,gpt1)/boot/grub/grub.cfg");
}

TEST_F(GrubCfg, StepBudget) {
    // 10^5 commands through five levels of functions: the default budget ends it.
    const Status r =
        run("function a { true; true; true; true; true; true; true; true; true; true; }\n"
            "function b { a; a; a; a; a; a; a; a; a; a; }\n"
            "function c { b; b; b; b; b; b; b; b; b; b; }\n"
            "function d { c; c; c; c; c; c; c; c; c; c; }\n"
            "function e { d; d; d; d; d; d; d; d; d; d; }\n"
            "e\nmenuentry a { true }\n");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "(hd0,gpt1)/boot/grub/grub.cfg:2: step budget of 100000 commands exhausted");
}

TEST_F(GrubCfg, DeepRecursionIsAnError) {
    const Status r = run("function f { f; }\nf\nmenuentry a { true }\n");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "(hd0,gpt1)/boot/grub/grub.cfg:1: functions nested deeper than 16 (f)");
}

// parse_list levels in all (kMaxLevels, 17) bound the stack: each limit alone (32 nested
// blocks a text, 16 calls, 8 files) allows far more, as each call and file starts anew.
std::string nested_ifs(unsigned n, const std::string& inner) {
    std::string s;
    for (unsigned i = 0; i < n; ++i) s += "if true; then ";
    s += inner;
    for (unsigned i = 0; i < n; ++i) s += "; fi";
    return s;
}

TEST_F(GrubCfg, LevelsInAllUpToTheLimitRun) {
    // The file, its if, f's body, 6 ifs, g's body, 7 ifs: 1 + 1 + 1 + 6 + 1 + 7 = 17 levels.
    const std::string cfg = "function g { " + nested_ifs(7, "echo deepest") + " }\nfunction f { " + nested_ifs(6, "g") +
                            " }\n" + nested_ifs(1, "f") + "\nmenuentry a { true }\n";
    ASSERT_TRUE(run(cfg.c_str()).ok()) << host.output();
    EXPECT_EQ(host.output(), "deepest\n");
}

TEST_F(GrubCfg, LevelsInAllPastTheLimitAreAnError) {
    const std::string cfg = "function g { " + nested_ifs(8, "echo deepest") + " }\nfunction f { " + nested_ifs(6, "g") +
                            " }\n" + nested_ifs(1, "f") + "\nmenuentry a { true }\n";
    const Status r = run(cfg.c_str());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data);
    EXPECT_STREQ(r.error().message(),
                 "(hd0,gpt1)/boot/grub/grub.cfg:1: blocks, functions and files nested deeper "
                 "than 17 in all");
    EXPECT_EQ(host.output(), "");
}

TEST_F(GrubCfg, RecursionThroughBlocksEndsAtTheLevelLimit) {
    // Four blocks a call: the levels run out (at the 4th call: 2 + 3 x 5 + 4 > 17) before the 16 calls do.
    const Status r = run(("function f { " + nested_ifs(4, "f") + " }\nf\nmenuentry a { true }\n").c_str());
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(),
                 "(hd0,gpt1)/boot/grub/grub.cfg:1: blocks, functions and files nested deeper "
                 "than 17 in all");
}

TEST_F(GrubCfg, TestExpressionNestingIsBounded) {
    // Each '!' or '(' is a level of the evaluator's recursion: 8 run, 9 are an error.
    std::string nots;
    for (int i = 0; i < 8; ++i) nots += "! ";
    ASSERT_TRUE(run("if [ " + nots + "a ]; then echo yes; fi\nmenuentry a { true }\n").ok());
    EXPECT_EQ(host.output(), "yes\n");
    host.printed.clear();
    ASSERT_TRUE(run("if [ ! " + nots + "a ]; then echo yes; fi\nmenuentry a { true }\n").ok());
    EXPECT_EQ(host.output(), "(hd0,gpt1)/boot/grub/grub.cfg:1: test: more than 8 '!' and '(' in one expression\n");
}

TEST_F(GrubCfg, Interrupted) {
    host.interrupt_after = 2;
    const Status r = run("a=1\nb=2\nc=3\nmenuentry a { true }\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::interrupted);
    EXPECT_STREQ(r.error().message(), "(hd0,gpt1)/boot/grub/grub.cfg:3: interrupted");
}

TEST_F(GrubCfg, NoEntries) {
    const Status r = run("set a=1\n");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "(hd0,gpt1)/boot/grub/grub.cfg: no menu entries");
}

}  // namespace
}  // namespace xb::loader::grub
