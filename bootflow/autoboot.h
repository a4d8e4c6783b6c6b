// Autoboot: after init, wait $bootdelay seconds with a countdown that any key
// stops (U-Boot's "Hit any key to stop autoboot"), then run $bootcmd.
//   bootdelay  > 0: count down;  0: boot at once, but a key already typed
//   still stops it;  -1: never autoboot;  -2: boot at once without looking
//   at the keyboard (U-Boot's meaning). Unset or not a number: 2.
// When bootcmd returns (nothing booted, or it was stopped) the prompt comes.
#pragma once

#include "shell/command.h"
#include "shell/shell.h"

namespace xb::cmd {

// True if the countdown ran out (boot), false if a key stopped it or
// bootdelay is -1.
bool autoboot_countdown(Context& ctx);

// Countdown, then $bootcmd through the shell.
void autoboot(Context& ctx, Shell& shell);

}  // namespace xb::cmd
