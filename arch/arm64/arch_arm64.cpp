// arm64 implementation of arch/arch.h.
#include "arch/arch.h"
#include "lib/clock.h"

#include "arch/arm64/exception_test.h"
#include "arch/arm64/sysreg.h"

namespace xb::arch {

std::uint64_t counter() {
    // ISB so the read is not speculated ahead of earlier instructions (Arm ARM D11.2.2).
    asm volatile("isb" ::: "memory");
    return XB_READ_SYSREG(cntvct_el0);
}

std::uint64_t counter_hz() {
    std::uint64_t hz = XB_READ_SYSREG(cntfrq_el0);
    return hz != 0 ? hz : 1;  // never divide by zero, even on a broken CNTFRQ
}

// Xen's shared memory is Normal Inner-Shareable, so inner-shareable DMBs order
// our accesses against Xen and the backend domains (as Linux's virt_*mb do).
void barrier_full() { asm volatile("dmb ish" ::: "memory"); }
void barrier_stores() { asm volatile("dmb ishst" ::: "memory"); }
void barrier_loads() { asm volatile("dmb ishld" ::: "memory"); }

namespace {
std::uint64_t dcache_line() {
    // CTR_EL0.DminLine: log2 of the smallest data cache line in words.
    return 4ULL << ((XB_READ_SYSREG(ctr_el0) >> 16) & 0xf);
}
}  // namespace

// One pass of a by-VA cache operation over [start, start + size), then DSB.
template <bool kInvalidate>
void dcache_by_line(const void* start, std::size_t size) {
    std::uint64_t line = dcache_line();
    auto a = reinterpret_cast<std::uint64_t>(start) & ~(line - 1);
    std::uint64_t end = reinterpret_cast<std::uint64_t>(start) + size;
    for (; a < end; a += line) {
        if constexpr (kInvalidate) asm volatile("dc civac, %0" ::"r"(a) : "memory");
        else asm volatile("dc cvac, %0" ::"r"(a) : "memory");
    }
    asm volatile("dsb sy" ::: "memory");
}

void dcache_clean_range(const void* start, std::size_t size) { dcache_by_line<false>(start, size); }
void dcache_clean_invalidate_range(const void* start, std::size_t size) { dcache_by_line<true>(start, size); }

void icache_invalidate_all() { asm volatile("ic iallu\n dsb nsh\n isb" ::: "memory"); }

void cpu_relax() { asm volatile("yield" ::: "memory"); }

void set_wakeup(std::uint64_t counter_value) {
    XB_WRITE_SYSREG(cntv_cval_el0, counter_value);
    XB_WRITE_SYSREG(cntv_ctl_el0, 1);  // ENABLE, IMASK clear
    asm volatile("isb" ::: "memory");
}

void clear_wakeup() {
    XB_WRITE_SYSREG(cntv_ctl_el0, 0);
    asm volatile("isb" ::: "memory");
}

bool wakeup_due() {
    // CNTV_CTL_EL0.ISTATUS (bit 2) is the timer condition, CVAL <= counter,
    // while ENABLE is set, whatever IMASK says (Arm ARM D11.2.4 "Operation of
    // the CompareValue views of the timers"); Xen sets IMASK when the alarm
    // fires, so only ISTATUS tells that it did. The counter comparison covers a
    // disabled timer (ISTATUS is then UNKNOWN) without trusting it.
    asm volatile("isb" ::: "memory");
    const std::uint64_t ctl = XB_READ_SYSREG(cntv_ctl_el0);
    if ((ctl & 1) == 0) return false;  // not armed
    if ((ctl & 4) != 0) return true;
    return XB_READ_SYSREG(cntvct_el0) >= XB_READ_SYSREG(cntv_cval_el0);
}

namespace {
constinit volatile bool g_recursion_stop = false;  // never set: keeps the recursion from being folded

// Eats the stack 512 bytes a call until a push lands in the guard page.
[[gnu::noinline]] std::uint64_t eat_stack(std::uint64_t depth) {
    volatile std::uint64_t pad[64];
    pad[depth % 64] = depth;
    if (g_recursion_stop) return pad[0];
    return eat_stack(depth + 1) + pad[depth % 64];
}
}  // namespace

void raise_test_exception(TestException kind) {
    switch (kind) {
        case TestException::undefined_instruction: asm volatile("udf #0" ::: "memory"); break;
        case TestException::breakpoint: asm volatile("brk #0x7b" ::: "memory"); break;
        case TestException::data_abort: {
            // Page 0 is never mapped (RAM and Xen's windows are far above it).
            std::uint64_t value;
            asm volatile("ldr %0, [%1]" : "=r"(value) : "r"(std::uint64_t{0x10}) : "memory");
            break;
        }
        case TestException::stack_overflow: (void)eat_stack(0); break;
        case TestException::fault_in_report:
            arm64::fault_in_next_report();
            raise_test_exception(TestException::data_abort);
            break;
    }
}

}  // namespace xb::arch

// lib/clock.h: deadlines and timings read the same counter as arch::counter().
namespace xb {
std::uint64_t clock_ticks() { return arch::counter(); }
std::uint64_t clock_hz() { return arch::counter_hz(); }
}  // namespace xb
