// md, mw, cp, cmp, crc32, hash, sha256sum and part, table-driven through the shell on the
// simulated console. "RAM" is real host memory in the simulated guest RAM
// (mapped at 0x40000000 as in a DomU), registered in SystemInfo.memory, so the
// commands really read and write it; {R} / {R+off} in a case stand for its address.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <regex>

#include "commands/builtins.h"
#include "shell/shell.h"
#include "lib/crc32.h"
#include "tests/sim/mem_block_device.h"
#include "tests/sim/shell_cases.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

constexpr std::uint64_t kRamSize = 0x100000;
constexpr std::uint64_t kHeapOffset = 0xf0000;  // the last 64 KiB are "xenboot's heap"

// The RAM the commands may touch: 1 MiB of the simulated guest RAM (a fixed
// low mapping shared with the PV driver tests), set up by each MemRig.
std::uint8_t* g_ram = nullptr;
std::uint8_t* ram() { return g_ram; }
std::uint64_t ram_base() { return reinterpret_cast<std::uintptr_t>(ram()); }

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%08lx", v);
    return buf;
}

// "{R}" -> the RAM's address in hex, "{R+1f}" -> that plus 0x1f.
std::string expand(const std::string& text) {
    static const std::regex placeholder(R"(\{R(\+([0-9a-f]+))?\})");
    std::string out;
    std::sregex_iterator it(text.begin(), text.end(), placeholder), end;
    std::size_t last = 0;
    for (; it != end; ++it) {
        out += text.substr(last, it->position() - last);
        out += hex(ram_base() + ((*it)[2].matched ? std::stoull((*it)[2].str(), nullptr, 16) : 0));
        last = it->position() + it->length();
    }
    return out + text.substr(last);
}

struct MemRig : sim::ShellRig {
    MemRig() {
        g_ram = use_ram_window(kRamSize, kHeapOffset);
        for (int i = 0; i < 256; ++i) ram()[i] = static_cast<std::uint8_t>(i);
        std::memcpy(ram() + 0x1000, "Hello world\n", 12);  // U-Boot's cmp example
        std::memcpy(ram() + 0x2000, "Hello World\n", 12);
    }
};

// {R} in the input and the expected output stand for the RAM's address.
class MemCases : public sim::ShellCaseTest {};

TEST_P(MemCases, Output) {
    MemRig rig;
    sim::ShellCase c = GetParam();
    c.input = expand(c.input);
    c.expected = expand(c.expected);
    EXPECT_TRUE(sim::check(c, rig.session(c.input)));
}

