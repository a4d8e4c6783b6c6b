#include <gtest/gtest.h>

#include <cstring>

#include "fdt/device_tree.h"
#include "tests/sim/dtb_builder.h"

namespace {

using namespace xb;
using sim::build_dtb;
using sim::DtbSpec;

TEST(DeviceTree, ReadsEveryBankInOrder) {
    DtbSpec spec;
    spec.memory = {{0x200000000ULL, 1ULL << 30}, {0x40000000, 3ULL << 30}};
    auto blob = build_dtb(spec);
    ASSERT_TRUE(fdt::validate(blob.data(), blob.size()).ok());
    auto banks = fdt::memory_banks(blob.data());
    ASSERT_TRUE(banks.ok()) << banks.error().message();
    ASSERT_EQ(banks.value().count, 2u);
    EXPECT_EQ(banks.value().bank[0].base, 0x40000000u);
    EXPECT_EQ(banks.value().bank[1].base, 0x200000000u);
    EXPECT_EQ(banks.value().total(), 4ULL << 30);
    EXPECT_NE(banks.value().find(0x41000000), nullptr);
    EXPECT_EQ(banks.value().find(0x140000000ULL), nullptr);
}

TEST(DeviceTree, OneCellAddressesAndSizes) {
    DtbSpec spec;
    spec.address_cells = 1;
    spec.size_cells = 1;
    spec.memory = {{0x40000000, 64 << 20}};
    spec.hypervisor_reg = {{0x38000000, 0x1000000}};
    auto blob = build_dtb(spec);
    auto banks = fdt::memory_banks(blob.data());
    ASSERT_TRUE(banks.ok());
    EXPECT_EQ(banks.value().bank[0].size, 64u << 20);
    auto hv = fdt::hypervisor(blob.data());
    ASSERT_TRUE(hv.ok());
    EXPECT_EQ(hv.value().reg[0].base, 0x38000000u);
}

TEST(DeviceTree, HypervisorNodeWithWholeRegList) {
    auto blob = build_dtb(DtbSpec{});
    auto hv = fdt::hypervisor(blob.data());
    ASSERT_TRUE(hv.ok()) << hv.error().message();
    EXPECT_STREQ(hv.value().compatible, "xen,xen-4.17");
    ASSERT_EQ(hv.value().reg_count, 2u);
    EXPECT_EQ(hv.value().reg[0].size, 0x1000000u);
    EXPECT_EQ(hv.value().reg[1].base, 0x60000000u);
    EXPECT_TRUE(hv.value().has_interrupt);
    EXPECT_EQ(hv.value().interrupt[1], 15u);
}

TEST(DeviceTree, MissingMemoryIsAClearError) {
    DtbSpec spec;
    spec.memory.clear();
    auto blob = build_dtb(spec);
    auto banks = fdt::memory_banks(blob.data());
    ASSERT_FALSE(banks.ok());
    EXPECT_NE(std::string(banks.error().message()).find("no usable /memory node"), std::string::npos);

    spec = DtbSpec{};
    spec.memory_device_type = false;  // a node named memory@ without device_type is not RAM
    blob = build_dtb(spec);
    EXPECT_FALSE(fdt::memory_banks(blob.data()).ok());

    spec = DtbSpec{};
    spec.memory = {{0x40000000, 0}};
    blob = build_dtb(spec);
    EXPECT_FALSE(fdt::memory_banks(blob.data()).ok());
}

TEST(DeviceTree, MissingOrForeignHypervisorIsAClearError) {
    DtbSpec spec;
    spec.hypervisor = false;
    auto blob = build_dtb(spec);
    auto hv = fdt::hypervisor(blob.data());
    ASSERT_FALSE(hv.ok());
    EXPECT_NE(std::string(hv.error().message()).find("no /hypervisor node"), std::string::npos);

    spec = DtbSpec{};
    spec.hypervisor_reg.clear();
    blob = build_dtb(spec);
    EXPECT_FALSE(fdt::hypervisor(blob.data()).ok());
}

TEST(DeviceTree, OverlappingBanksRejected) {
    DtbSpec spec;
    spec.memory = {{0x40000000, 64 << 20}, {0x42000000, 64 << 20}};
    auto blob = build_dtb(spec);
    EXPECT_FALSE(fdt::memory_banks(blob.data()).ok());
}

TEST(DeviceTree, CorruptBlobsAreRejectedBeforeUse) {
    auto blob = build_dtb(DtbSpec{});
    EXPECT_FALSE(fdt::validate(nullptr, 100).ok());
    EXPECT_FALSE(fdt::validate(blob.data(), 8).ok());
    // totalsize larger than what is readable
    EXPECT_FALSE(fdt::validate(blob.data(), blob.size() - 1).ok());
    auto bad_magic = blob;
    bad_magic[0] ^= 0xff;
    EXPECT_NE(std::string(fdt::validate(bad_magic.data(), bad_magic.size()).error().message()).find("bad magic"),
              std::string::npos);
    // Truncate the structure block by shrinking size_dt_struct.
    auto truncated = blob;
    truncated[0x27] = 0x04;
    truncated[0x26] = 0x00;
    truncated[0x25] = 0x00;
    truncated[0x24] = 0x00;
    EXPECT_FALSE(fdt::validate(truncated.data(), truncated.size()).ok());
}

TEST(DeviceTree, OldVersionsAreRefusedBeforeLibfdtSeesThem) {
    auto blob = build_dtb(DtbSpec{});
    blob[0x17] = 2;  // version 2 (libfdt 1.6.1's fdt_check_full crashes on some of these)
    auto r = fdt::validate(blob.data(), blob.size());
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "device tree: version 2 (compatible with 16) is not 17");
}

