#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "loader/extlinux.h"

namespace {

using xb::Errc;
using xb::loader::ExtlinuxConfig;
using xb::loader::ExtlinuxLabel;
using xb::loader::parse_extlinux;
using xb::loader::resolve_extlinux_path;

std::unique_ptr<ExtlinuxConfig> parse_ok(const std::string& text) {
    auto c = std::make_unique<ExtlinuxConfig>();
    auto r = parse_extlinux(text, *c);
    EXPECT_TRUE(r.ok()) << r.error().message() << "\n" << text;
    return c;
}

// What Debian's u-boot-update writes.
const char kDebian[] =
    "## /boot/extlinux/extlinux.conf\n"
    "##\n"
    "## IMPORTANT WARNING\n"
    "default l0\n"
    "menu title U-Boot menu\n"
    "prompt 0\n"
    "timeout 50\n"
    "\n"
    "\n"
    "label l0\n"
    "\tmenu label Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64\n"
    "\tlinux /boot/vmlinuz-6.1.0-18-arm64\n"
    "\tinitrd /boot/initrd.img-6.1.0-18-arm64\n"
    "\tfdtdir /usr/lib/linux-image-6.1.0-18-arm64/\n"
    "\t\n"
    "\tappend root=UUID=7a3fee0f-6d0c-40f7-9310-2194006e3473 ro quiet\n"
    "\n"
    "label l0r\n"
    "\tmenu label Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64 (rescue target)\n"
    "\tlinux /boot/vmlinuz-6.1.0-18-arm64\n"
    "\tinitrd /boot/initrd.img-6.1.0-18-arm64\n"
    "\tfdtdir /usr/lib/linux-image-6.1.0-18-arm64/\n"
    "\tappend root=UUID=7a3fee0f-6d0c-40f7-9310-2194006e3473 ro single\n";

TEST(Extlinux, ParsesWhatDebianWrites) {
    auto c = parse_ok(kDebian);
    ASSERT_EQ(c->label_count, 2u);
    EXPECT_STREQ(c->title, "U-Boot menu");
    EXPECT_FALSE(c->prompt);
    EXPECT_TRUE(c->has_timeout);
    EXPECT_EQ(c->timeout_ds, 50u);
    EXPECT_TRUE(c->default_found);
    EXPECT_EQ(c->default_index, 0u);
    EXPECT_STREQ(c->default_name, "l0");
    EXPECT_EQ(c->include_line, 0u);
    const ExtlinuxLabel& l = c->labels[0];
    EXPECT_STREQ(l.name, "l0");
    EXPECT_EQ(l.line, 10u);
    EXPECT_STREQ(l.menu_label, "Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64");
    EXPECT_STREQ(l.kernel, "/boot/vmlinuz-6.1.0-18-arm64");
    EXPECT_STREQ(l.initrd, "/boot/initrd.img-6.1.0-18-arm64");
    EXPECT_STREQ(l.fdt, "");
    EXPECT_STREQ(l.fdtdir, "/usr/lib/linux-image-6.1.0-18-arm64/");
    EXPECT_STREQ(l.append, "root=UUID=7a3fee0f-6d0c-40f7-9310-2194006e3473 ro quiet");
    EXPECT_FALSE(l.localboot);
    EXPECT_STREQ(c->labels[1].name, "l0r");
    EXPECT_EQ(c->labels[1].line, 18u);
    EXPECT_STREQ(c->labels[1].append, "root=UUID=7a3fee0f-6d0c-40f7-9310-2194006e3473 ro single");
}

// One field of one label, for the table below.
struct Case {
    const char* what;
    const char* text;
    const char* kernel;
    const char* initrd;
    const char* fdt;
    const char* append;
    const char* name;
};

TEST(Extlinux, StatementForms) {
    const Case cases[] = {
        {"keywords any case", "LABEL a\nKERNEL /k\nInitRD /i\nFDT /f\nAPPEND x=1", "/k", "/i", "/f", "x=1", "a"},
        {"linux and devicetree aliases", "label a\nlinux /k\ndevicetree /f", "/k", "", "/f", "", "a"},
        {"CRLF, tabs and blanks trimmed", "label a \r\n\t kernel \t/k\t\r\n  append  a  b  \r\n", "/k", "", "", "a  b",
         "a"},
        {"label names keep spaces", "label Fedora (6.8) 40\nkernel /k", "/k", "", "", "", "Fedora (6.8) 40"},
        {"comments and blank lines", "# c\n  # indented\n\nlabel a\n#kernel /no\nkernel /k", "/k", "", "", "", "a"},
        {"# inside append is kept", "label a\nkernel /k\nappend a # b", "/k", "", "", "a # b", "a"},
        {"later statement wins", "label a\nkernel /1\nkernel /2", "/2", "", "", "", "a"},
        {"empty append", "label a\nkernel /k\nappend", "/k", "", "", "", "a"},
        {"no final newline", "label a\nkernel /k", "/k", "", "", "", "a"},
        {"label statements before any label are ignored", "kernel /x\nappend y\nlabel a\nkernel /k", "/k", "", "", "",
         "a"},
        {"unknown keywords ignored inside a label",
         "label a\nkernel /k\nfdtoverlays /o.dtbo\nkaslrseed\nipappend 2\nmenu hidden\ninitrd /i", "/k", "/i", "", "",
         "a"},
        {"a global keyword ends the label", "label a\nkernel /k\ntimeout 3\nappend lost", "/k", "", "", "", "a"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        auto cfg = parse_ok(c.text);
        ASSERT_EQ(cfg->label_count, 1u);
        const ExtlinuxLabel& l = cfg->labels[0];
        EXPECT_STREQ(l.kernel, c.kernel);
        EXPECT_STREQ(l.initrd, c.initrd);
        EXPECT_STREQ(l.fdt, c.fdt);
        EXPECT_STREQ(l.append, c.append);
        EXPECT_STREQ(l.name, c.name);
    }
}

TEST(Extlinux, NulEndsTheText) {
    const char raw[] = "label a\nkernel /k\n\0kernel /x\nlabel b\n";
    const std::string text(raw, sizeof raw - 1);
    auto c = parse_ok(text);
    ASSERT_EQ(c->label_count, 1u);
    EXPECT_STREQ(c->labels[0].kernel, "/k");
}

struct DefaultCase {
    const char* what;
    const char* text;
    unsigned index;
    bool found;
};

TEST(Extlinux, WhichLabelIsTheDefault) {
    const DefaultCase cases[] = {
        {"none named: the first", "label a\nkernel /a\nlabel b\nkernel /b", 0, false},
        {"default", "default b\nlabel a\nkernel /a\nlabel b\nkernel /b", 1, true},
        {"default after the labels", "label a\nkernel /a\nlabel b\nkernel /b\ndefault b", 1, true},
        {"ontimeout as default", "ontimeout b\nlabel a\nlabel b", 1, true},
        {"menu default", "label a\nlabel b\nmenu default\nlabel c", 1, true},
        {"MENU DEFAULT any case", "label a\nlabel b\n  MENU   DEFAULT  \nlabel c", 1, true},
        {"menu default after default wins", "default c\nlabel a\nlabel b\nmenu default\nlabel c", 1, true},
        {"default after menu default wins", "label a\nlabel b\nmenu default\nlabel c\ndefault c", 2, true},
        {"names are case-sensitive", "default A\nlabel a\nlabel b", 0, false},
        {"missing default: the first", "default nope\nlabel a\nlabel b", 0, false},
        {"duplicate names: the first", "default b\nlabel a\nlabel b\nlabel b", 1, true},
    };
    for (const DefaultCase& c : cases) {
        SCOPED_TRACE(c.what);
        auto cfg = parse_ok(c.text);
        EXPECT_EQ(cfg->default_index, c.index);
        EXPECT_EQ(cfg->default_found, c.found);
    }
    auto missing = parse_ok("default nope\nlabel a");
    EXPECT_STREQ(missing->default_name, "nope");
}

TEST(Extlinux, GlobalSettings) {
    auto c = parse_ok(
        "Menu Title  My  menu \nPROMPT 1\nTIMEOUT 0\ninclude other.conf\nmenu include x\nlabel a\nlocalboot 1");
    EXPECT_STREQ(c->title, "My  menu");
    EXPECT_TRUE(c->prompt);
    EXPECT_TRUE(c->has_timeout);
    EXPECT_EQ(c->timeout_ds, 0u);
    EXPECT_EQ(c->include_line, 4u);
    EXPECT_TRUE(c->labels[0].localboot);
    EXPECT_STREQ(c->labels[0].kernel, "");  // accepted; the boot flow reports it
    auto d = parse_ok("label a");
    EXPECT_FALSE(d->has_timeout);
    EXPECT_FALSE(d->prompt);
    EXPECT_EQ(parse_ok("timeout 4294967295\nlabel a")->timeout_ds, 4294967295u);
}

TEST(Extlinux, FieldsUpToTheirLimit) {
    std::string append(ExtlinuxLabel::kAppendSize - 1, 'a');
    std::string path = "/" + std::string(ExtlinuxLabel::kPathSize - 2, 'p');
    auto c = parse_ok("label a\nappend " + append + "\nkernel " + path);
    EXPECT_EQ(std::string(c->labels[0].append), append);
    EXPECT_EQ(std::string(c->labels[0].kernel), path);

    std::string many;
    for (unsigned i = 0; i < ExtlinuxConfig::kMaxLabels; ++i) many += "label l" + std::to_string(i) + "\nkernel /k\n";
    auto m = parse_ok(many + "default l31\n");
    EXPECT_EQ(m->label_count, ExtlinuxConfig::kMaxLabels);
    EXPECT_EQ(m->default_index, 31u);
}

struct ErrorCase {
    const char* what;
    std::string text;
    Errc code;
    const char* message;
};

TEST(Extlinux, ErrorsNameTheLine) {
    std::string many;
    for (unsigned i = 0; i <= ExtlinuxConfig::kMaxLabels; ++i) many += "label l" + std::to_string(i) + "\n";
    const ErrorCase cases[] = {
        {"append too long", "label a\n\nappend " + std::string(ExtlinuxLabel::kAppendSize, 'a'), Errc::bad_data,
         "extlinux.conf line 3: append longer than 2047 bytes"},
        {"path too long", "label a\nkernel /" + std::string(ExtlinuxLabel::kPathSize, 'k'), Errc::bad_data,
         "extlinux.conf line 2: kernel longer than 255 bytes"},
        {"name too long", "label " + std::string(ExtlinuxLabel::kNameSize, 'n'), Errc::bad_data,
         "extlinux.conf line 1: label name longer than 127 bytes"},
        {"title too long", "menu title " + std::string(ExtlinuxConfig::kTitleSize, 't') + "\nlabel a", Errc::bad_data,
         "extlinux.conf line 1: menu title longer than 127 bytes"},
        {"too many labels", many, Errc::bad_data, "extlinux.conf line 33: more than 32 labels"},
        {"label without a name", "label a\nlabel \t", Errc::bad_data, "extlinux.conf line 2: label without a name"},
        {"kernel without a path", "label a\n kernel  ", Errc::bad_data, "extlinux.conf line 2: kernel without a path"},
        {"initrd without a path", "label a\ninitrd", Errc::bad_data, "extlinux.conf line 2: initrd without a path"},
        {"timeout not a number", "timeout 5s\nlabel a", Errc::bad_data,
         "extlinux.conf line 1: timeout '5s' is not a decimal number below 2^32"},
        {"timeout overflow", "timeout 4294967296\nlabel a", Errc::bad_data,
         "extlinux.conf line 1: timeout '4294967296' is not a decimal number below 2^32"},
        {"timeout negative", "label a\ntimeout -1", Errc::bad_data,
         "extlinux.conf line 2: timeout '-1' is not a decimal number below 2^32"},
        {"prompt without value", "prompt\nlabel a", Errc::bad_data, "extlinux.conf line 1: prompt without a value"},
        {"no label", "default a\ntimeout 1\n", Errc::not_found, "extlinux.conf: no label"},
        {"empty file", "", Errc::not_found, "extlinux.conf: no label"},
    };
    for (const ErrorCase& c : cases) {
        SCOPED_TRACE(c.what);
        auto cfg = std::make_unique<ExtlinuxConfig>();
        auto r = parse_extlinux(c.text, *cfg);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), c.code);
        EXPECT_STREQ(r.error().message(), c.message);
    }
}

