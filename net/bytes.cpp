// See bytes.h. Built -O2 and without loop-pattern distribution
// (net/CMakeLists.txt), so GCC neither shrinks the unrolled loops nor turns
// the copy back into a call to memcpy.
#include "net/bytes.h"

#include <cstring>

namespace {

inline std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v;
    __builtin_memcpy(&v, p, sizeof v);  // one (unaligned) ldr
    return v;
}

inline void store64(std::uint8_t* p, std::uint64_t v) { __builtin_memcpy(p, &v, sizeof v); }

// A 64-bit word as the sum of its 32-bit halves: congruent, modulo 0xffff, to
// the sum of its four 16-bit words (2^16 = 1 mod 0xffff), so the fold below
// gives what summing 16-bit words gives (RFC 1071 §2 (C), "parallel summation").
inline std::uint64_t halves(std::uint64_t w) { return (w & 0xffffffffU) + (w >> 32); }

}  // namespace

extern "C" {

void* xb_net_copy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<std::uint8_t*>(dst);
    const auto* s = static_cast<const std::uint8_t*>(src);
    for (; n >= 32; n -= 32, d += 32, s += 32) {
        const std::uint64_t a = load64(s), b = load64(s + 8), c = load64(s + 16), e = load64(s + 24);
        store64(d, a);
        store64(d + 8, b);
        store64(d + 16, c);
        store64(d + 24, e);
    }
    for (; n >= 8; n -= 8, d += 8, s += 8) store64(d, load64(s));
    for (; n != 0; --n) *d++ = *s++;
    return dst;
}

std::uint16_t xb_net_chksum(const void* data, int len) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::size_t n = len > 0 ? static_cast<std::size_t>(len) : 0;
    // Summed from an even address, as 16-bit words would be; a buffer that
    // starts at an odd address has its first byte as the high half (in
    // memory order) of a word, and the sum is byte-swapped at the end (RFC
    // 1071 §2 (B): the sum is independent of byte order up to that swap).
    const bool odd = (reinterpret_cast<std::uintptr_t>(p) & 1) != 0;
    std::uint64_t sum = 0;
    if (odd && n != 0) {
        std::uint8_t w[2] = {0, *p++};
        std::uint16_t v;
        std::memcpy(&v, w, 2);
        sum = v;
        --n;
    }
    // At most 2^33 per step over at most 2^31 bytes: no 64-bit overflow.
    std::uint64_t s1 = 0, s2 = 0;
    for (; n >= 32; n -= 32, p += 32) {
        s1 += halves(load64(p)) + halves(load64(p + 8));
        s2 += halves(load64(p + 16)) + halves(load64(p + 24));
    }
    sum += s1 + s2;
    for (; n >= 8; n -= 8, p += 8) sum += halves(load64(p));
    for (; n >= 2; n -= 2, p += 2) {
        std::uint16_t v;
        std::memcpy(&v, p, 2);
        sum += v;
    }
    if (n != 0) {
        std::uint8_t w[2] = {*p, 0};
        std::uint16_t v;
        std::memcpy(&v, w, 2);
        sum += v;
    }
    // End-around carries (RFC 1071 §4.1): nonzero stays nonzero, as in lwIP's fold.
    sum = (sum & 0xffffffffU) + (sum >> 32);
    sum = (sum & 0xffffffffU) + (sum >> 32);
    sum = (sum & 0xffffU) + (sum >> 16);
    sum = (sum & 0xffffU) + (sum >> 16);
    sum = (sum & 0xffffU) + (sum >> 16);
    auto r = static_cast<std::uint16_t>(sum);
    if (odd) r = static_cast<std::uint16_t>(r << 8 | r >> 8);
    return r;
}

}  // extern "C"
