// The *_addr_r variables chosen from free RAM (bootflow/boot_layout.h).
#include <gtest/gtest.h>

#include "bootflow/boot_layout.h"

namespace xb::cmd {
namespace {

constexpr std::uint64_t kMiB = 1ULL << 20;

TEST(BootLayout, SplitsTheLargestFreeRangeIn2MiBAlignedAreas) {
    MemoryMap mem;
    mem.add_ram(Range{0x40000000, 256 * kMiB});
    mem.reserve(Range{0x4e000000, 32 * kMiB}, "heap");  // the top 32 MiB
    Result<BootLayout> l = choose_boot_layout(mem);
    ASSERT_TRUE(l.ok()) << l.error().message();
    const BootLayout& b = l.value();
    EXPECT_EQ(b.kernel, 0x40000000u);
    // 224 MiB free: comp at 3/8 (84 MiB), ramdisk at 1/2 (112 MiB), the top 4 MiB for fdt/script/pxe.
    EXPECT_EQ(b.kernel_comp, 0x40000000u + 84 * kMiB);
    EXPECT_EQ(b.ramdisk, 0x40000000u + 112 * kMiB);
    EXPECT_EQ(b.kernel_comp_size, 28 * kMiB);
    EXPECT_EQ(b.fdt, 0x4e000000u - 4 * kMiB);
    EXPECT_EQ(b.script, b.fdt + 2 * kMiB);
    EXPECT_EQ(b.pxefile, b.fdt + 3 * kMiB);
    for (std::uint64_t a : {b.kernel, b.kernel_comp, b.ramdisk, b.fdt}) EXPECT_EQ(a % (2 * kMiB), 0u);
    for (std::uint64_t a : {b.kernel, b.kernel_comp, b.ramdisk, b.fdt, b.script, b.pxefile}) {
        EXPECT_TRUE(mem.is_free(Range{a, 1})) << std::hex << a;
    }
}

TEST(BootLayout, PicksTheLargestRangeAndAlignsIt) {
    MemoryMap mem;
    mem.add_ram(Range{0x40000000, 64 * kMiB});
    mem.add_ram(Range{0x200000000, 512 * kMiB});
    mem.reserve(Range{0x40000000, 0x123000}, "something");
    Result<BootLayout> l = choose_boot_layout(mem);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l.value().kernel, 0x200000000u);
}

TEST(BootLayout, TooLittleRamIsAnError) {
    MemoryMap mem;
    mem.add_ram(Range{0x40000000, 8 * kMiB});
    Result<BootLayout> l = choose_boot_layout(mem);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(l.error().code(), Errc::not_found);
}

TEST(BootLayout, VariablesAlreadySetAreKept) {
    Environment env;
    ASSERT_TRUE(env.set("kernel_addr_r", "48000000").ok());
    BootLayout b{0x40000000, 0x45000000, 0x1000000, 0x47000000, 0x4a000000, 0x4a200000, 0x4a300000};
    ASSERT_TRUE(set_boot_layout_vars(env, b).ok());
    EXPECT_EQ(env.get("kernel_addr_r"), "48000000");
    // The others with 0x, as U-Boot boards write them.
    EXPECT_EQ(env.get("ramdisk_addr_r"), "0x47000000");
    EXPECT_EQ(env.get("kernel_comp_addr_r"), "0x45000000");
    EXPECT_EQ(env.get("kernel_comp_size"), "0x1000000");
    EXPECT_EQ(env.get("loadaddr"), "0x40000000");
    EXPECT_EQ(env.get("fdt_addr_r"), "0x4a000000");
    EXPECT_EQ(env.get("scriptaddr"), "0x4a200000");
    EXPECT_EQ(env.get("pxefile_addr_r"), "0x4a300000");
}

// fdtcontroladdr and fdt_addr: bare hex, as U-Boot's env_set_hex writes them.
TEST(BootLayout, FdtVariablesPointAtTheCopy) {
    Environment env;
    ASSERT_TRUE(set_fdt_vars(env, 0x7fe00000).ok());
    EXPECT_EQ(env.get("fdtcontroladdr"), "7fe00000");
    EXPECT_EQ(env.get("fdt_addr"), "7fe00000");
    Environment kept;
    ASSERT_TRUE(kept.set("fdt_addr", "0x48000000").ok());
    ASSERT_TRUE(set_fdt_vars(kept, 0x7fe00000).ok());
    EXPECT_EQ(kept.get("fdt_addr"), "0x48000000");
    Environment none;
    ASSERT_TRUE(set_fdt_vars(none, 0).ok());
    EXPECT_EQ(none.count(), 0u);
}

}  // namespace
}  // namespace xb::cmd
