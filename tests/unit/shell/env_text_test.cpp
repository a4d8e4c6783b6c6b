// U-Boot's environment formats (shell/env_text.h): the import parser's rules,
// the export writer, and checksum-protected blocks made by the real mkenvimage.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "shell/env_text.h"
#include "shell/environment.h"
#include "tests/sim/host_tools.h"

namespace xb::cmd {
namespace {

// Records each entry as "line:name=value" ("line:name" for a deletion).
struct Record : EnvImportSink {
    std::vector<std::string> got;
    Status entry(std::string_view name, std::string_view value, unsigned line) override {
        std::string e = std::to_string(line) + ":" + std::string(name);
        if (!value.empty()) e += "=" + std::string(value);
        got.push_back(e);
        return ok();
    }
};

std::vector<std::string> parse(std::string_view text, char sep = '\n', bool crlf = false, Status* status = nullptr) {
    Record r;
    EnvImportOptions opt;
    opt.sep = sep;
    opt.crlf_is_lf = crlf;
    Status s = parse_env_import(std::span<const char>(text.data(), text.size()), opt, r);
    if (status != nullptr) *status = s;
    else EXPECT_TRUE(s.ok()) << s.error().message();
    return r.got;
}

using V = std::vector<std::string>;

TEST(EnvImport, UEnvTextRules) {
    const std::string text =
        "# a uEnv.txt\n"
        "bootdelay=3\n"
        "  \tdom0_addr=0x48000000\n"
        "\n"
        "   # an indented comment\n"
        "long=first \\\n"
        "second\n"
        "esc=a\\\\b\\c\n"
        "empty=\n"
        "gone\n"
        "spaces=  kept  \n"
        "last=no newline";
    EXPECT_EQ(parse(text), (V{"2:bootdelay=3", "3:dom0_addr=0x48000000", "6:long=first \nsecond", "8:esc=a\\bc",
                              "9:empty", "10:gone", "11:spaces=  kept  ", "12:last=no newline"}));
}

TEST(EnvImport, NulEndsTheData) {
    const std::string text("a=1\nb=2\n\0c=3\n", 13);
    EXPECT_EQ(parse(text), (V{"1:a=1", "2:b=2"}));
}

TEST(EnvImport, CrlfOnlyWithR) {
    EXPECT_EQ(parse("a=1\r\nb=x\\\r\ny\r\n", '\n', true), (V{"1:a=1", "2:b=x\ny"}));
    // Without -r the CR stays in the value, as in U-Boot.
    EXPECT_EQ(parse("a=1\r\n"), (V{"1:a=1\r"}));
}

TEST(EnvImport, BinaryForm) {
    const std::string data("a=1\0b=two words\0\0c=never\0", 25);
    EXPECT_EQ(parse(data, '\0'), (V{"1:a=1", "2:b=two words"}));
}

TEST(EnvImport, BadEntriesNameTheLine) {
    Status s = ok();
    parse("a=1\nfoo bar=2\n", '\n', false, &s);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "line 2: invalid variable name 'foo bar'");
    parse("a=1\n\n=x\n", '\n', false, &s);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "line 3: an entry without a name");
    const std::string huge = "big=" + std::string(Environment::kMaxValue + 1, 'x') + "\n";
    parse(huge, '\n', false, &s);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "line 1: value of 'big' too long (at most 4096 bytes)");
}

TEST(EnvExport, EscapesAndImportsBack) {
    Environment env;
    ASSERT_TRUE(env.set("b", "two\nlines").ok());
    ASSERT_TRUE(env.set("a", "back\\slash").ok());
    ASSERT_TRUE(env.set("c", "plain").ok());
    Result<std::size_t> need = export_env(env, {}, '\n', {});
    ASSERT_TRUE(need.ok());
    std::string out(need.value(), '?');
    ASSERT_TRUE(export_env(env, {}, '\n', std::span<char>(out.data(), out.size())).ok());
    EXPECT_EQ(out, std::string("a=back\\\\slash\nb=two\\\nlines\nc=plain\n\0", 36));
    EXPECT_EQ(parse(out), (V{"1:a=back\\slash", "2:b=two\nlines", "4:c=plain"}));
    // Only the named ones; a name that is not set is skipped.
    const char* names[] = {"c", "nope"};
    std::string some(11, '?');
    Result<std::size_t> n = export_env(env, names, '\0', std::span<char>(some.data(), some.size()));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(some.substr(0, n.value()), std::string("c=plain\0\0", 9));
    // A buffer too small is refused.
    std::string small(4, '?');
    EXPECT_FALSE(export_env(env, {}, '\n', std::span<char>(small.data(), small.size())).ok());
}

TEST(EnvImport, MkenvimageChecksumBlock) {
    if (!sim::have_tool("mkenvimage")) GTEST_SKIP() << "mkenvimage (u-boot-tools) not installed";
    sim::TempDir dir("envimage");
    FILE* f = std::fopen((dir / "env.txt").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("bootdelay=3\nbootcmd=run mine; bootflow scan\n", f);
    std::fclose(f);
    ASSERT_TRUE(sim::run_tool("mkenvimage -s 0x100 -o " + (dir / "env.bin") + " " + (dir / "env.txt")).ok);
    std::vector<std::uint8_t> block = sim::read_file(dir / "env.bin");
    ASSERT_EQ(block.size(), 0x100u);
    std::span<const char> bytes(reinterpret_cast<const char*>(block.data()), block.size());
    Result<std::span<const char>> payload = env_checksum_payload(bytes);
    ASSERT_TRUE(payload.ok()) << payload.error().message();
    EXPECT_EQ(parse(std::string_view(payload.value().data(), payload.value().size()), '\0'),
              (V{"1:bootdelay=3", "2:bootcmd=run mine; bootflow scan"}));
    block[10] ^= 1;
    Result<std::span<const char>> broken = env_checksum_payload(bytes);
    ASSERT_FALSE(broken.ok());
    EXPECT_NE(std::string(broken.error().message()).find("bad CRC"), std::string::npos);
}

}  // namespace
}  // namespace xb::cmd
