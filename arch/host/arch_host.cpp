// Host implementation of arch/arch.h for unit tests: a steady clock in place of
// the generic timer, C++ fences in place of DMB, and no caches to maintain.
#include <atomic>
#include <chrono>
#include <thread>

#include "arch/arch.h"
#include "lib/clock.h"

namespace xb::arch {

std::uint64_t counter() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}
std::uint64_t counter_hz() { return 1000000; }

void barrier_full() { std::atomic_thread_fence(std::memory_order_seq_cst); }
void barrier_stores() { std::atomic_thread_fence(std::memory_order_release); }
void barrier_loads() { std::atomic_thread_fence(std::memory_order_acquire); }

void dcache_clean_range(const void*, std::size_t) {}
void dcache_clean_invalidate_range(const void*, std::size_t) {}
void icache_invalidate_all() {}
void cpu_relax() { std::this_thread::yield(); }
void raise_test_exception(TestException) {}
void set_wakeup(std::uint64_t) {}
void clear_wakeup() {}

}  // namespace xb::arch

// lib/clock.h: deadlines and timings read the same counter as arch::counter().
namespace xb {
std::uint64_t clock_ticks() { return arch::counter(); }
std::uint64_t clock_hz() { return arch::counter_hz(); }
}  // namespace xb
