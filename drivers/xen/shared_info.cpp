#include "drivers/xen/shared_info.h"

#include "drivers/xen/hypercall.h"

namespace xb::xen {

Result<SharedInfo*> SharedInfoMapping::map(XenPort& xen, Gfn gfn) {
    if (mapped_) return Error::make(Errc::busy, "shared_info is already mapped at gfn 0x%lx", gfn_.value());
    TRY_CTX(add_to_physmap(xen, kMapspaceSharedInfo, 0, gfn), "mapping shared_info");
    mapped_ = true;
    gfn_ = gfn;
    return static_cast<SharedInfo*>(xen.frame(gfn));
}

Status SharedInfoMapping::unmap(XenPort& xen) {
    if (!mapped_) return ok();
    TRY_CTX(remove_from_physmap(xen, gfn_), "unmapping shared_info");
    mapped_ = false;
    return ok();
}

}  // namespace xb::xen
