#include "drivers/xen/hvc_xen_port.h"

namespace xb::xen {

long HvcXenPort::hypercall(Hypercall op, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2) {
    // Arm hypercall ABI (public/arch-arm.h): number in x16, arguments in x0-x4,
    // result in x0; Xen may clobber x0-x4 and x16 (debug builds do on purpose).
    register std::uint64_t x0 asm("x0") = a0;
    register std::uint64_t x1 asm("x1") = a1;
    register std::uint64_t x2 asm("x2") = a2;
    register std::uint64_t x3 asm("x3") = 0;
    register std::uint64_t x4 asm("x4") = 0;
    register std::uint64_t x16 asm("x16") = static_cast<std::uint64_t>(op);
    asm volatile("hvc #0xEA1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x16) : : "memory");
    return static_cast<long>(x0);
}

}  // namespace xb::xen
