// What lwIP needs from its platform (lwIP's doc/NO_SYS_SampleCode.c and
// sys.h: sys_now; arch/cc.h: the assert and LWIP_RAND), over xenboot's clock
// and panic. Only net/ sees lwIP.
#include "net/lwip_port.h"

#include <lwip/arch.h>
#include <lwip/sys.h>

#include "lib/clock.h"
#include "lib/panic.h"

namespace {

// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift
// generators"): DHCP transaction ids and ephemeral ports need to differ
// between boots and guests, not to be secret. Seeded from the MAC and the
// clock when a stack comes up (seed_random).
constinit std::uint64_t g_random_state = 0x9E3779B97F4A7C15ULL;

}  // namespace

namespace xb::net::lwip_port {

void seed_random(std::uint64_t seed) {
    g_random_state ^= seed;
    if (g_random_state == 0) g_random_state = 0x9E3779B97F4A7C15ULL;
}

std::uint32_t now_ms() {
    const std::uint64_t hz = clock_hz();
    // ticks * 1000 / hz without overflow for any tick count: 128-bit product.
    const auto ms = static_cast<unsigned __int128>(clock_ticks()) * 1000U / hz;
    return static_cast<std::uint32_t>(ms);  // lwIP's timers are modulo 2^32 ms (timeouts.c)
}

}  // namespace xb::net::lwip_port

extern "C" {

u32_t sys_now(void) { return xb::net::lwip_port::now_ms(); }

unsigned int xb_lwip_rand(void) {
    std::uint64_t x = g_random_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g_random_state = x;
    return static_cast<unsigned int>((x * 0x2545F4914F6CDD1DULL) >> 32);
}

void xb_lwip_assert(const char* message, const char* file, int line) {
    xb::panic("lwIP assertion failed: %s at %s:%d", message, file, line);
}

}  // extern "C"
