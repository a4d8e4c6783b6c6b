// The firmware's C++ entry points, called from boot/entry.S: where to live
// (before the move), then the real start with hardware bindings for board_main.
#include <cstdint>

#include "arch/arm64/sysreg.h"
#include "arch/page_table.h"
#include "board/xenguest/board.h"
#include "lib/fatal.h"
#include "board/xenguest/xen_power.h"
#include "boot/placement.h"
#include "drivers/xen/hvc_xen_port.h"
#include "fdt/device_tree.h"
#include "lib/runtime.h"
#include "xenboot/config.h"

extern "C" char __image_start[];
extern "C" char __bss_end[];

namespace {

using namespace xb;

// Xen refuses device trees over 2 MiB, so no valid blob is larger.
constexpr std::size_t kMaxDtbSize = 2 * 1024 * 1024;
constexpr std::size_t kPageTablePages = 64;

alignas(4096) constinit std::uint64_t g_page_tables[kPageTablePages * 512] = {};

std::uint64_t identity(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

std::uint64_t image_base() { return reinterpret_cast<std::uintptr_t>(__image_start); }
std::uint64_t image_size() { return reinterpret_cast<std::uintptr_t>(__bss_end) - image_base(); }
// The heap for the RAM bank xenboot runs in (default when the DT is unusable:
// board_main then reports that and powers off).
std::uint64_t heap_size(const void* dtb, std::uint64_t base) {
    Result<std::size_t> size = fdt::validate(dtb, kMaxDtbSize);
    if (!size.ok()) return XENBOOT_HEAP_SIZE;
    Result<fdt::MemoryBanks> banks = fdt::memory_banks(dtb);
    if (!banks.ok()) return XENBOOT_HEAP_SIZE;
    const Range* bank = banks.value().find(base);
    return bank != nullptr ? boot::heap_size_for(bank->size) : XENBOOT_HEAP_SIZE;
}

class FirmwareMapper final : public board::Mapper {
  public:
    FirmwareMapper() : builder_(g_page_tables, kPageTablePages, identity) {}

    Status map(Range range, arch::MemType type) override { return builder_.map(range.base, range.size, type); }

    Status activate() override {
        // The walker reads the tables through the cache (TCR IRGN/ORGN = WB),
        // so a DSB is enough to make them visible; then switch and drop every
        // translation the early map left in the TLB.
        arm64::dsb_ish();
        XB_WRITE_SYSREG(ttbr0_el1, builder_.root_phys());
        arm64::isb();
        asm volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
        return ok();
    }

  private:
    arch::PageTableBuilder builder_;
};

}  // namespace

extern "C" std::uint64_t xenboot_choose_home(const void* dtb, std::uint64_t base) {
    Result<std::size_t> size = fdt::validate(dtb, kMaxDtbSize);
    if (!size.ok()) return base;  // board_main reports the problem once the console is up
    Result<fdt::MemoryBanks> banks = fdt::memory_banks(dtb);
    if (!banks.ok()) return base;
    const Range* bank = banks.value().find(base);
    if (bank == nullptr) return base;
    return boot::choose_home(boot::PlacementInput{*bank, base, image_size() + boot::heap_size_for(bank->size),
                                                  Range{reinterpret_cast<std::uintptr_t>(dtb), size.value()}});
}

// arch/arm64/enter_kernel.S
extern "C" [[noreturn]] void xenboot_enter_kernel(std::uint64_t entry, std::uint64_t dtb, std::uint64_t ram0_base,
                                                  std::uint64_t ram0_size, std::uint64_t ram1_base,
                                                  std::uint64_t ram1_size);

void enter_kernel(std::uint64_t entry, std::uint64_t dtb, Range ram0, Range ram1) {
    xenboot_enter_kernel(entry, dtb, ram0.base, ram0.size, ram1.base, ram1.size);
}

extern "C" [[noreturn]] void xenboot_main(const void* dtb, std::uint64_t entry_ticks, std::uint64_t load_base) {
    Range image{image_base(), image_size()};
    Range heap{image.end(), heap_size(dtb, image.base)};
    g_heap.init(reinterpret_cast<void*>(heap.base), heap.size);

    xen::HvcXenPort xen;
    board::XenPower power(xen);
    set_fatal_power(&power);
    FirmwareMapper mapper;
    board::BoardEnv env{
        xen,          mapper, power, g_heap, dtb, kMaxDtbSize, entry_ticks, load_base, image, heap, &set_fatal_console,
        &enter_kernel};
    board::board_main(env);
    halt_after_fatal();
}
