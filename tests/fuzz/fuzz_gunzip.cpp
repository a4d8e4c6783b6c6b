// Fuzzes gzip inflation: the input (byte 0 bit 0 set: with the gzip magic
// patched in, so the fuzzer reaches the deflate data at once) inflates into a
// buffer whose size comes from the input. Must end without a crash, hang or
// write outside the buffer (ASan watches its exact size); a success must be
// reproducible, fit exactly into a buffer of the size it reported, and not fit
// into one byte less; an interruption must be reported as such.
#include <cstdint>
#include <cstring>
#include <vector>

#include "compress/gunzip.h"

namespace {

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::size_t room = (static_cast<std::size_t>(data[1]) << 8 | data[2]) * 16;  // up to ~1 MiB
    std::vector<std::uint8_t> in(data + 3, data + size);
    if ((data[0] & 1) != 0 && in.size() >= 3) {
        in[0] = 0x1f;
        in[1] = 0x8b;
        in[2] = 0x08;
    }
    std::vector<std::uint8_t> out(room);
    auto r = xb::compress::gunzip(in, out);
    if (!r.ok()) {
        check(r.error().code() == xb::Errc::bad_data || r.error().code() == xb::Errc::no_space);
        return 0;
    }
    const std::uint64_t n = r.value();
    check(n <= room);
    std::vector<std::uint8_t> exact(n);
    auto again = xb::compress::gunzip(in, exact);
    check(again.ok() && again.value() == n && std::memcmp(exact.data(), out.data(), n) == 0);
    if (n > 0) {
        std::vector<std::uint8_t> short_by_one(n - 1);
        auto s = xb::compress::gunzip(in, short_by_one);
        check(!s.ok() && s.error().code() == xb::Errc::no_space);
        // Progress every 64 bytes, stopping at the second report.
        Stopper stopper{0, 2};
        xb::compress::GunzipProgress progress{count_and_maybe_stop, &stopper, 64};
        auto p = xb::compress::gunzip(in, exact, &progress);
        check(p.ok() == (stopper.calls < 2));
        if (!p.ok()) check(p.error().code() == xb::Errc::interrupted);
    }
    return 0;
}
