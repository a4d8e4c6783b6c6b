// Accessors for memory shared with Xen or another domain. The other side may
// change it at any time, so every access is a single, untorn load or store
// (relaxed atomics); ordering comes from the explicit barriers in arch.h,
// placed as Xen's ring protocol (public/io/ring.h) prescribes.
#pragma once

#include <cstdint>

namespace xb::xen {

template <typename T>
inline T load_shared(const T& field) {
    return __atomic_load_n(&field, __ATOMIC_RELAXED);
}
template <typename T>
inline void store_shared(T& field, T value) {
    __atomic_store_n(&field, value, __ATOMIC_RELAXED);
}
// Read-modify-write on words Xen updates concurrently (event-channel bitmaps):
// must be atomic, or a bit Xen sets in between would be lost.
inline std::uint64_t fetch_and_shared(std::uint64_t& word, std::uint64_t mask) {
    return __atomic_fetch_and(&word, mask, __ATOMIC_SEQ_CST);
}
inline std::uint64_t fetch_or_shared(std::uint64_t& word, std::uint64_t mask) {
    return __atomic_fetch_or(&word, mask, __ATOMIC_SEQ_CST);
}

}  // namespace xb::xen
