// fdt::fixup_chosen: what booti does to /chosen before the kernel runs, read
// back with libfdt; the rest of the tree (Xen's /memory and /hypervisor) must
// be byte-for-byte the same, and a tree too full must be left unchanged.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fdt/chosen.h"
#include "fdt/device_tree.h"
#include "tests/sim/dtb_builder.h"

extern "C" {
#include <libfdt.h>
}

namespace {

using namespace xb;

// A built tree opened into `room` bytes (8-aligned storage, as libfdt wants).
struct Tree {
    std::vector<std::uint64_t> storage;
    explicit Tree(const sim::DtbSpec& spec, std::size_t room = 0x2000) : storage(room / 8) {
        auto blob = sim::build_dtb(spec);
        EXPECT_EQ(fdt_open_into(blob.data(), data(), static_cast<int>(room)), 0);
    }
    void* data() { return storage.data(); }
    std::size_t room() const { return storage.size() * 8; }
    int chosen() { return fdt_path_offset(data(), "/chosen"); }
    bool has(const char* name) { return chosen() >= 0 && fdt_getprop(data(), chosen(), name, nullptr) != nullptr; }
    std::string text(const char* name) {
        int len = 0;
        const void* p = fdt_getprop(data(), chosen(), name, &len);
        return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(len)) : "<absent>";
    }
    std::uint64_t u64(const char* name) {
        int len = 0;
        const void* p = fdt_getprop(data(), chosen(), name, &len);
        EXPECT_EQ(len, 8) << name;
        return p != nullptr && len == 8 ? fdt64_ld(static_cast<const fdt64_t*>(p)) : 0;
    }
    // /memory@... and /hypervisor, property by property.
    std::string xen_nodes() {
        std::string out;
        for (const char* path : {"/memory@40000000", "/hypervisor"}) {
            const int node = fdt_path_offset(data(), path);
            int prop = 0;
            fdt_for_each_property_offset(prop, data(), node) {
                const char* name = nullptr;
                int len = 0;
                const void* v = fdt_getprop_by_offset(data(), prop, &name, &len);
                out += std::string(path) + " " + name + "=" +
                       std::string(static_cast<const char*>(v), static_cast<std::size_t>(len)) + ";";
            }
        }
        return out;
    }
};

sim::DtbSpec with_bootargs(const char* args) {
    sim::DtbSpec spec;
    spec.bootargs = args;
    return spec;
}

TEST(FdtChosen, SetsBootargsAndInitrdAs64BitCells) {
    Tree t(with_bootargs("from-xen"));
    const std::string before = t.xen_nodes();
    Status s = fdt::fixup_chosen(t.data(), t.room(), "console=hvc0 root=/dev/xvda2", Range{0x48000000, 0x123456});
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(t.text("bootargs"), std::string("console=hvc0 root=/dev/xvda2\0", 29));
    EXPECT_EQ(t.u64("linux,initrd-start"), 0x48000000u);
    EXPECT_EQ(t.u64("linux,initrd-end"), 0x48123456u);  // exclusive, as Linux reads it
    EXPECT_EQ(t.xen_nodes(), before);
    EXPECT_TRUE(fdt::validate(t.data(), t.room()).ok());
}

TEST(FdtChosen, InitrdAbove4GiB) {
    Tree t(sim::DtbSpec{});
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), std::nullopt, Range{0x8'8000'0000ULL, 0x1000}).ok());
    EXPECT_EQ(t.u64("linux,initrd-start"), 0x880000000ULL);
    EXPECT_EQ(t.u64("linux,initrd-end"), 0x880001000ULL);
}

TEST(FdtChosen, BootargsLeftRemovedOrReplaced) {
    Tree t(with_bootargs("from-xen"));
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), std::nullopt, std::nullopt).ok());
    EXPECT_EQ(t.text("bootargs"), std::string("from-xen\0", 9));  // nullopt: Xen's extra= stays
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), "new", std::nullopt).ok());
    EXPECT_EQ(t.text("bootargs"), std::string("new\0", 4));
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), "", std::nullopt).ok());
    EXPECT_FALSE(t.has("bootargs"));
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), "", std::nullopt).ok());  // removing twice is fine
    // A view that is not NUL-terminated is copied exactly.
    const char text[] = "abcdef";
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), std::string_view(text, 3), std::nullopt).ok());
    EXPECT_EQ(t.text("bootargs"), std::string("abc\0", 4));
}

TEST(FdtChosen, StaleInitrdRemoved) {
    Tree t(sim::DtbSpec{});
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), std::nullopt, Range{0x48000000, 0x1000}).ok());
    ASSERT_TRUE(t.has("linux,initrd-start"));
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), std::nullopt, std::nullopt).ok());
    EXPECT_FALSE(t.has("linux,initrd-start"));
    EXPECT_FALSE(t.has("linux,initrd-end"));
}

