// Maps Xen's shared_info page at a guest frame xenboot chooses (inside the
// /hypervisor grant-table window, never over RAM a kernel could use) and
// removes it again before hand-off: since Xen 4.17 shared_info may be mapped at
// one GFN only, and Linux BUG()s when its own mapping fails.
#pragma once

#include "drivers/xen/abi.h"
#include "drivers/xen/xen_port.h"
#include "lib/result.h"

namespace xb::xen {

class SharedInfoMapping {
  public:
    Result<SharedInfo*> map(XenPort& xen, Gfn gfn);
    Status unmap(XenPort& xen);
    bool mapped() const { return mapped_; }
    Gfn gfn() const { return gfn_; }

  private:
    bool mapped_ = false;
    Gfn gfn_{};
};

}  // namespace xb::xen
