#include <cstdarg>

#include "lib/fatal.h"
#include "drivers/xen/hvc_xen_port.h"
#include "drivers/xen/hypercall.h"
#include "lib/panic.h"

namespace xb {
namespace {
// In .data, not BSS: a panic or fault in the first entry, which runs before
// the stub clears BSS (boot/entry.S step 3), must find them null and end the
// domain (cmake/check-early-bss.py checks that path).
[[gnu::section(".data.fatal")]] constinit Console* g_console = nullptr;
[[gnu::section(".data.fatal")]] constinit PowerControl* g_power = nullptr;
[[gnu::section(".data.fatal")]] constinit bool g_in_fatal = false;
}  // namespace

void set_fatal_console(Console* con) { g_console = con; }
void set_fatal_power(PowerControl* power) { g_power = power; }
Console* fatal_console() { return g_in_fatal ? nullptr : g_console; }

void halt_after_fatal() {
    // Entered again only from the nested-fault report (exceptions.S) after a
    // fault in here: skip the console, which may be what faulted.
    bool again = g_in_fatal;
    g_in_fatal = true;  // a fault while reporting must not recurse into the console
    if (!again && g_console != nullptr) g_console->flush();
    if (g_power != nullptr) {
        (void)g_power->power_off();
    } else {
        // Too early for the board's power control: ask Xen directly, as a
        // crash, so the operator's on_crash policy applies.
        xen::HvcXenPort xen;
        (void)xen::sched_shutdown(xen, xen::ShutdownReason::crash);
    }
    for (;;) asm volatile("wfi");
}

}  // namespace xb

namespace xb {

void panic(const char* fmt, ...) {
    if (Console* con = fatal_console()) {
        con->write("\n*** xenboot panic: ");
        va_list ap;
        va_start(ap, fmt);
        vformat(*con, fmt, ap);
        va_end(ap);
        con->write("\n*** powering off\n");
    }
    halt_after_fatal();
}

}  // namespace xb