struct PathCase {
    const char* conf;
    const char* path;
    const char* leaf;
    const char* want;
};

TEST(Extlinux, ResolvesPathsLikeSysboot) {
    const PathCase cases[] = {
        {"/boot/extlinux/extlinux.conf", "/boot/Image", "", "/boot/Image"},
        {"/boot/extlinux/extlinux.conf", "/Image", "", "/Image"},
        {"/boot/extlinux/extlinux.conf", "Image", "", "/boot/extlinux/Image"},
        {"/boot/extlinux/extlinux.conf", "../Image", "", "/boot/Image"},
        {"/boot/extlinux/extlinux.conf", "../../../../Image", "", "/Image"},
        {"/boot/extlinux/extlinux.conf", "./a//b/./c/", "", "/boot/extlinux/a/b/c"},
        {"/boot/extlinux/extlinux.conf", "/a/b/../../..", "", "/"},
        {"/extlinux/extlinux.conf", "../vmlinuz", "", "/vmlinuz"},
        {"extlinux/extlinux.conf", "Image", "", "/extlinux/Image"},
        {"extlinux.conf", "Image", "", "/Image"},
        {"", "Image", "", "/Image"},
        {"/boot/extlinux/extlinux.conf", "/usr/lib/linux-image-6.1.0-18-arm64/", "rockchip/rk3399-rock-pi-4b.dtb",
         "/usr/lib/linux-image-6.1.0-18-arm64/rockchip/rk3399-rock-pi-4b.dtb"},
        {"/boot/extlinux/extlinux.conf", "dtbs", "virt.dtb", "/boot/extlinux/dtbs/virt.dtb"},
        {"/boot/extlinux/extlinux.conf", "/", "", "/"},
    };
    for (const PathCase& c : cases) {
        SCOPED_TRACE(std::string(c.conf) + " + " + c.path + " + " + c.leaf);
        char out[256];
        auto r = resolve_extlinux_path(c.conf, c.path, c.leaf, out);
        ASSERT_TRUE(r.ok()) << r.error().message();
        EXPECT_STREQ(out, c.want);
    }
}

