// Deterministic pseudo-random test data (disk images, buffers).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace xb::sim {

inline std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> d(n);
    std::mt19937 rng(seed);
    for (auto& b : d) b = static_cast<std::uint8_t>(rng());
    return d;
}

}  // namespace xb::sim