TEST(DeviceTree, FuzzerRegressionsAreRejected) {
    // Inputs that once crashed; kept under tests/fuzz/seeds/regressions.
    for (const char* name : {"dt-version2-null-deref.dtb", "dt-libfdt-check-full-hang.dtb"}) {
        std::string path = std::string(XB_SOURCE_DIR) + "/tests/fuzz/seeds/regressions/" + name;
        FILE* f = fopen(path.c_str(), "rb");
        ASSERT_NE(f, nullptr) << path;
        std::vector<std::uint8_t> bytes(1 << 16);
        bytes.resize(fread(bytes.data(), 1, bytes.size(), f));
        fclose(f);
        EXPECT_FALSE(fdt::validate(bytes.data(), bytes.size()).ok()) << name;
    }
}

TEST(DeviceTree, StructureWalkRejectsWhatLibfdtMightLoopOn) {
    auto blob = build_dtb(DtbSpec{});
    ASSERT_TRUE(fdt::validate(blob.data(), blob.size()).ok());
    // Find the first FDT_PROP token and give it a length that wraps backwards.
    std::uint32_t off_struct = (blob[8] << 24) | (blob[9] << 16) | (blob[10] << 8) | blob[11];
    std::size_t p = off_struct;
    while (!(blob[p] == 0 && blob[p + 1] == 0 && blob[p + 2] == 0 && blob[p + 3] == 3)) p += 4;
    blob[p + 4] = 0xff;
    blob[p + 5] = 0xff;
    blob[p + 6] = 0xff;
    blob[p + 7] = 0xf4;
    auto r = fdt::validate(blob.data(), blob.size());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(std::string(r.error().message()).find("a property longer than the block"), std::string::npos)
        << r.error().message();
}

TEST(DeviceTree, BootargsAndCopy) {
    DtbSpec spec;
    spec.bootargs = "bootdelay=0";
    auto blob = build_dtb(spec);
    auto args = fdt::bootargs(blob.data());
    ASSERT_TRUE(args.ok());
    EXPECT_STREQ(args.value(), "bootdelay=0");
    std::vector<std::uint8_t> copy(blob.size() + 4096);
    ASSERT_TRUE(fdt::copy_to(blob.data(), copy.data(), copy.size()).ok());
    ASSERT_TRUE(fdt::validate(copy.data(), copy.size()).ok());
    EXPECT_STREQ(fdt::bootargs(copy.data()).value(), "bootdelay=0");
    std::vector<std::uint8_t> tiny(64);
    EXPECT_FALSE(fdt::copy_to(blob.data(), tiny.data(), tiny.size()).ok());
    EXPECT_STREQ(fdt::bootargs(build_dtb(DtbSpec{}).data()).value(), "");
}

}  // namespace
