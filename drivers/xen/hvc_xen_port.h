// The firmware's XenPort: `hvc #0xEA1` with the hypercall number in x16, and
// guest frames reached through xenboot's identity map.
#pragma once

#include "drivers/xen/xen_port.h"

namespace xb::xen {

class HvcXenPort final : public XenPort {
  public:
    long hypercall(Hypercall op, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2) override;
    void* frame(Gfn gfn) override { return reinterpret_cast<void*>(addr_of(gfn).value()); }
    Gfn gfn_of(const void* p) override { return Gfn(reinterpret_cast<std::uintptr_t>(p) >> kPageShift); }
};

}  // namespace xb::xen
