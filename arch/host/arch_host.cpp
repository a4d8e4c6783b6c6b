// Host implementation of arch/arch.h for unit tests and fuzzers: a virtual
// clock in place of the generic timer (arch/host/virtual_clock.h), C++ fences
// in place of DMB, and no caches to maintain.
#include <atomic>

#include "arch/arch.h"
#include "lib/clock.h"
#include "arch/host/virtual_clock.h"

namespace xb::arch {

namespace {

// Starts well away from 0 so that "counter - a few seconds" never wraps in a test.
std::atomic<std::uint64_t> g_now{1'000'000'000};
constexpr std::uint64_t kNoWakeup = UINT64_MAX;
std::atomic<std::uint64_t> g_wakeup{kNoWakeup};

// What a spin-wait hint costs in virtual time: small, but a loop of them ends.
constexpr std::uint64_t kRelaxTicks = 1;

std::atomic<virtual_clock::ArmHook> g_arm_hook{nullptr};
std::atomic<void*> g_arm_hook_context{nullptr};

}  // namespace

namespace virtual_clock {

std::uint64_t now() { return g_now.load(std::memory_order_relaxed); }

void advance(std::uint64_t ticks) { g_now.fetch_add(ticks, std::memory_order_relaxed); }

void advance_to(std::uint64_t counter_value) {
    std::uint64_t seen = g_now.load(std::memory_order_relaxed);
    while (seen < counter_value && !g_now.compare_exchange_weak(seen, counter_value, std::memory_order_relaxed)) {}
}

std::optional<std::uint64_t> wakeup() {
    const std::uint64_t w = g_wakeup.load(std::memory_order_relaxed);
    if (w == kNoWakeup) return std::nullopt;
    return w;
}

void set_arm_hook(ArmHook hook, void* context) {
    g_arm_hook_context.store(context, std::memory_order_relaxed);
    g_arm_hook.store(hook, std::memory_order_relaxed);
}

}  // namespace virtual_clock

// Each read moves time by one tick: strictly increasing, and a loop that only
// watches the counter still reaches its deadline.
std::uint64_t counter() { return g_now.fetch_add(1, std::memory_order_relaxed) + 1; }
std::uint64_t counter_hz() { return 1000000; }

void barrier_full() { std::atomic_thread_fence(std::memory_order_seq_cst); }
void barrier_stores() { std::atomic_thread_fence(std::memory_order_release); }
void barrier_loads() { std::atomic_thread_fence(std::memory_order_acquire); }

void dcache_clean_range(const void*, std::size_t) {}
void dcache_clean_invalidate_range(const void*, std::size_t) {}
void icache_invalidate_all() {}
void cpu_relax() { virtual_clock::advance(kRelaxTicks); }
void raise_test_exception(TestException) {}
void set_wakeup(std::uint64_t counter_value) {
    g_wakeup.store(counter_value, std::memory_order_relaxed);
    if (virtual_clock::ArmHook hook = g_arm_hook.load(std::memory_order_relaxed)) {
        hook(g_arm_hook_context.load(std::memory_order_relaxed), counter_value);
    }
}
void clear_wakeup() { g_wakeup.store(kNoWakeup, std::memory_order_relaxed); }
// The timer condition, as CNTV_CTL_EL0.ISTATUS reports it: armed and due.
bool wakeup_due() {
    const std::uint64_t w = g_wakeup.load(std::memory_order_relaxed);
    return w != kNoWakeup && virtual_clock::now() >= w;
}

}  // namespace xb::arch

// lib/clock.h: deadlines and timings read the same counter as arch::counter().
namespace xb {
std::uint64_t clock_ticks() { return arch::counter(); }
std::uint64_t clock_hz() { return arch::counter_hz(); }
}  // namespace xb