TEST(FdtChosen, CreatesChosenWhenMissing) {
    Tree t(sim::DtbSpec{});
    ASSERT_EQ(fdt_del_node(t.data(), t.chosen()), 0);
    ASSERT_LT(t.chosen(), 0);
    const std::string before = t.xen_nodes();
    ASSERT_TRUE(fdt::fixup_chosen(t.data(), t.room(), "quiet", std::nullopt).ok());
    ASSERT_GE(t.chosen(), 0);
    EXPECT_EQ(fdt_parent_offset(t.data(), t.chosen()), 0);
    EXPECT_EQ(t.text("bootargs"), std::string("quiet\0", 6));
    EXPECT_EQ(t.xen_nodes(), before);
}

TEST(FdtChosen, GrowsIntoTheRoomWhenNeeded) {
    auto blob = sim::build_dtb(sim::DtbSpec{});  // packed: no free space at all
    std::vector<std::uint64_t> buf(0x1000 / 8);
    std::memcpy(buf.data(), blob.data(), blob.size());
    ASSERT_TRUE(fdt::fixup_chosen(buf.data(), 0x1000, "console=hvc0", Range{0x48000000, 0x1000}).ok());
    EXPECT_EQ(fdt_totalsize(buf.data()), 0x1000u);
    EXPECT_TRUE(fdt::validate(buf.data(), 0x1000).ok());
}

TEST(FdtChosen, TooFullLeavesTheTreeUnchanged) {
    auto blob = sim::build_dtb(with_bootargs("old"));
    std::vector<std::uint64_t> buf(0x1000 / 8);
    std::memcpy(buf.data(), blob.data(), blob.size());
    const std::size_t packed = fdt::packed_size(buf.data()).value();
    const std::vector<std::uint64_t> before = buf;
    // Room for the packed tree plus 20 bytes: bootargs of 100 bytes do not fit.
    const std::string args(100, 'a');
    Status s = fdt::fixup_chosen(buf.data(), packed + 20, args, std::nullopt);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::no_space);
    EXPECT_STREQ(s.error().message(), "device tree full: 20 bytes free, 125 needed; use fdt resize");
    EXPECT_EQ(buf, before);
}

TEST(FdtChosen, RefusesBadInput) {
    Tree t(sim::DtbSpec{});
    Status s = fdt::fixup_chosen(t.data(), t.room(), std::nullopt, Range{0x48000000, 0});
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "initrd 0x48000000+0x0 is empty or wraps around");
    EXPECT_FALSE(fdt::fixup_chosen(t.data(), t.room(), std::nullopt, Range{~0ULL - 10, 100}).ok());
    EXPECT_STREQ(fdt::fixup_chosen(t.data(), t.room(), std::string_view("a\0b", 3), std::nullopt).error().message(),
                 "bootargs contain a NUL byte");
    // The blob is validated first: room smaller than its totalsize, a bad magic.
    EXPECT_FALSE(fdt::fixup_chosen(t.data(), t.room() - 8, "x", std::nullopt).ok());
    static_cast<std::uint8_t*>(t.data())[0] ^= 0xff;
    s = fdt::fixup_chosen(t.data(), t.room(), "x", std::nullopt);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.error().message()).find("bad magic"), std::string::npos);
}

TEST(FdtChosen, PackedSizeIsWhatFdtPackLeaves) {
    Tree t(with_bootargs("x"));
    const std::size_t packed = fdt::packed_size(t.data()).value();
    ASSERT_EQ(fdt_pack(t.data()), 0);
    EXPECT_EQ(fdt_totalsize(t.data()), packed);
}

}  // namespace

// fuzz_fdt_print: a damaged tree (duplicate properties) that validate() accepts
// but libfdt's edits turn into one it rejects. fixup_chosen must then fail
// cleanly instead of handing a broken tree on.
TEST(FdtChosenRegression, FixupOfADamagedTreeFailsOrLeavesAValidTree) {
    std::ifstream f(std::string(XB_SOURCE_DIR) + "/tests/fuzz/seeds/regressions/fdt-print-fixup-invalidates.dtb",
                    std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), {});
    ASSERT_FALSE(bytes.empty());
    std::vector<std::uint64_t> blob((bytes.size() + 512 + 7) / 8);
    std::memcpy(blob.data(), bytes.data(), bytes.size());
    ASSERT_TRUE(xb::fdt::validate(blob.data(), bytes.size()).ok());
    xb::Status s = xb::fdt::fixup_chosen(blob.data(), blob.size() * 8, "console=hvc0", xb::Range{0x48000000, 0x2000});
    if (s.ok()) {
        EXPECT_TRUE(xb::fdt::validate(blob.data(), blob.size() * 8).ok());
    } else {
        EXPECT_EQ(s.error().code(), xb::Errc::bad_data);
        EXPECT_NE(std::string(s.error().message()).find("the tree is damaged"), std::string::npos)
            << s.error().message();
    }
}
