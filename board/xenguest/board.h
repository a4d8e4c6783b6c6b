// The xenguest board: the one place that knows the whole init order, from a
// device-tree pointer to a shell prompt. Portable: the firmware calls it from
// firmware_main.cpp with real hardware bindings; host tests call it with a
// simulated Xen.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/page_table.h"
#include "drivers/xen/xen_port.h"
#include "lib/console.h"
#include "lib/heap.h"
#include "lib/power.h"
#include "lib/types.h"

namespace xb::board {

// Builds and switches to xenboot's final page tables.
class Mapper {
  public:
    virtual Status map(Range range, arch::MemType type) = 0;
    virtual Status activate() = 0;

  protected:
    ~Mapper() = default;
};

// Slots of the entry stub's milestone counts (boot/entry.S STUB_*): the
// first entry's eight, then the eight of the entry after the move.
constexpr unsigned kStubTicks = 16;

struct BoardEnv {
    xen::XenPort& xen;
    Mapper& mapper;
    PowerControl& power;
    Heap& heap;
    const void* dtb;            // as Xen passed it in x0
    std::size_t dtb_readable;   // bytes known to be readable at dtb
    std::uint64_t entry_ticks;  // generic-timer count at the first instruction
    std::uint64_t load_base;    // where Xen loaded xenboot
    Range image;                // xenboot's image, BSS, stack and page tables
    Range heap_range;
    // Hook for the exception/panic path: where messages go once a console exists.
    void (*set_panic_console)(Console* con);
    // The hand-off's last step (cleans caches, MMU off, jumps; firmware:
    // arch/arm64/enter_kernel.S). Host tests record the call and return.
    void (*enter_kernel)(std::uint64_t entry, std::uint64_t dtb, Range ram0, Range ram1) = nullptr;
    // For bdinfo's init profile: the stub's milestone counts (kStubTicks, 0
    // where not reached; null on simulated platforms) and the count when the
    // C++ entry point began.
    const std::uint64_t* stub_ticks = nullptr;
    std::uint64_t main_ticks = 0;
};

// Runs init and the shell. Returns only if powering off failed (firmware) or on
// a simulated platform after the guest "powered off".
void board_main(BoardEnv& env);

}  // namespace xb::board
