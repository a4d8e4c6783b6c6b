#include "lib/sha256.h"

#include <mbedtls/sha256.h>

#include <new>

namespace xb {
namespace {

static_assert(sizeof(mbedtls_sha256_context) <= 128 && alignof(mbedtls_sha256_context) <= 8,
              "Sha256::state_ must hold an mbedtls_sha256_context");

mbedtls_sha256_context* ctx_of(std::uint8_t* storage) {
    return std::launder(reinterpret_cast<mbedtls_sha256_context*>(storage));
}

}  // namespace

Sha256Digest sha256(const void* data, std::size_t len) {
    Sha256 h;
    h.update(data, len);
    return h.finish();
}

Sha256::Sha256() {
    auto* ctx = new (state_) mbedtls_sha256_context;
    mbedtls_sha256_init(ctx);
    // is224 = 0: SHA-256. The *_ret calls only fail for bad parameters
    // (MBEDTLS_ERR_SHA256_BAD_INPUT_DATA), which this class never passes.
    (void)mbedtls_sha256_starts_ret(ctx, 0);
}

Sha256::~Sha256() { mbedtls_sha256_free(ctx_of(state_)); }

void Sha256::update(const void* data, std::size_t len) {
    (void)mbedtls_sha256_update_ret(ctx_of(state_), static_cast<const unsigned char*>(data), len);
}

Sha256Digest Sha256::finish() {
    Sha256Digest out{};
    (void)mbedtls_sha256_finish_ret(ctx_of(state_), out.data());
    return out;
}

}  // namespace xb
