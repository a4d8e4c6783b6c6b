// Where xenboot lives. Xen loads it near the start of RAM bank 0, exactly where
// a kernel wants to go, so xenboot moves itself (image, BSS, stack, page tables
// and heap: its "footprint") to the top of the bank that holds it, below the
// device tree if Xen put the DTB at the end of the bank. This file decides the
// destination; boot/entry.S does the copy. Pure logic, unit-tested on the host.
#pragma once

#include <cstdint>

#include "lib/types.h"

namespace xb::boot {

inline constexpr std::uint64_t kHomeAlign = 64 * 1024;

struct PlacementInput {
    Range bank;                // the RAM bank that holds the running image
    std::uint64_t image_base;  // where the image runs now
    std::uint64_t footprint;   // bytes from image_base that xenboot will use
    Range dtb;                 // the device tree blob Xen gave us
};

// The heap xenboot gives itself for a RAM bank of this size: 8 MiB in small
// guests, 32 MiB from 256 MiB up (PV disk pools, later kernels' gzip buffers).
// Both entry stages compute it from the same device tree, so they agree.
std::uint64_t heap_size_for(std::uint64_t bank_size);

// Returns the base xenboot should run at; image_base itself means "stay".
// Staying is chosen when no higher home fits without overlapping the running
// image or the DTB (the firmware still works, only with less free low RAM).
std::uint64_t choose_home(const PlacementInput& in);

}  // namespace xb::boot
