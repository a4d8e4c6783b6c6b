// The firmware's C++ entry points, called from boot/entry.S: where to live
// (before the move), then the real start with hardware bindings for board_main.
#include <array>
#include <cstdint>

#include "arch/arch.h"
#include "arch/arm64/sysreg.h"
#include "arch/image_map.h"
#include "arch/page_table.h"
#include "board/xenguest/board.h"
#include "lib/fatal.h"
#include "lib/noinit.h"
#include "board/xenguest/xen_power.h"
#include "boot/placement.h"
#include "drivers/xen/hvc_xen_port.h"
#include "fdt/device_tree.h"
#include "lib/runtime.h"
#include "xenboot/config.h"

extern "C" char __image_start[];
extern "C" char __text_end[];
extern "C" char __rodata_end[];
extern "C" char __stack_guard[];
extern "C" char __stack_top[];
extern "C" char __exc_stack_top[];
extern "C" char __nested_stack_top[];
extern "C" char __bss_end[];
extern "C" std::uint64_t early_l1[512];                              // boot/entry.S
extern "C" std::uint64_t xenboot_stub_ticks[xb::board::kStubTicks];  // boot/entry.S

// arch/arm64/mmu.S: break-before-make switch to the final tables.
extern "C" void xenboot_switch_tables(std::uint64_t root);

namespace {

using namespace xb;

// Xen refuses device trees over 2 MiB, so no valid blob is larger.
constexpr std::size_t kMaxDtbSize = 2 * 1024 * 1024;
constexpr std::size_t kPageTablePages = 64;

// Not cleared by the entry stub (256 KiB, lib/noinit.h): PageTableBuilder
// zeroes each table as it takes it, and a few are used.
XB_NOINIT(page_tables) alignas(4096) std::uint64_t g_page_tables[kPageTablePages * 512];

// The heap size xenboot_choose_home worked out from the validated device
// tree, for xenboot_main. Not 0 initially, so it lives in .data, which the
// move copies and the second entry's BSS clearing leaves: the entry after the
// move does not ask again (boot/entry.S step 5).
constexpr std::uint64_t kHeapSizeUnknown = ~std::uint64_t{0};
constinit std::uint64_t g_chosen_heap_size = kHeapSizeUnknown;

std::uint64_t identity(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }
std::uint64_t addr(const char* symbol) { return reinterpret_cast<std::uintptr_t>(symbol); }

// Adds the 1 GiB blocks over [base, base + size) to the early identity map
// (boot/entry.S), with the same attributes. Only invalid entries become valid
// (a valid one is rewritten with its own value), and a translation that
// faulted is never held in a TLB (Arm ARM D8.16), so no break-before-make or
// TLB maintenance is needed: a DSB so the walker sees the entries, an ISB so
// later accesses use them. False beyond the 39-bit VA.
bool early_map(std::uint64_t base, std::uint64_t size) {
    constexpr std::uint64_t kBlockAttrs = 0x701;  // as entry.S: AF | SH inner | AttrIndx 0 | block
    if (size == 0) return true;
    std::uint64_t last = base + size - 1;
    if (last < base || last >= arch::kVaLimit) return false;
    for (std::uint64_t i = base >> 30; i <= last >> 30; ++i) early_l1[i] = i << 30 | kBlockAttrs;
    arm64::dsb_ish();
    arm64::isb();
    return true;
}

std::uint64_t image_base() { return reinterpret_cast<std::uintptr_t>(__image_start); }
std::uint64_t image_size() { return reinterpret_cast<std::uintptr_t>(__bss_end) - image_base(); }
// The heap for the RAM bank xenboot runs in (default when the DT is unusable:
// board_main then reports that and powers off).
std::uint64_t heap_size(const void* dtb, std::uint64_t base) {
    if (g_chosen_heap_size != kHeapSizeUnknown) return g_chosen_heap_size;
    Result<std::size_t> size = fdt::validate(dtb, kMaxDtbSize);
    if (!size.ok()) return XENBOOT_HEAP_SIZE;
    Result<fdt::MemoryBanks> banks = fdt::memory_banks(dtb);
    if (!banks.ok()) return XENBOOT_HEAP_SIZE;
    const Range* bank = banks.value().find(base);
    return bank != nullptr ? boot::heap_size_for(bank->size) : XENBOOT_HEAP_SIZE;
}

std::array<arch::ImageRegion, arch::kImageRegions> own_image_regions() {
    return arch::image_regions(arch::ImageSymbols{addr(__image_start), addr(__text_end), addr(__rodata_end),
                                                  addr(__stack_guard), addr(__stack_top), addr(__exc_stack_top),
                                                  addr(__nested_stack_top), addr(__bss_end)});
}

class FirmwareMapper final : public board::Mapper {
  public:
    FirmwareMapper()
        : regions_(own_image_regions()),
          builder_(g_page_tables, kPageTablePages, identity),
          mapper_(builder_, regions_) {}

