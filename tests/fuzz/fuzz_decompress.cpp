// Fuzzes compress/decompress: byte 0 picks the method (bits 0-2: gzip, zstd, xz,
// lzma, lz4; bit 3: patch that method's magic in, so the fuzzer reaches the
// compressed data at once), bytes 1-2 the output room / 16 (up to ~1 MiB);
// the rest is the compressed data. Must end without a crash, hang or write
// outside the buffer (ASan watches its exact size) and with one of the
// documented errors; a success must be reproducible, fit into a buffer of the
// size it reported and not into one byte less; an interruption must be
// reported as such.
#include <cstdint>
#include <cstring>
#include <vector>

#include "compress/decompress.h"

namespace {

using xb::compress::Compression;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct Stopper {
    std::uint64_t calls = 0;
    std::uint64_t stop_at = 0;
};

bool count_and_maybe_stop(void* context, std::uint64_t) {
    auto* s = static_cast<Stopper*>(context);
    return ++s->calls != s->stop_at;
}

constexpr Compression kMethods[] = {Compression::gzip, Compression::zstd, Compression::xz, Compression::lzma,
                                    Compression::lz4};

void patch_magic(Compression m, std::vector<std::uint8_t>& in) {
    static const std::uint8_t gzip[] = {0x1f, 0x8b, 0x08};
    static const std::uint8_t zstd[] = {0x28, 0xb5, 0x2f, 0xfd};
    static const std::uint8_t xz[] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
    static const std::uint8_t lzma[] = {0x5d, 0x00, 0x00, 0x01, 0x00};  // props, 64 KiB dictionary
    static const std::uint8_t lz4[] = {0x02, 0x21, 0x4c, 0x18};
    const std::uint8_t* magic = gzip;
    std::size_t n = sizeof gzip;
    switch (m) {
        case Compression::zstd: magic = zstd, n = sizeof zstd; break;
        case Compression::xz: magic = xz, n = sizeof xz; break;
        case Compression::lzma: magic = lzma, n = sizeof lzma; break;
        case Compression::lz4: magic = lz4, n = sizeof lz4; break;
        default: break;
    }
    if (in.size() >= n) std::memcpy(in.data(), magic, n);
}

bool documented(xb::Errc e) {
    return e == xb::Errc::bad_data || e == xb::Errc::no_space || e == xb::Errc::unsupported || e == xb::Errc::no_memory;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const Compression method = kMethods[(data[0] & 7) % 5];
    const std::size_t room = (static_cast<std::size_t>(data[1]) << 8 | data[2]) * 16;
    std::vector<std::uint8_t> in(data + 3, data + size);
    if ((data[0] & 8) != 0) patch_magic(method, in);
    std::vector<std::uint8_t> out(room);
    auto r = xb::compress::decompress(method, in, out);
    if (!r.ok()) {
        check(documented(r.error().code()));
        return 0;
    }
    const std::uint64_t n = r.value();
    check(n <= room);
    std::vector<std::uint8_t> exact(n);
    auto again = xb::compress::decompress(method, in, exact);
    check(again.ok() && again.value() == n && std::memcmp(exact.data(), out.data(), n) == 0);
    if (n > 0) {
        std::vector<std::uint8_t> short_by_one(n - 1);
        auto s = xb::compress::decompress(method, in, short_by_one);
        check(!s.ok() && s.error().code() == xb::Errc::no_space);
        Stopper stopper{0, 2};
        xb::compress::DecompressProgress progress{count_and_maybe_stop, &stopper, 64};
        auto p = xb::compress::decompress(method, in, exact, &progress);
        if (!p.ok()) check(p.error().code() == xb::Errc::interrupted && stopper.calls == 2);
    }
    return 0;
}
