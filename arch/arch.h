// The architecture surface the portable core uses. arch/arm64 implements it for
// the firmware, arch/host for host unit tests (same header, other sources).
#pragma once

#include <cstddef>
#include <cstdint>

namespace xb::arch {

// Generic-timer time: the virtual counter and its frequency.
std::uint64_t counter();
std::uint64_t counter_hz();

inline std::uint64_t ticks_to_us(std::uint64_t ticks) { return ticks * 1000000 / counter_hz(); }
inline std::uint64_t ticks_to_ms(std::uint64_t ticks) { return ticks * 1000 / counter_hz(); }

// Shared-memory barriers between this vCPU and Xen or another domain (all in
// the inner-shareable domain, as Xen's ABI requires for shared pages).
void barrier_full();    // orders all earlier loads/stores before all later ones
void barrier_stores();  // earlier stores become visible before later stores
void barrier_loads();   // earlier loads complete before later loads

// Cache maintenance by virtual address (identity-mapped), to the point of coherency.
void dcache_clean_range(const void* start, std::size_t size);
void dcache_clean_invalidate_range(const void* start, std::size_t size);
void icache_invalidate_all();

// A hint that the caller is spinning.
void cpu_relax();

// A one-shot wake-up at a counter value: the virtual timer, armed with its
// interrupt unmasked at the timer (xenboot keeps PSTATE.I set, so no handler
// ever runs). When it fires Xen injects the timer PPI, and the injection
// unblocks a vCPU that sleeps in SCHEDOP_poll: a timed sleep that leaves the
// CPU to dom0. clear_wakeup() disarms it. No-ops on the host.
void set_wakeup(std::uint64_t counter_value);
void clear_wakeup();
// True once the armed wake-up's time has come (the timer condition is met),
// whether or not Xen delivered its interrupt. A waiter asks this after
// arming and before blocking: an alarm that fired in between was masked by Xen
// and will not end the poll (EventChannels::block_on says why).
bool wakeup_due();

// Deliberately takes an exception of the given kind (the `exception` command,
// which tests the vectors and the register dump): stack_overflow recurses
// into the guard page below the stack, fault_in_report makes the report of a
// data abort fault in turn. Returns only where that is not possible (host builds).
enum class TestException { undefined_instruction, breakpoint, data_abort, stack_overflow, fault_in_report };
void raise_test_exception(TestException kind);

}  // namespace xb::arch
