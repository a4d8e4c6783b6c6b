// The console fixup: distribution command lines name the consoles of real
// hardware (console=ttyS0,115200 on Debian and Fedora cloud images,
// console=ttyAMA0 on others, console=tty0 for a screen). A Xen guest has none
// of them, and Linux sends its messages only to the consoles named, so such a
// kernel boots silently: nothing appears on `xl console`. When a command line
// names consoles and all of them are of that kind, booti appends console=hvc0
// (the Xen PV console, drivers/tty/hvc/hvc_xen.c in Linux) and says so.
// `$console_fixup=0` turns it off. A line that names no console at all is
// left alone: Linux then picks hvc0 itself on Xen.
#pragma once

#include <cstddef>
#include <string_view>

namespace xb::cmd {

struct ConsoleCheck {
    bool append_hvc0 = false;
    unsigned named = 0;   // console= arguments before "--"
    char first[48] = "";  // the first console named, for the message
};

// Looks at the console= arguments of `cmdline` (Linux's rules: words split at
// spaces outside double quotes, everything after " -- " goes to init).
// Consoles a Xen guest does not have: ttyS*, ttyAMA*, tty<N>.
ConsoleCheck check_consoles(std::string_view cmdline);

// `cmdline` + " console=hvc0" into out (NUL-terminated); false if it does not fit.
bool append_hvc0(std::string_view cmdline, char* out, std::size_t size);

}  // namespace xb::cmd
