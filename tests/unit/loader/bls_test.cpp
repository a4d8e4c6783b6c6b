#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "loader/bls.h"

namespace {

using xb::Errc;
using xb::loader::bls_before;
using xb::loader::BlsEntry;
using xb::loader::parse_bls_entry;
using xb::loader::rpm_vercmp;

std::unique_ptr<BlsEntry> parse_ok(const std::string& text, const std::string& name) {
    auto e = std::make_unique<BlsEntry>();
    auto r = parse_bls_entry(text, name, *e);
    EXPECT_TRUE(r.ok()) << r.error().message() << "\n" << text;
    return e;
}

std::string parse_error(const std::string& text, const std::string& name = "e.conf", Errc code = Errc::bad_data) {
    auto e = std::make_unique<BlsEntry>();
    auto r = parse_bls_entry(text, name, *e);
    EXPECT_FALSE(r.ok()) << text;
    if (r.ok()) return "";
    EXPECT_EQ(r.error().code(), code) << r.error().message();
    return r.error().message();
}

// As kernel-install writes it on Fedora 40 (aarch64), with options inline.
const char kFedora[] =
    "title Fedora Linux (6.8.5-301.fc40.aarch64) 40 (Cloud Edition)\n"
    "version 6.8.5-301.fc40.aarch64\n"
    "linux /vmlinuz-6.8.5-301.fc40.aarch64\n"
    "initrd /initramfs-6.8.5-301.fc40.aarch64.img\n"
    "options root=UUID=6f0c1e4a-2b3c-4d5e-8f90-a1b2c3d4e5f6 ro rootflags=subvol=root no_timer_check "
    "console=tty1 console=ttyAMA0,115200n8\n"
    "grub_users $grub_users\n"
    "grub_arg --unrestricted\n"
    "grub_class fedora\n";

// The EL9 entry of the shared doc (§1, Rocky/Alma).
const char kEl9[] =
    "title Red Hat Enterprise Linux (5.14.0-362.el9.x86_64) 9.3\n"
    "version 5.14.0-362.el9.x86_64\n"
    "linux /vmlinuz-5.14.0-362.el9.x86_64\n"
    "initrd /initramfs-5.14.0-362.el9.x86_64.img\n"
    "options root=/dev/mapper/rhel-root ro crashkernel=256M\n"
    "grub_users $grub_users\n"
    "grub_arg --unrestricted\n"
    "grub_class rhel\n";

TEST(Bls, FedoraEntry) {
    auto e = parse_ok(kFedora, "4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c-6.8.5-301.fc40.aarch64.conf");
    EXPECT_STREQ(e->id, "4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c-6.8.5-301.fc40.aarch64");
    EXPECT_STREQ(e->title, "Fedora Linux (6.8.5-301.fc40.aarch64) 40 (Cloud Edition)");
    EXPECT_STREQ(e->version, "6.8.5-301.fc40.aarch64");
    EXPECT_STREQ(e->linux, "/vmlinuz-6.8.5-301.fc40.aarch64");
    ASSERT_EQ(e->initrd_count, 1u);
    EXPECT_STREQ(e->initrd[0], "/initramfs-6.8.5-301.fc40.aarch64.img");
    EXPECT_TRUE(e->has_options);
    EXPECT_STREQ(e->options,
                 "root=UUID=6f0c1e4a-2b3c-4d5e-8f90-a1b2c3d4e5f6 ro rootflags=subvol=root no_timer_check "
                 "console=tty1 console=ttyAMA0,115200n8");
    EXPECT_STREQ(e->grub_users, "$grub_users");
    EXPECT_STREQ(e->grub_arg, "--unrestricted");
    EXPECT_STREQ(e->grub_class, "fedora");
    EXPECT_STREQ(e->devicetree, "");
}

TEST(Bls, El8KerneloptsAndMissingOptions) {
    auto e = parse_ok(
        "title CentOS Linux (4.18.0-348.el8.aarch64) 8\nversion 4.18.0-348.el8.aarch64\n"
        "linux /vmlinuz-4.18.0-348.el8.aarch64\ninitrd /initramfs-4.18.0-348.el8.aarch64.img $tuned_initrd\n"
        "options $kernelopts $tuned_params\nid centos-20211110-4.18.0-348.el8.aarch64\n",
        "abc-4.18.0-348.el8.aarch64.conf");
    EXPECT_STREQ(e->options, "$kernelopts $tuned_params");
    ASSERT_EQ(e->initrd_count, 2u);
    EXPECT_STREQ(e->initrd[1], "$tuned_initrd");

    auto none = parse_ok("linux /vmlinuz\n", "x.conf");
    EXPECT_FALSE(none->has_options);
    EXPECT_STREQ(none->options, "");
    EXPECT_STREQ(none->title, "");  // the menu shows the linux path then
    EXPECT_STREQ(none->id, "x");
}

TEST(Bls, InitrdsAccumulateOverLinesAndWithinALine) {
    auto e = parse_ok("linux /vmlinuz\ninitrd /a.img\ninitrd   /b.img\t /c.img \ninitrd /d.img\n", "e.conf");
    ASSERT_EQ(e->initrd_count, 4u);
    EXPECT_STREQ(e->initrd[0], "/a.img");
    EXPECT_STREQ(e->initrd[1], "/b.img");
    EXPECT_STREQ(e->initrd[2], "/c.img");
    EXPECT_STREQ(e->initrd[3], "/d.img");
}

TEST(Bls, FirstSingleValuedLineWinsAsInBlscfg) {
    // bls_get_val returns the first match: a second `options` is not appended.
    auto e = parse_ok(
        "title one\ntitle two\nlinux /a\nlinux /b\noptions ro\noptions quiet\ndevicetree /x.dtb\ndevicetree /y.dtb\n"
        "grub_class a\ngrub_class b\ngrub_arg --unrestricted\ngrub_arg --id=x\n",
        "e.conf");
    EXPECT_STREQ(e->title, "one");
    EXPECT_STREQ(e->linux, "/a");
    EXPECT_STREQ(e->options, "ro");
    EXPECT_STREQ(e->devicetree, "/x.dtb");
    EXPECT_STREQ(e->grub_class, "a");
    EXPECT_STREQ(e->grub_arg, "--unrestricted --id=x");
}

TEST(Bls, WhitespaceCommentsAndCarriageReturns) {
    auto e = parse_ok(
        "# comment\n   # indented comment\n  title   spaced   title  \r\n\tlinux\t/vmlinuz\r\n"
        "options  a  b   \nsort-key fedora\nmachine-id 4a3b\narchitecture aa64\nunknown key value\n",
        "/loader/entries/dir-entry.conf");
    EXPECT_STREQ(e->id, "dir-entry");
    EXPECT_STREQ(e->title, "spaced   title");
    EXPECT_STREQ(e->linux, "/vmlinuz");
    EXPECT_STREQ(e->options, "a  b");
}

TEST(Bls, ALineWithoutAValueEndsTheEntryAsInGrub) {
    // read_entry stops at a line with no separator or nothing after it.
    auto e = parse_ok("linux /vmlinuz\noptions ro\n\noptions quiet\ninitrd /late.img\n", "e.conf");
    EXPECT_STREQ(e->options, "ro");
    EXPECT_EQ(e->initrd_count, 0u);
    auto f = parse_ok("linux /vmlinuz\ninitrd \ninitrd /late.img\n", "e.conf");
    EXPECT_EQ(f->initrd_count, 0u);
    EXPECT_EQ(parse_error("title t\n\nlinux /vmlinuz\n", "t.conf", Errc::not_found),
              "t.conf: no 'linux' line (GRUB skips such an entry)");
}

TEST(Bls, TabSeparatesOnlyWhenTheLineHasNoSpace) {
    // read_entry looks for a space first: "title\tA B" has key "title\tA".
    auto e = parse_ok("title\tA B\nlinux /v\n", "e.conf");
    EXPECT_STREQ(e->title, "");
}

TEST(Bls, Limits) {
    EXPECT_EQ(parse_error("linux /" + std::string(511, 'k') + "\n", "long.conf"),
              "long.conf line 1: linux path longer than 511 bytes");
    parse_ok("linux /" + std::string(510, 'k') + "\n", "fits.conf");
    EXPECT_EQ(parse_error("linux /v\noptions " + std::string(2048, 'o') + "\n"),
              "e.conf line 2: options longer than 2047 bytes");
    EXPECT_EQ(parse_error("linux /v\ninitrd /1 /2 /3 /4\ninitrd /5 /6 /7 /8\ninitrd /9\n"),
              "e.conf line 4: more than 8 initrds");
    EXPECT_EQ(parse_error("linux /v\ngrub_arg " + std::string(100, 'a') + "\ngrub_arg " + std::string(27, 'b') + "\n"),
              "e.conf line 3: grub_arg longer than 127 bytes in all");
    EXPECT_EQ(parse_error(std::string("linux /v\ntitle a\0b\n", 19)), "e.conf line 2: NUL byte (not a text file)");
    EXPECT_EQ(parse_error("linux /v\r/w\n"), "e.conf line 1: carriage return inside the line");
    EXPECT_EQ(
        parse_error("linux /v\n", std::string(128, 'n') + ".conf"),
        "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn line 0: file name longer than 127 bytes");
    EXPECT_EQ(parse_error("linux /v\n", ".conf"), "BLS entry without a file name");
    EXPECT_EQ(parse_error("linux /v\n", std::string("\0a.conf", 7)), "BLS entry file name with a NUL byte");
}

TEST(Bls, OverwritesEverything) {
    auto e = std::make_unique<BlsEntry>();
    std::memset(e.get(), 'x', sizeof *e);
    ASSERT_TRUE(parse_bls_entry("linux /v\n", "a", *e).ok());
    EXPECT_STREQ(e->id, "a");
    EXPECT_STREQ(e->title, "");
    EXPECT_STREQ(e->grub_arg, "");
    EXPECT_EQ(e->initrd_count, 0u);
}

// rpm's rpmvercmp cases (rpm tests/rpmvercmp.at) as blscfg's vercmp answers them.
TEST(RpmVercmp, Table) {
    struct Case {
        const char* a;
        const char* b;
        int want;
    } cases[] = {
        {"1.0", "1.0", 0},
        {"1.0", "2.0", -1},
        {"1.0", "1.0.1", -1},
        {"1.0.1", "1.0", 1},
        {"5.14.0-362.el9", "5.14.0-70.el9", 1},
        {"5.14.0-70.el9", "5.14.0-362.el9", -1},
        {"6.10.3", "6.8.5", 1},
        {"2.0.1", "2.0.1a", -1},
        {"2.0.1a", "2.0.1", 1},
        {"1.0a", "1.0.1", -1},  // letters are older than digits
        {"5.5p1", "5.5p2", -1},
        {"5.5p10", "5.5p1", 1},
        {"10xyz", "10.1xyz", -1},
        {"xyz10", "xyz10.1", -1},
        {"xyz.4", "8", -1},
        {"8", "xyz.4", 1},
        {"1.01", "1.1", 0},  // leading zeros
        {"1.001", "1.0001", 0},
        {"20101121", "20101122", -1},
        {"a", "b", -1},
        {"fc40", "fc39", 1},
        {"1.0_1", "1.0.1", 0},  // separators are all alike
        {"abc", "abd", -1},
        {"ab", "abc", -1},
        {"18446744073709551616", "18446744073709551615", 1},  // no overflow
        // '~' sorts before everything, even the end
        {"1.0~rc1", "1.0", -1},
        {"1.0", "1.0~rc1", 1},
        {"1.0~rc1", "1.0~rc2", -1},
        {"1.0~rc1~git123", "1.0~rc1", -1},
        {"1.0~~", "1.0~", -1},
        {"1.0~rc1", "1.0~rc1", 0},
        // rhboot's '+': after the end, before anything else
        {"1.0+", "1.0", 1},
        {"1.0", "1.0+", -1},
        {"6.8.0+", "6.8.0", 1},
        {"1.0+git1", "1.0.1", -1},
        {"1.0+git1", "1.0+git2", -1},
        {"1.0+git1", "1.0~rc1", 1},
        // '^' is a plain separator in blscfg (rpm >= 4.15 sorts 1.0^ after 1.0)
        {"1.0^", "1.0", 0},
        {"1.0^git1", "1.0.1", -1},
        {"1.0^git1", "1.0", 1},
        {"", "", 0},
        {"", "1", -1},
        {"1", "", 1},
        {"...", "", 0},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(rpm_vercmp(c.a, c.b), c.want) << c.a << " vs " << c.b;
        EXPECT_EQ(rpm_vercmp(c.b, c.a), -c.want) << c.b << " vs " << c.a;
    }
}

std::unique_ptr<BlsEntry> entry(const std::string& id, const std::string& version = "") {
    std::string text = "linux /vmlinuz\n";
    if (!version.empty()) text = "version " + version + "\n" + text;
    return parse_ok(text, id + ".conf");
}

std::vector<std::string> sorted_ids(const std::vector<std::string>& ids) {
    std::vector<std::unique_ptr<BlsEntry>> entries;
    for (const auto& id : ids) entries.push_back(entry(id));
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return bls_before(*a, *b); });
    std::vector<std::string> out;
    for (const auto& e : entries) out.emplace_back(e->id);
    return out;
}

