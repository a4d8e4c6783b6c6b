// Unrecoverable internal errors (a broken invariant, never bad input: bad input
// gets a Result error). The firmware prints the message on the console and
// powers the guest off; host builds abort so tests see the failure.
#pragma once

namespace xb {

[[noreturn, gnu::format(printf, 1, 2)]] void panic(const char* fmt, ...);

}  // namespace xb
