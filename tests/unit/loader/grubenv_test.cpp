#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "loader/grubenv.h"
#include "tests/sim/host_tools.h"

namespace {

using xb::Errc;
using xb::loader::parse_grubenv;
using Pairs = std::vector<std::pair<std::string, std::string>>;

bool collect(void* ctx, std::string_view key, std::string_view value) {
    static_cast<Pairs*>(ctx)->emplace_back(std::string(key), std::string(value));
    return true;
}

xb::Status parse(const std::vector<std::uint8_t>& block, Pairs& out) {
    return parse_grubenv(std::span<const std::uint8_t>(block.data(), block.size()), collect, &out);
}

std::vector<std::uint8_t> bytes(const std::string& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }

// A block as grub-editenv writes it: signature, pairs, '#' up to `size` bytes.
std::vector<std::uint8_t> block_of(const std::string& body, std::size_t size = 1024) {
    std::string s = "# GRUB Environment Block\n" + body;
    if (s.size() < size) s.append(size - s.size(), '#');
    return bytes(s);
}

// Blocks made by the real grub-editenv (Debian's grub-common).
class GrubEditenv : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!xb::sim::have_tool("grub-editenv")) GTEST_SKIP() << "grub-editenv is not installed";
        file_ = dir_ / "grubenv";
        xb::sim::run_tool("grub-editenv " + file_ + " create");
    }
    void set(const std::string& assignment) {
        xb::sim::run_tool("grub-editenv " + file_ + " set " + xb::sim::shell_quote(assignment));
    }
    std::vector<std::uint8_t> block() const { return xb::sim::read_file(file_); }

    xb::sim::TempDir dir_{"grubenv"};
    std::string file_;
};

TEST_F(GrubEditenv, EmptyBlockHasNoPairs) {
    const auto b = block();
    ASSERT_EQ(b.size(), 1024u);
    Pairs got;
    ASSERT_TRUE(parse(b, got).ok());
    EXPECT_TRUE(got.empty());
}

TEST_F(GrubEditenv, FedoraVariablesInOrder) {
    set("saved_entry=4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c-6.8.5-301.fc40.aarch64");
    set("kernelopts=root=UUID=6f0c1e4a-2b3c-4d5e-8f90-a1b2c3d4e5f6 ro rootflags=subvol=root console=ttyS0");
    set("boot_success=0");
    set("blsdir=/root/boot/loader/entries");
    set("saved_entry=other");  // replaced in place, keeps its position
    Pairs got;
    ASSERT_TRUE(parse(block(), got).ok());
    const Pairs want = {
        {"saved_entry", "other"},
        {"kernelopts", "root=UUID=6f0c1e4a-2b3c-4d5e-8f90-a1b2c3d4e5f6 ro rootflags=subvol=root console=ttyS0"},
        {"boot_success", "0"},
        {"blsdir", "/root/boot/loader/entries"},
    };
    EXPECT_EQ(got, want);
}

TEST_F(GrubEditenv, EscapedBackslashAndNewlineAreUnescaped) {
    set("path=C:\\dir\\\\x");
    set("two=line one\nline two");
    set("empty=");
    set("eq=a=b");
    Pairs got;
    ASSERT_TRUE(parse(block(), got).ok());
    const Pairs want = {{"path", "C:\\dir\\\\x"}, {"two", "line one\nline two"}, {"empty", ""}, {"eq", "a=b"}};
    EXPECT_EQ(got, want);
}

TEST_F(GrubEditenv, UnsetRemovesThePair) {
    set("a=1");
    set("b=2");
    xb::sim::run_tool("grub-editenv " + file_ + " unset a");
    Pairs got;
    ASSERT_TRUE(parse(block(), got).ok());
    EXPECT_EQ(got, (Pairs{{"b", "2"}}));
}

TEST_F(GrubEditenv, StopsWhenVisitSaysSo) {
    set("a=1");
    set("b=2");
    int calls = 0;
    const auto b = block();
    auto r = parse_grubenv(
        std::span<const std::uint8_t>(b.data(), b.size()),
        [](void* ctx, std::string_view, std::string_view) {
            ++*static_cast<int*>(ctx);
            return false;
        },
        &calls);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(calls, 1);
}

TEST(Grubenv, WithoutSignatureIsRefused) {
    Pairs got;
    auto r = parse(bytes("saved_entry=0\n"), got);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::bad_data);
    EXPECT_STREQ(r.error().message(), "not a GRUB environment block (no '# GRUB Environment Block' line)");
    EXPECT_FALSE(parse(bytes("# GRUB Environment Block"), got).ok());  // no newline after it
    EXPECT_FALSE(parse({}, got).ok());
}

TEST(Grubenv, OtherSizesAreReadUpToTheLimit) {
    Pairs got;
    ASSERT_TRUE(parse(block_of("a=1\n", 512), got).ok());
    ASSERT_TRUE(parse(block_of("b=2\n", 4096), got).ok());
    EXPECT_EQ(got, (Pairs{{"a", "1"}, {"b", "2"}}));
    auto r = parse(block_of("a=1\n", xb::loader::kMaxGrubenvSize + 1), got);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "grubenv of 65537 bytes: larger than 65536");
    // Only the signature: a valid, empty environment.
    EXPECT_TRUE(parse(bytes("# GRUB Environment Block\n"), got).ok());
}

TEST(Grubenv, BrokenLinesNameTheLineAfterVisitingEarlierPairs) {
    struct Case {
        std::string body;
        const char* message;
    } cases[] = {
        {"a=1\nnoequals\n", "grubenv line 3: no '=' in the line"},
        {"a=1\n\nb=2\n", "grubenv line 3: empty line"},
        {"a=1\n=2\n", "grubenv line 3: empty name"},
        {"a=1\nb=2", "grubenv line 3: value without an ending newline"},
        {"a=1\nb=2\\", "grubenv line 3: '\\' at the end of the block"},
    };
    for (const Case& c : cases) {
        Pairs got;
        auto r = parse(bytes("# GRUB Environment Block\n" + c.body), got);
        ASSERT_FALSE(r.ok()) << c.body;
        EXPECT_EQ(r.error().code(), Errc::bad_data);
        EXPECT_STREQ(r.error().message(), c.message);
        EXPECT_EQ(got, (Pairs{{"a", "1"}})) << c.body;
    }
    Pairs got;
    auto r = parse(block_of(std::string("a=1\0", 4)), got);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "grubenv: NUL byte at offset 28");
}

TEST(Grubenv, CommentLinesBetweenPairsAreSkipped) {
    Pairs got;
    ASSERT_TRUE(parse(block_of("# WARNING: Do not edit\na=1\n#x=\\\ny\nb=2\n"), got).ok());
    EXPECT_EQ(got, (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST(Grubenv, LongEscapedValueInABigBlock) {
    std::string value(3000, 'v');
    value[1500] = '\n';
    std::string escaped = value;
    escaped.replace(1500, 1, "\\\n");
    Pairs got;
    ASSERT_TRUE(parse(block_of("big=" + escaped + "\n", 8192), got).ok());
    EXPECT_EQ(got, (Pairs{{"big", value}}));
}

}  // namespace
