// Typed hypercalls. Each returns a Result whose error names the operation and
// the Xen errno, e.g. "hvm_op get_param 17: EINVAL".
#pragma once

#include "drivers/xen/xen_port.h"
#include "lib/result.h"

namespace xb::xen {

struct XenVersion {
    unsigned major;
    unsigned minor;
    char extra[16];  // NUL-terminated ".7-pre" style suffix
};

Result<XenVersion> xen_version(XenPort& xen);
Result<std::uint64_t> hvm_get_param(XenPort& xen, HvmParam param);
Status evtchn_send(XenPort& xen, EvtchnPort port);
Status evtchn_close(XenPort& xen, EvtchnPort port);
// A fresh port of ours that `remote` can bind to (EVTCHNOP_alloc_unbound).
Result<EvtchnPort> evtchn_alloc_unbound(XenPort& xen, DomId remote);
Status add_to_physmap(XenPort& xen, unsigned space, std::uint64_t idx, Gfn gfn);
Status remove_from_physmap(XenPort& xen, Gfn gfn);
Status sched_yield(XenPort& xen);
// Blocks until one of the ports is pending (Xen wakes pollers on every
// 0->1 transition of a pending bit, masked or not: common/event_channel.c).
Status sched_poll(XenPort& xen, const EvtchnPort* ports, unsigned count);
// Returns only if Xen refused.
Status sched_shutdown(XenPort& xen, ShutdownReason reason);

}  // namespace xb::xen