XB_SHELL_CASES(
    MemCases,
    sim::output_has("md_b", "md.b {R} 20\r",
                    "{R}: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f    ................\r\n"
                    "{R+10}: 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f    ................\r\n=> "),
    sim::output_has("md_l", "md.l {R+40} 4\r",
                    "{R+40}: 43424140 47464544 4b4a4948 4f4e4d4c    @ABCDEFGHIJKLMNO\r\n=> "),
    sim::output_has("md_default_is_l", "md {R+40} 4\r",
                    "{R+40}: 43424140 47464544 4b4a4948 4f4e4d4c    @ABCDEFGHIJKLMNO\r\n"),
    sim::output_has("md_w_short_line", "md.w {R+20} 3\r",
                    "{R+20}: 2120 2322 2524" + std::string(29, ' ') + " !\"#$%\r\n=> "),
    sim::output_has("md_q", "md.q {R+50} 2\r", "{R+50}: 5756555453525150 5f5e5d5c5b5a5958    PQRSTUVWXYZ[\\]^_\r\n"),
    sim::output_has("md_40_words", "md.l {R} 40\r",
                    "{R+f0}: f3f2f1f0 f7f6f5f4 fbfaf9f8 fffefdfc    ................\r\n=> "),
    sim::output_has("md_keeps_count", "md.b {R} 4\rmd.b {R+10}\r",
                    "=> md.b {R+10}\r\n{R+10}: 10 11 12 13" + std::string(12 * 3, ' ') + "    ....\r\n"),
    sim::output_has("md_continues", "md.b {R+60} 10\rmd\r",
                    "=> md\r\n{R+70}: 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f    pqrstuvwxyz{|}~.\r\n"),
    sim::output_has("md_reads_heap", "md.b {R+f0000} 1\r", "{R+f0000}: 00"),
    sim::output_has("md_unaligned", "md.l {R+2} 1\r", "md: address 0x{R+2} is not aligned to 4 bytes\r\n"),
    sim::output_has("md_not_ram", "md 10 1\r", "md: refusing md read at 0x10 (+0x4): not in RAM\r\n"),
    sim::output_has("md_past_ram", "md.b {R+ffff0} 20\r",
                    "md: refusing md read at 0x{R+ffff0} (+0x20): not in RAM\r\n"),
    sim::output_has(
        "md_suffix", "md.x {R}\r",
        "md: unknown size suffix in 'md.x' (.b, .w, .l or .q) (usage: md [.b, .w, .l, .q] address [# of objects])"),
    sim::output_has("md_hex", "md zz\r", "md: invalid address 'zz' (hex expected)\r\n"),
    sim::output_has("md_count_overflow", "md.q {R} 4000000000000000\r",
                    "md: count 0x4000000000000000 is too large\r\n"),
    sim::output_has("mw_l", "mw.l {R+100} deadbeef 2; md.l {R+100} 3\r", "{R+100}: deadbeef deadbeef 00000000"),
    sim::output_has("mw_default_one", "mw {R+100} 12345678; md.l {R+100} 2\r", "{R+100}: 12345678 00000000"),
    sim::output_has("mw_b", "mw.b {R+100} aa 3; md.b {R+100} 4\r", "{R+100}: aa aa aa 00"),
    sim::output_has("mw_q", "mw.q {R+100} 0123456789abcdef; md.q {R+100} 1\r", "{R+100}: 0123456789abcdef"),
    sim::output_has("mw_value_fits", "mw.b {R+100} 100\r", "mw: value 0x100 does not fit in a byte\r\n"),
    sim::output_has(
        "mw_heap", "mw {R+f0000} 1\r",
        "mw: refusing mw write at 0x{R+f0000}-0x{R+f0004}: overlaps xenboot's heap 0x{R+f0000}-0x{R+100000}\r\n"),
    sim::output_has("mw_into_heap", "mw.l {R+efff8} 1 4\r",
                    "mw: refusing mw write at 0x{R+efff8}-0x{R+f0008}: overlaps"),
    sim::output_has("mw_not_ram", "mw 10 1\r", "mw: refusing mw write at 0x10-0x14: not in RAM\r\n"),
    sim::output_has("mw_unaligned", "mw.w {R+101} 1\r", "mw: address 0x{R+101} is not aligned to 2 bytes\r\n"),
    sim::output_has("mw_usage", "mw {R}\r",
                    "mw: expects an address and a value (usage: mw [.b, .w, .l, .q] address value [count])"),
    sim::output_has("cp_then_cmp", "cp.b {R+1000} {R+3000} c; cmp.b {R+1000} {R+3000} c\r",
                    "Total of 12 byte(s) were the same\r\n"),
    sim::output_has("cp_l", "cp {R+40} {R+3000} 2; md.b {R+3000} 10\r",
                    "{R+3000}: 40 41 42 43 44 45 46 47 00 00 00 00 00 00 00 00    @ABCDEFG........"),
    sim::output_has("cp_overlap", "cp.b {R} {R+1} 4; md.b {R} 8\r", "{R}: 00 00 01 02 03 05 06 07"),
    sim::output_has("cp_into_heap", "cp {R} {R+f0000} 1\r", "cp: refusing cp write at 0x{R+f0000}"),
    sim::output_has("cp_from_nowhere", "cp 10 {R} 1\r", "cp: refusing cp read at 0x10 (+0x4): not in RAM\r\n"),
    sim::output_has("cp_unaligned", "cp.q {R} {R+4} 1\r", "cp: address 0x{R+4} is not aligned to 8 bytes\r\n"),
    // U-Boot's own example (doc/usage/cmd/cmp.rst): "Hello world\n" vs "Hello World\n".
    sim::output_has(
        "cmp_l", "cmp {R+1000} {R+2000} c\r",
        "word at 0x{R+1004} (0x6f77206f) != word at 0x{R+2004} (0x6f57206f)\r\nTotal of 1 word(s) were the same\r\n"),
    sim::output_has("cmp_b", "cmp.b {R+1000} {R+2000} c\r",
                    "byte at 0x{R+1006} (0x77) != byte at 0x{R+2006} (0x57)\r\nTotal of 6 byte(s) were the same\r\n"),
    sim::output_has("cmp_w", "cmp.w {R+1000} {R+2000} c\r",
                    "halfword at 0x{R+1006} (0x6f77) != halfword at 0x{R+2006} (0x6f57)\r\nTotal of 3 halfword(s) were "
                    "the same\r\n"),
    sim::output_has(
        "cmp_q", "cmp.q {R+1000} {R+2000} c\r",
        "double word at 0x{R+1000} (0x6f77206f6c6c6548) != double word at 0x{R+2000} (0x6f57206f6c6c6548)\r\n"
        "Total of 0 double word(s) were the same\r\n"),
    sim::output_has("cmp_not_ram", "cmp {R} 10 1\r", "cmp: refusing cmp read at 0x10 (+0x4): not in RAM\r\n"),
    sim::output_has("crc32_not_ram", "crc32 {R+ff000} 2000\r",
                    "crc32: refusing crc32 read at 0x{R+ff000} (+0x2000): not in RAM\r\n"),
    sim::output_has("crc32_store_heap", "crc32 {R} 10 {R+f0000}\r", "crc32: refusing crc32 store at 0x{R+f0000}"),
    sim::output_has("crc32_usage", "crc32 {R}\r",
                    "crc32: expects an address and a count (usage: crc32 [-v] address count [addr | crc])"),
    sim::output_has("help_md_l", "help md.l\r",
                    "md - memory display\r\n\r\nUsage:\r\nmd [.b, .w, .l, .q] address [# of objects]"),
    sim::output_has("help_lists_part", "help\r", "part      - disk partition related commands\r\n"));

