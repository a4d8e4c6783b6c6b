// The one surface through which xenboot talks to Xen: raw hypercalls and the
// address of a guest frame. The firmware binds it to `hvc #0xEA1` and an
// identity map; host tests bind it to a simulated Xen (tests/sim) that owns the
// shared pages and runs simulated backends. Everything above uses the typed
// wrappers in hypercall.h, never hypercall() directly.
#pragma once

#include <cstdint>

#include "drivers/xen/abi.h"
#include "lib/types.h"

namespace xb::xen {

class XenPort {
  public:
    // Arguments are register values; pointers are passed as guest addresses
    // (the firmware's identity map makes a pointer its own guest address).
    virtual long hypercall(Hypercall op, std::uint64_t a0, std::uint64_t a1 = 0, std::uint64_t a2 = 0) = 0;

    // Where this guest frame is reachable in xenboot's address space.
    virtual void* frame(Gfn gfn) = 0;
    // The guest frame that holds this byte of xenboot's memory (the inverse of
    // frame(); identity in the firmware). Used to grant buffers to backends.
    virtual Gfn gfn_of(const void* p) = 0;

  protected:
    ~XenPort() = default;
};

}  // namespace xb::xen