    Status map(Range range, arch::MemType type) override { return mapper_.map(range, type); }

    Status activate() override {
        xenboot_switch_tables(builder_.root_phys());
        return ok();
    }

  private:
    std::array<arch::ImageRegion, arch::kImageRegions> regions_;
    arch::PageTableBuilder builder_;
    arch::ImageAwareMapper mapper_;
};

}  // namespace

extern "C" std::uint64_t xenboot_choose_home(const void* dtb, std::uint64_t base) {
    Result<std::size_t> size = fdt::validate(dtb, kMaxDtbSize);
    if (!size.ok()) return base;  // board_main reports the problem once the console is up
    Result<fdt::MemoryBanks> banks = fdt::memory_banks(dtb);
    if (!banks.ok()) return base;
    const Range* bank = banks.value().find(base);
    if (bank == nullptr) return base;
    const std::uint64_t heap = boot::heap_size_for(bank->size);
    std::uint64_t footprint = image_size() + heap;
    std::uint64_t home = boot::choose_home(
        boot::PlacementInput{*bank, base, footprint, Range{reinterpret_cast<std::uintptr_t>(dtb), size.value()}});
    // entry.S copies the image to its home under the early map.
    if (home != base && !early_map(home, footprint)) return base;
    g_chosen_heap_size = heap;
    return home;
}

// arch/arm64/enter_kernel.S
extern "C" [[noreturn]] void xenboot_enter_kernel(std::uint64_t entry, std::uint64_t dtb, std::uint64_t ram0_base,
                                                  std::uint64_t ram0_size, std::uint64_t ram1_base,
                                                  std::uint64_t ram1_size);

void enter_kernel(std::uint64_t entry, std::uint64_t dtb, Range ram0, Range ram1) {
    xenboot_enter_kernel(entry, dtb, ram0.base, ram0.size, ram1.base, ram1.size);
}

extern "C" [[noreturn]] void xenboot_main(const void* dtb, std::uint64_t entry_ticks, std::uint64_t load_base) {
    const std::uint64_t main_ticks = arch::counter();
    Range image{image_base(), image_size()};
    Range heap{image.end(), heap_size(dtb, image.base)};
    // The early map covers the image (entry.S); the heap may reach into the
    // next 1 GiB block. Without it nothing can be printed: end the domain.
    if (!early_map(heap.base, heap.size)) halt_after_fatal();
    g_heap.init(reinterpret_cast<void*>(heap.base), heap.size);

    xen::HvcXenPort xen;
    board::XenPower power(xen);
    set_fatal_power(&power);
    FirmwareMapper mapper;
    board::BoardEnv env{
        xen,          mapper, power, g_heap, dtb, kMaxDtbSize, entry_ticks, load_base, image, heap, &set_fatal_console,
        &enter_kernel};
    env.stub_ticks = xenboot_stub_ticks;
    env.main_ticks = main_ticks;
    board::board_main(env);
    halt_after_fatal();
}