TEST(MemCommands, RefusedWritesWriteNothing) {
    MemRig rig;
    std::vector<std::uint8_t> before(ram(), ram() + kRamSize);
    rig.session(expand("mw.l {R+effc0} ffffffff 20\rcp.b {R} {R+effff} 2\rcrc32 {R} 10 {R+efffe}\r"));
    EXPECT_TRUE(std::equal(before.begin(), before.end(), ram()));
}

TEST(MemCommands, CmpReturnsFailureOnDifference) {
    MemRig rig;
    char same[] = "cmp", a[40], b[40], n[] = "3";
    std::snprintf(a, sizeof a, "%lx", ram_base() + 0x1000);
    std::snprintf(b, sizeof b, "%lx", ram_base() + 0x2000);
    char* args[] = {same, a, b, n};
    const cmd::Command& cmp = *cmd::find_command("cmp");
    EXPECT_EQ(cmd::run_command(rig.ctx, cmp, 4, args), 1);
    char one[] = "1";
    args[3] = one;
    EXPECT_EQ(cmd::run_command(rig.ctx, cmp, 4, args), 0);
}

TEST(MemCommands, Crc32MatchesZlibAndStoresBigEndian) {
    MemRig rig;
    for (std::uint64_t i = 0; i < 0x1000; ++i) ram()[0x10000 + i] = static_cast<std::uint8_t>(i * 7 + (i >> 8));
    const auto expected = static_cast<std::uint32_t>(::crc32(0, ram() + 0x10000, 0x1000));
    const std::string out = rig.session(expand("crc32 {R+10000} 1000 {R+20000}\r"));
    char line[128];
    std::snprintf(line, sizeof line, "crc32 for %s ... %s ==> %08x\r\n", hex(ram_base() + 0x10000).c_str(),
                  hex(ram_base() + 0x10fff).c_str(), expected);
    EXPECT_NE(out.find(line), std::string::npos) << out;
    const std::uint8_t* stored = ram() + 0x20000;
    EXPECT_EQ(std::uint32_t{stored[0]} << 24 | stored[1] << 16 | stored[2] << 8 | stored[3], expected);
}

