// The one way xenboot waits for another domain: poll a condition, yielding the
// vCPU to Xen between looks, until it holds or the deadline passes. The
// timeout error names what was awaited, so a stuck backend is never a silent hang.
#pragma once

#include <cstdarg>

#include "lib/deadline.h"
#include "drivers/xen/hypercall.h"
#include "lib/format.h"
#include "lib/result.h"

namespace xb::xen {

template <typename Condition>
[[gnu::format(printf, 4, 5)]] Status wait_until(XenPort& xen, Deadline deadline, Condition condition,
                                                const char* what_fmt, ...) {
    while (!condition()) {
        if (deadline.expired()) {
            char what[96];
            va_list ap;
            va_start(ap, what_fmt);
            vformat_to(what, sizeof what, what_fmt, ap);
            va_end(ap);
            return Error::make(Errc::timeout, "timed out after %lu ms waiting for %s", deadline.budget_ms(), what);
        }
        // Yield so a backend sharing our physical CPU can run; a failed yield
        // only costs speed, so it is not an error here.
        (void)sched_yield(xen);
    }
    return ok();
}

}  // namespace xb::xen
