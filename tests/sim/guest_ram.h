// Guest RAM for host tests: one arena mapped at a low fixed address, so that
// guest frame numbers of buffers in it fit a v1 grant entry's 32-bit frame
// field and frame <-> pointer is the identity, as in the firmware. Drivers
// under test allocate their shared pages from heap(); tests allocate their
// I/O buffers there too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/heap.h"

namespace xb::sim {

class GuestRam {
  public:
    static constexpr std::uintptr_t kBase = 0x40000000;
    static constexpr std::size_t kSize = 512u << 20;

    static GuestRam& get();
    // Forgets every allocation (call at the start of a test).
    void reset();
    Heap& heap() { return heap_; }
    bool contains(const void* p, std::size_t len = 1) const;
    std::uint8_t* base() const { return reinterpret_cast<std::uint8_t*>(kBase); }

  private:
    GuestRam();
    Heap heap_;
};

}  // namespace xb::sim