TEST(Crc32, KnownValuesAndChaining) {
    EXPECT_EQ(crc32(0, "123456789", 9), 0xcbf43926u);  // the CRC-32/IEEE check value
    EXPECT_EQ(crc32(0, "", 0), 0u);
    const char* text = "The quick brown fox jumps over the lazy dog";
    const std::size_t len = std::strlen(text);
    EXPECT_EQ(crc32(crc32(0, text, 10), text + 10, len - 10), crc32(0, text, len));
    EXPECT_EQ(crc32(0, text, len), static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(text), len)));
}

// ---------------------------------------------------------------- part list

struct PartRig : MemRig {
    sim::MemBlockDevice dos{"pvblock 0", 512, 16384};
    sim::MemBlockDevice gpt{"pvblock 1", 512, 16384};
    sim::MemBlockDevice blank{"pvblock 2", 512, 64};

    PartRig() {
        sim::write_mbr(dos, 0, {{0x0c, 2048, 2048, 0x80}, {0x05, 8192, 8192, 0}}, 0x0a0b0c0d);
        sim::write_mbr(dos, 8192, {{0x83, 2048, 2048, 0}, {0x05, 4096, 4096, 0}});
        sim::write_mbr(dos, 12288, {{0x82, 2048, 1024, 0}});
        sim::write_gpt(gpt, {
                                {"c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "11111111-2222-4333-8444-555555555555", 2048,
                                 4095, 4, u"EFI system"},
                                {"0fc63daf-8483-4772-8e79-3d69d8477de4", "66666666-7777-4888-9999-aaaaaaaaaaaa", 4096,
                                 8191, 0, u"root", 3},
                            });
        services.pvblock.dev[0] = &dos;
        services.pvblock.dev[1] = &gpt;
        services.pvblock.dev[2] = &blank;
        services.pvblock.count = 3;
    }
};

TEST(PartList, Dos) {
    PartRig rig;
    EXPECT_EQ(rig.session("part list pvblock 0\r"),
              "=> part list pvblock 0\r\n"
              "\r\nPartition Map for PVBLOCK device 0  --   Partition Type: DOS\r\n\r\n"
              "Part\tStart Sector\tNum Sectors\tUUID\t\tType\r\n"
              "  1\t2048      \t2048      \t0a0b0c0d-01\t0c Boot\r\n"
              "  2\t8192      \t8192      \t0a0b0c0d-02\t05 Extd\r\n"
              "  5\t10240     \t2048      \t0a0b0c0d-05\t83\r\n"
              "  6\t14336     \t1024      \t0a0b0c0d-06\t82\r\n"
              "=> ");
}

TEST(PartList, Efi) {
    PartRig rig;
    EXPECT_EQ(rig.session("part list pvblock 1\r"),
              "=> part list pvblock 1\r\n"
              "\r\nPartition Map for PVBLOCK device 1  --   Partition Type: EFI\r\n\r\n"
              "Part\tStart LBA\tEnd LBA\t\tName\r\n\tAttributes\r\n\tType GUID\r\n\tPartition GUID\r\n"
              "  1\t0x00000800\t0x00000fff\t\"EFI system\"\r\n"
              "\tattrs:\t0x0000000000000004\r\n"
              "\ttype:\tc12a7328-f81f-11d2-ba4b-00a0c93ec93b\r\n"
              "\t\t(system)\r\n"
              "\tguid:\t11111111-2222-4333-8444-555555555555\r\n"
              "  4\t0x00001000\t0x00001fff\t\"root\"\r\n"
              "\tattrs:\t0x0000000000000000\r\n"
              "\ttype:\t0fc63daf-8483-4772-8e79-3d69d8477de4\r\n"
              "\t\t(linux)\r\n"
              "\tguid:\t66666666-7777-4888-9999-aaaaaaaaaaaa\r\n"
              "=> ");
}

TEST(PartList, WarningsComeFirst) {
    PartRig rig;
    rig.gpt.block(1)[0] = 'X';
    const std::string out = rig.session("part list pvblock 1\r");
    EXPECT_NE(out.find("part list pvblock 1\r\n"
                       "part: pvblock 1: warning: using the backup GPT at block 16383: the primary is invalid (no GPT "
                       "signature)\r\n\r\nPartition Map for PVBLOCK device 1"),
              std::string::npos)
        << out;
}