TEST(Extlinux, PathErrors) {
    char out[16];
    auto empty = resolve_extlinux_path("/boot/extlinux/extlinux.conf", "", "", out);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code(), Errc::invalid_argument);

    char exact[12];  // "/boot/Image" + NUL
    ASSERT_TRUE(resolve_extlinux_path("/boot/extlinux/extlinux.conf", "../Image", "", exact).ok());
    EXPECT_STREQ(exact, "/boot/Image");
    char small[11];
    auto r = resolve_extlinux_path("/boot/extlinux/extlinux.conf", "../Image", "", small);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::no_space);
    EXPECT_STREQ(r.error().message(), "extlinux path longer than 10 bytes");
    char one[1];
    EXPECT_FALSE(resolve_extlinux_path("/x", "/", "", one).ok());
    EXPECT_FALSE(resolve_extlinux_path("/x", "/", "", std::span<char>()).ok());
    std::string deep;
    for (int i = 0; i < 65; ++i) deep += "/d";
    char wide[256];
    auto d = resolve_extlinux_path("/x", deep, "", wide);
    ASSERT_FALSE(d.ok());
    EXPECT_STREQ(d.error().message(), "extlinux path deeper than 64 components");
    ASSERT_TRUE(resolve_extlinux_path("/x", deep.substr(2), "", wide).ok());  // 64 deep
    EXPECT_EQ(std::string(wide), deep.substr(2));
    char two[2];
    ASSERT_TRUE(resolve_extlinux_path("/x", "/..", "", two).ok());
    EXPECT_STREQ(two, "/");
}

}  // namespace
