// The env commands U-Boot users type (commands/cmd_env.cpp): setenv -f,
// env import/export (uEnv.txt text, binary, checksum blocks), editenv,
// askenv, saveenv, env default with the board's computed defaults.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "tests/sim/host_tools.h"
#include "tests/sim/shell_rig.h"

namespace {

constexpr std::uint64_t kRamSize = 0x100000;
constexpr std::uint64_t kHeapOffset = 0xf0000;

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%lx", v);
    return buf;
}

struct EnvRig : xb::sim::ShellRig {
    EnvRig() { ram = use_ram_window(kRamSize, kHeapOffset); }
    std::string addr(std::uint64_t off) const { return hex(reinterpret_cast<std::uintptr_t>(ram) + off); }
    void put(std::uint64_t off, std::string_view text) { std::memcpy(ram + off, text.data(), text.size()); }
    std::string var(const char* name) const { return std::string(env.get(name).value_or("<unset>")); }
    std::uint8_t* ram = nullptr;
};

TEST(Setenv, ForceFlagIsNotAName) {
    EnvRig r;
    EXPECT_EQ(r.run("setenv -f x 1; env set -f y two words; printenv x y"), "x=1\ny=two words\n");
    EXPECT_FALSE(r.env.get("-f").has_value());
    int rc = 0;
    EXPECT_EQ(r.run("setenv -x a 1", &rc),
              "setenv: unknown option '-x' (usage: setenv [-f] name [value...] (no "
              "value: delete))\n");
    EXPECT_EQ(rc, 1);
    r.run("setenv -f x");  // deletes, forced
    EXPECT_FALSE(r.env.get("x").has_value());
}

const char kUEnv[] =
    "# uEnv.txt\n"
    "bootdelay=3\n"
    "  dom0_addr=0x48000000\n"
    "\n"
    "xen_args=console=dtuart \\\n"
    "dom0_mem=512M\n"
    "old=\n";

TEST(EnvImport, UEnvTextWithSize) {
    EnvRig r;
    r.put(0x1000, kUEnv);
    ASSERT_TRUE(r.env.set("old", "to be deleted").ok());
    int rc = 1;
    EXPECT_EQ(r.run("env import -t " + r.addr(0x1000) + " " + hex(sizeof kUEnv - 1), &rc), "");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(r.var("bootdelay"), "3");
    EXPECT_EQ(r.var("dom0_addr"), "0x48000000");
    EXPECT_EQ(r.var("xen_args"), "console=dtuart \ndom0_mem=512M");
    EXPECT_EQ(r.var("old"), "<unset>");
}

TEST(EnvImport, SizeFromFilesizeOrTerminator) {
    EnvRig r;
    r.put(0x1000, kUEnv);
    std::memset(r.ram + 0x1000 + sizeof kUEnv - 1, 'X', 16);  // a loaded file has no NUL after it
    ASSERT_TRUE(r.env.set("filesize", hex(sizeof kUEnv - 1)).ok());
    EXPECT_EQ(r.run("env import -t " + r.addr(0x1000)), "## Info: input data size = 92 = 0x5C\n");
    EXPECT_EQ(r.var("bootdelay"), "3");
    // Without $filesize the text must end with a NUL, as in U-Boot.
    r.env.remove("filesize");
    r.put(0x2000, std::string_view("a=1\nb=2\n\0", 9));
    EXPECT_EQ(r.run("env import -t " + r.addr(0x2000) + " - b"), "## Info: input data size = 9 = 0x9\n");
    EXPECT_EQ(r.var("a"), "<unset>");  // only the named one
    EXPECT_EQ(r.var("b"), "2");
    int rc = 0;
    std::memset(r.ram + 0x3000, 'Z', kRamSize - 0x3000);  // no NUL up to the end of RAM
    EXPECT_EQ(r.run("env import -t " + r.addr(0x3000), &rc),
              "env import: no end marker within 0xfd000 bytes at 0x" + r.addr(0x3000) + ": give the size\n");
    EXPECT_EQ(rc, 1);
}

TEST(EnvImport, BadTextChangesNothing) {
    EnvRig r;
    r.put(0x1000, "a=1\nbad name=2\n");
    int rc = 0;
    EXPECT_EQ(r.run("env import -t " + r.addr(0x1000) + " f", &rc),
              "env import: 0x" + r.addr(0x1000) + ": line 2: invalid variable name 'bad name'\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(r.var("a"), "<unset>");
    EXPECT_EQ(r.run("env import -t -b " + r.addr(0x1000) + " f", &rc),
              "env import: only one of -b, -c or -t allowed\n");
    EXPECT_EQ(r.run("env import -c " + r.addr(0x1000), &rc), "env import: the checksum format (-c) needs the size\n");
}

TEST(EnvExport, TextRoundTripAndDelete) {
    EnvRig r;
    ASSERT_TRUE(r.env.set("a", "1").ok());
    ASSERT_TRUE(r.env.set("multi", "x\ny").ok());
    EXPECT_EQ(r.run("env export -t " + r.addr(0x4000) + " a multi"), "");
    const std::string want("a=1\nmulti=x\\\ny\n", 15);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(r.ram + 0x4000), 16), want + std::string(1, '\0'));
    EXPECT_EQ(r.var("filesize"), "10");
    // -d: everything else goes (filesize too, it was not exported).
    ASSERT_TRUE(r.env.set("other", "z").ok());
    EXPECT_EQ(r.run("env import -d -t " + r.addr(0x4000) + " ${filesize}"), "");
    EXPECT_EQ(r.env.count(), 2u);
    EXPECT_EQ(r.var("multi"), "x\ny");
    // Into reserved memory: refused before any write.
    int rc = 0;
    EXPECT_NE(r.run("env export -t " + r.addr(kHeapOffset), &rc)
                  .find("env export: refusing env export at 0x" + r.addr(kHeapOffset)),
              std::string::npos);
    EXPECT_EQ(rc, 1);
}