TEST(PartList, Errors) {
    struct {
        const char* typed;
        const char* expect;
    } cases[] = {
        {"part list pvblock 2\r", "part: pvblock 2: no partition table (no 0x55aa signature in block 0)\r\n"},
        {"part list pvblock 3\r", "part: no pvblock device 3 (devices 0-2)\r\n"},
        {"part list pvblock x\r", "part: invalid device 'x' (hex expected)\r\n"},
        {"part list mmc 0\r", "part: unknown interface 'mmc' (xenboot has pvblock)\r\n"},
        {"part list pvblock\r",
         "part: list expects an interface and a device (usage: part list <interface> <dev> [-bootable] [varname] | "},
        {"part\r", "part: expects a subcommand (usage: part list <interface> <dev> [-bootable] [varname] | "},
        {"part frob pvblock 0:1\r", "part: unknown subcommand 'frob' (usage: part list "},
        {"part start pvblock 0 9\r", "part: pvblock 0 has no partition 9\r\n"},
        {"part number pvblock 1 home\r", "part: pvblock 1 has no partition named 'home'\r\n"},
        {"part uuid pvblock 2\r", "part: pvblock 2 has no partition table\r\n"},
        {"part start pvblock 2 1\r", "part: pvblock 2 has no partition table\r\n"},
        {"part uuid pvblock 0:1 a b\r", "part: uuid expects <interface> <dev>[:<part>] [varname] (usage: "},
    };
    for (const auto& c : cases) {
        PartRig rig;
        const std::string out = rig.session(c.typed);
        EXPECT_NE(out.find(c.expect), std::string::npos) << c.typed << " gave:\n" << out;
    }
    PartRig rig;
    rig.dos.fail_reads_of(0);
    EXPECT_NE(rig.session("part list pvblock 0\r")
                  .find("part: pvblock 0: reading MBR: pvblock 0: I/O error at block 0 (injected)\r\n"),
              std::string::npos);
}

// ------------------------------------------------- part uuid/type/start/...

// Each line's output (printed, or the variable it set).
TEST(PartInfo, AsUBootPrintsThem) {
    struct {
        const char* typed;
        const char* expect;
    } cases[] = {
        {"part uuid pvblock 0:1\r", "\r\n0a0b0c0d-01\r\n"},
        {"part uuid pvblock 0\r", "\r\n0a0b0c0d-01\r\n"},  // no :part: the bootable one
        {"part uuid pvblock 0:6\r", "\r\n0a0b0c0d-06\r\n"},
        {"part uuid pvblock 1:4\r", "\r\n66666666-7777-4888-9999-aaaaaaaaaaaa\r\n"},
        {"part type pvblock 0:5\r", "\r\n83\r\n"},
        {"part type pvblock 1:1\r", "\r\nc12a7328-f81f-11d2-ba4b-00a0c93ec93b\r\n"},
        {"part start pvblock 0 5\r", "\r\n2800\r\n"},  // hex blocks, as U-Boot's LBAF
        {"part size pvblock 0 6\r", "\r\n400\r\n"},
        {"part start pvblock 1 0x4\r", "\r\n1000\r\n"},
        {"part number pvblock 1 root\r", "\r\n0x4\r\n"},
        {"part start pvblock 1 root\r", "\r\n1000\r\n"},
        {"part name pvblock 1 1\r", "\r\nEFI system\r\n"},
    };
    for (const auto& c : cases) {
        PartRig rig;
        const std::string out = rig.session(c.typed);
        EXPECT_NE(out.find(std::string(c.typed, std::strlen(c.typed) - 1) + c.expect), std::string::npos)
            << c.typed << " gave:\n"
            << out;
    }
}

TEST(PartInfo, SetsVariables) {
    PartRig rig;
    rig.session(
        "part uuid pvblock 1:4 rootuuid\rpart size pvblock 1 root sz\rpart list pvblock 0 parts\r"
        "part list pvblock 0 -bootable boot\rpart type pvblock 0:1 t\r");
    EXPECT_EQ(rig.env.get("rootuuid").value_or(""), "66666666-7777-4888-9999-aaaaaaaaaaaa");
    EXPECT_EQ(rig.env.get("sz").value_or(""), "1000");
    EXPECT_EQ(rig.env.get("parts").value_or(""), "1 2 5 6");
    EXPECT_EQ(rig.env.get("boot").value_or(""), "1");
    EXPECT_EQ(rig.env.get("t").value_or(""), "0c");
    // The root=PARTUUID= idiom of U-Boot scripts.
    const std::string out = rig.session(
        "part uuid pvblock 1:4 uuid; setenv bootargs root=PARTUUID=${uuid} ro; "
        "printenv bootargs\r");
    EXPECT_NE(out.find("bootargs=root=PARTUUID=66666666-7777-4888-9999-aaaaaaaaaaaa ro\r\n"), std::string::npos) << out;
}

