// SHA-256 (FIPS 180-4), for FIT image hash nodes and the hash/sha256sum
// commands. Backed by Debian's mbedtls (libmbedcrypto: the host's in tests,
// the static arm64 one in the firmware), as U-Boot can use mbedtls for hashes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace xb {

using Sha256Digest = std::array<std::uint8_t, 32>;

// The digest of [data, data + len).
Sha256Digest sha256(const void* data, std::size_t len);

// Incremental hashing, for data that arrives in pieces. No heap; the state
// lives in the object (about 110 bytes).
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, std::size_t len);
    Sha256Digest finish();

  private:
    // Storage for mbedtls_sha256_context, kept opaque so that users of this
    // header do not need mbedtls's; sha256.cpp checks the size and alignment.
    alignas(8) std::uint8_t state_[128];
};

}  // namespace xb
