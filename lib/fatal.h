// Where the firmware's last words go: panics and unexpected exceptions print on
// the console that board init registered, then power the guest off.
#pragma once

#include "lib/console.h"
#include "lib/power.h"

namespace xb {

void set_fatal_console(Console* con);
void set_fatal_power(PowerControl* power);
Console* fatal_console();
// Flushes the console and powers off; spins only if Xen and PSCI both refuse.
[[noreturn]] void halt_after_fatal();

}  // namespace xb
