#include "drivers/xen/hypercall.h"

namespace xb::xen {
namespace {
std::uint64_t arg(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

Error fail(long rc, const char* what) {
    int e = static_cast<int>(-rc);
    return Error::xen(e, Errc::hypercall, "%s: %s", what, errno_name(e));
}
}  // namespace

const char* errno_name(int xen_errno) {
    switch (xen_errno) {
        case kEPERM: return "EPERM";
        case kENOENT: return "ENOENT";
        case kEAGAIN: return "EAGAIN";
        case kENOMEM: return "ENOMEM";
        case kEFAULT: return "EFAULT";
        case kEBUSY: return "EBUSY";
        case kEEXIST: return "EEXIST";
        case kEINVAL: return "EINVAL";
        case kENOSYS: return "ENOSYS";
        default: return "Xen error";
    }
}

Result<XenVersion> xen_version(XenPort& xen) {
    long v = xen.hypercall(Hypercall::xen_version, kXenverVersion, 0);
    if (v < 0) return fail(v, "xen_version");
    XenVersion out{static_cast<unsigned>(v) >> 16, static_cast<unsigned>(v) & 0xffff, {}};
    char extra[16] = {};
    long rc = xen.hypercall(Hypercall::xen_version, kXenverExtraversion, arg(extra));
    if (rc < 0) return fail(rc, "xen_version extraversion");
    for (unsigned i = 0; i + 1 < sizeof out.extra; ++i) out.extra[i] = extra[i];
    out.extra[sizeof out.extra - 1] = '\0';  // Xen's field need not be terminated
    return out;
}

Result<std::uint64_t> hvm_get_param(XenPort& xen, HvmParam param) {
    HvmParamArg a{kDomidSelf, static_cast<std::uint32_t>(param), 0};
    long rc = xen.hypercall(Hypercall::hvm_op, kHvmopGetParam, arg(&a));
    if (rc < 0) {
        int e = static_cast<int>(-rc);
        return Error::xen(e, Errc::hypercall, "hvm_op get_param %u: %s", static_cast<unsigned>(param), errno_name(e));
    }
    return a.value;
}

Status evtchn_send(XenPort& xen, EvtchnPort port) {
    EvtchnPortArg a{port.value()};
    long rc = xen.hypercall(Hypercall::event_channel_op, kEvtchnopSend, arg(&a));
    if (rc < 0) return fail(rc, "event_channel_op send");
    return ok();
}

Status evtchn_close(XenPort& xen, EvtchnPort port) {
    EvtchnPortArg a{port.value()};
    long rc = xen.hypercall(Hypercall::event_channel_op, kEvtchnopClose, arg(&a));
    if (rc < 0) return fail(rc, "event_channel_op close");
    return ok();
}

Result<EvtchnPort> evtchn_alloc_unbound(XenPort& xen, DomId remote) {
    EvtchnAllocUnbound a{kDomidSelf, remote.value(), 0};
    long rc = xen.hypercall(Hypercall::event_channel_op, kEvtchnopAllocUnbound, arg(&a));
    if (rc < 0) {
        int e = static_cast<int>(-rc);
        return Error::xen(e, Errc::hypercall, "event_channel_op alloc_unbound for domain %u: %s", remote.value(),
                          errno_name(e));
    }
    return EvtchnPort(a.port);
}

Status add_to_physmap(XenPort& xen, unsigned space, std::uint64_t idx, Gfn gfn) {
    AddToPhysmap a{kDomidSelf, 0, space, idx, gfn.value()};
    long rc = xen.hypercall(Hypercall::memory_op, kXenmemAddToPhysmap, arg(&a));
    if (rc < 0) {
        int e = static_cast<int>(-rc);
        return Error::xen(e, Errc::hypercall, "add_to_physmap space %u idx %lu at gfn 0x%lx: %s", space, idx,
                          gfn.value(), errno_name(e));
    }
    return ok();
}

Status remove_from_physmap(XenPort& xen, Gfn gfn) {
    RemoveFromPhysmap a{kDomidSelf, gfn.value()};
    long rc = xen.hypercall(Hypercall::memory_op, kXenmemRemoveFromPhysmap, arg(&a));
    if (rc < 0) {
        int e = static_cast<int>(-rc);
        return Error::xen(e, Errc::hypercall, "remove_from_physmap gfn 0x%lx: %s", gfn.value(), errno_name(e));
    }
    return ok();
}

Status sched_yield(XenPort& xen) {
    long rc = xen.hypercall(Hypercall::sched_op, kSchedopYield, 0);
    if (rc < 0) return fail(rc, "sched_op yield");
    return ok();
}

Status sched_poll(XenPort& xen, const EvtchnPort* ports, unsigned count) {
    static_assert(sizeof(EvtchnPort) == sizeof(std::uint32_t));
    SchedPoll a{arg(ports), count, 0};
    long rc = xen.hypercall(Hypercall::sched_op, kSchedopPoll, arg(&a));
    if (rc < 0) return fail(rc, "sched_op poll");
    return ok();
}

Status sched_shutdown(XenPort& xen, ShutdownReason reason) {
    SchedShutdown a{static_cast<unsigned>(reason)};
    long rc = xen.hypercall(Hypercall::sched_op, kSchedopShutdown, arg(&a));
    if (rc < 0) return fail(rc, "sched_op shutdown");
    return ok();
}

}  // namespace xb::xen
