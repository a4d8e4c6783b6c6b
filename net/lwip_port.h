// The platform side of lwIP (net/lwip_port.cpp): its clock and its random
// numbers. lwIP's configuration is in net/lwip_port/ (lwipopts.h, arch/cc.h).
#pragma once

#include <cstdint>

namespace xb::net::lwip_port {

// Mixes `seed` into the generator behind LWIP_RAND (DHCP xid, local ports).
void seed_random(std::uint64_t seed);
// sys_now(): milliseconds on xenboot's monotonic clock, modulo 2^32.
std::uint32_t now_ms();

}  // namespace xb::net::lwip_port