TEST(BlsOrder, NewestKernelFirstRescueLast) {
    const std::string m = "4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c";
    EXPECT_EQ(sorted_ids({m + "-0-rescue", m + "-6.8.5-301.fc40.aarch64", m + "-6.10.3-200.fc40.aarch64",
                          m + "-6.8.11-300.fc40.aarch64"}),
              (std::vector<std::string>{m + "-6.10.3-200.fc40.aarch64", m + "-6.8.11-300.fc40.aarch64",
                                        m + "-6.8.5-301.fc40.aarch64", m + "-0-rescue"}));
    // EL9: the release decides when the versions are equal.
    EXPECT_EQ(sorted_ids({m + "-5.14.0-70.el9.aarch64", m + "-5.14.0-362.el9.aarch64"}),
              (std::vector<std::string>{m + "-5.14.0-362.el9.aarch64", m + "-5.14.0-70.el9.aarch64"}));
}

TEST(BlsOrder, IdsAreSplitAsNameVersionRelease) {
    // The name is compared first ("b" > "a"), then version, then release.
    EXPECT_TRUE(bls_before(*entry("b-1-1"), *entry("a-9-9")));
    EXPECT_TRUE(bls_before(*entry("a-2-1"), *entry("a-1-9")));
    EXPECT_TRUE(bls_before(*entry("a-1-10"), *entry("a-1-9")));
    // One '-': the part after it is the version; none: all of it is the name.
    EXPECT_TRUE(bls_before(*entry("a-10"), *entry("a-9")));
    EXPECT_TRUE(bls_before(*entry("zz"), *entry("za")));
    // Equal both ways: duplicates (blscfg keeps only the first read).
    EXPECT_FALSE(bls_before(*entry("a-01-1"), *entry("a-1-1")));
    EXPECT_FALSE(bls_before(*entry("a-1-1"), *entry("a-01-1")));
}

TEST(BlsOrder, VersionKeyPlaysNoPart) {
    // rhboot's bls_cmp compares the ids only.
    EXPECT_TRUE(bls_before(*entry("m-6.9.0-1", "1.0"), *entry("m-6.8.0-1", "9.0")));
}

}  // namespace