TEST(PartList, WithoutServices) {
    MemRig rig;
    rig.ctx.services = nullptr;
    EXPECT_NE(rig.session("part list pvblock 0\r").find("part: no pvblock devices\r\n"), std::string::npos);
}

}  // namespace

namespace {

// ------------------------------------------------- hash, sha256sum, crc32 -v

TEST(Hash, Sha256AndCrc32AsUBoot) {
    MemRig rig;
    std::memcpy(ram() + 0x3000, "abc", 3);
    const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const std::string range = hex(ram_base() + 0x3000) + " ... " + hex(ram_base() + 0x3002);
    EXPECT_NE(rig.session(expand("sha256sum {R+3000} 3\r")).find("sha256 for " + range + " ==> " + abc + "\r\n"),
              std::string::npos);
    EXPECT_NE(rig.session(expand("hash sha256 {R+3000} 3 dgst\r")).find("sha256 for " + range + " ==> " + abc),
              std::string::npos);
    EXPECT_EQ(rig.env.get("dgst").value_or(""), abc);
    rig.session(expand("hash crc32 {R+3000} 3 *{R+4000}\r"));
    EXPECT_EQ(std::memcmp(ram() + 0x4000, "\x35\x24\x41\xc2", 4), 0);  // crc32("abc") = 0x352441c2, big-endian
    rig.session(expand("sha256sum {R+3000} 3 *{R+5000}\r"));
    EXPECT_EQ(ram()[0x5000], 0xba);
    EXPECT_EQ(ram()[0x501f], 0xad);
}

TEST(Hash, VerifyForms) {
    MemRig rig;
    std::memcpy(ram() + 0x3000, "abc", 3);
    rig.session(expand("sha256sum {R+3000} 3 *{R+5000}\r"));
    const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    struct {
        std::string typed;
        bool good;
    } cases[] = {
        {"sha256sum -v {R+3000} 3 " + abc, true},
        {"sha256sum -v {R+3000} 3 *{R+5000}", true},
        {"setenv want " + abc + "; hash -v sha256 {R+3000} 3 want", true},
        {"crc32 -v {R+3000} 3 352441c2", true},
        {"hash -v crc32 {R+3000} 3 352441c2", true},
        {"crc32 -v {R+3000} 3 352441c3", false},
        {"sha256sum -v {R+3000} 2 " + abc, false},
    };
    for (const auto& c : cases) {
        const std::string out = rig.session(expand(c.typed + "; echo rc=$?\r"));
        EXPECT_NE(out.find(c.good ? "rc=0" : "rc=1"), std::string::npos) << c.typed << "\n" << out;
        EXPECT_EQ(out.find("** ERROR **") == std::string::npos, c.good) << out;
    }
    const std::string out = rig.session(expand("crc32 -v {R+3000} 3 352441c3\r"));
    EXPECT_NE(out.find("crc32 for " + hex(ram_base() + 0x3000) + " ... " + hex(ram_base() + 0x3002) +
                       " ==> 352441c2 != 352441c3 ** ERROR **\r\n"),
              std::string::npos)
        << out;
    EXPECT_NE(rig.session(expand("hash md5 {R+3000} 3\r"))
                  .find("hash: unknown algorithm 'md5' (xenboot has sha256, "
                        "crc32)"),
              std::string::npos);
    EXPECT_NE(rig.session(expand("sha256sum {R+ff000} 2000\r")).find("sha256sum: refusing hash read"),
              std::string::npos);
    EXPECT_NE(rig.session(expand("sha256sum {R+3000} 3 *{R+f0000}\r")).find("sha256sum: refusing hash store"),
              std::string::npos);
}

}  // namespace
