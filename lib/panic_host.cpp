// Host builds: a panic is a test failure; abort so the test runner reports it.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "lib/panic.h"

namespace xb {

void panic(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fputs("xenboot panic: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputs("\n", stderr);
    va_end(ap);
    std::abort();
}

}  // namespace xb
