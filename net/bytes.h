// The two loops every received byte goes through (net/bytes.cpp): copying it
// out of a packet buffer, and the Internet checksum over it. lib's memcpy
// moves words only when source and destination are both 8-byte aligned, and a
// TCP payload (54 bytes into its frame) or a TFTP block (46) never is, nor is
// the place it goes in the load buffer (1460- and 1468-byte steps): these
// loops move and add 8 bytes at a time at any alignment (arm64 allows
// unaligned loads and stores to normal memory; SCTLR_EL1.A is clear, see
// boot/entry.S). lwIP uses them too (lwipopts.h: MEMCPY, LWIP_CHKSUM).
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {
// memcpy for non-overlapping ranges, 32 bytes a step at any alignment.
void* xb_net_copy(void* dst, const void* src, std::size_t n);
// lwIP's LWIP_CHKSUM contract (inet_chksum.c, lwip_standard_chksum): the
// non-inverted ones'-complement sum of `len` bytes at any address, as 16-bit
// words in memory order, folded to 16 bits (RFC 1071 §4.1).
std::uint16_t xb_net_chksum(const void* data, int len);
}

namespace xb::net {
inline void copy_bytes(void* dst, const void* src, std::size_t n) { xb_net_copy(dst, src, n); }
}  // namespace xb::net