TEST(EnvExport, ChecksumBlockRoundTrip) {
    EnvRig r;
    ASSERT_TRUE(r.env.set("bootcmd", "run mine").ok());
    EXPECT_EQ(r.run("env export -c -s 100 " + r.addr(0x5000) + " bootcmd"), "");
    EXPECT_EQ(r.var("filesize"), "100");
    r.env.remove("bootcmd");
    EXPECT_EQ(r.run("env import -c " + r.addr(0x5000) + " 100"), "");
    EXPECT_EQ(r.var("bootcmd"), "run mine");
    r.ram[0x5008] ^= 1;
    int rc = 0;
    EXPECT_NE(r.run("env import -c " + r.addr(0x5000) + " 100", &rc).find("bad CRC"), std::string::npos);
    EXPECT_EQ(rc, 1);
}

TEST(EnvImport, MkenvimageBlock) {
    if (!xb::sim::have_tool("mkenvimage")) GTEST_SKIP() << "mkenvimage (u-boot-tools) not installed";
    EnvRig r;
    xb::sim::TempDir dir("envcmd");
    FILE* f = std::fopen((dir / "env.txt").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("fdt_high=0xffffffffffffffff\nbootcmd=run mine\n", f);
    std::fclose(f);
    ASSERT_TRUE(xb::sim::run_tool("mkenvimage -s 0x400 -o " + (dir / "env.bin") + " " + (dir / "env.txt")).ok);
    std::vector<std::uint8_t> block = xb::sim::read_file(dir / "env.bin");
    ASSERT_EQ(block.size(), 0x400u);
    std::memcpy(r.ram + 0x6000, block.data(), block.size());
    EXPECT_EQ(r.run("env import -c " + r.addr(0x6000) + " 400"), "");
    EXPECT_EQ(r.var("fdt_high"), "0xffffffffffffffff");
    EXPECT_EQ(r.var("bootcmd"), "run mine");
}

TEST(Saveenv, SaysThereIsNoStorage) {
    EnvRig r;
    int rc = 0;
    const std::string out = r.run("saveenv", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out.rfind("saveenv: xenboot has no environment storage; put settings in uEnv.txt", 0), 0u) << out;
    EXPECT_EQ(r.run("env save", &rc).rfind("env save: xenboot has no environment storage", 0), 0u);
}

TEST(Editenv, EditsTheValueInTheLineEditor) {
    EnvRig r;
    ASSERT_TRUE(r.env.set("foo", "abc").ok());
    r.type("\x7f\x7fXY\r");
    EXPECT_EQ(r.run("editenv foo"), "edit: abc\b \b\b \bXY\n");
    EXPECT_EQ(r.var("foo"), "aXY");
    r.type("new\r");
    r.run("env edit fresh");
    EXPECT_EQ(r.var("fresh"), "new");
    r.type("\x15\r");  // Ctrl-U, Enter: empty deletes
    r.run("editenv foo");
    EXPECT_EQ(r.var("foo"), "<unset>");
}

TEST(Askenv, PromptsAndKeepsSizeCharacters) {
    EnvRig r;
    r.type("hello\r");
    EXPECT_EQ(r.run("askenv name"), "Please enter 'name': hello\n");
    EXPECT_EQ(r.var("name"), "hello");
    r.type("abcdef\r");
    EXPECT_EQ(r.run("askenv short Three letters? 3"), "Three letters? abcdef\n");
    EXPECT_EQ(r.var("short"), "abc");
}

TEST(EnvDefault, RestoresTheBoardsComputedDefaults) {
    EnvRig r;
    xb::cmd::Environment defaults;
    ASSERT_TRUE(defaults.set("kernel_addr_r", "0x40000000").ok());
    ASSERT_TRUE(defaults.set("mine", "from_cmdline").ok());
    r.ctx.env_defaults = &defaults;
    ASSERT_TRUE(r.env.set("extra", "1").ok());
    EXPECT_EQ(r.run("env default -a; printenv"),
              "## Resetting to default environment\nkernel_addr_r=0x40000000\nmine=from_cmdline\n\n"
              "Environment size: 43 bytes, 2 variables\n");
    ASSERT_TRUE(r.env.set("mine", "changed").ok());
    r.run("env default mine extra");
    EXPECT_EQ(r.var("mine"), "from_cmdline");
    EXPECT_EQ(r.run("printenv -a mine"), "mine=from_cmdline\n");
}

}  // namespace
