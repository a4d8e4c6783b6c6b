#include "tests/sim/guest_ram.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>

namespace xb::sim {

GuestRam& GuestRam::get() {
    static GuestRam ram;
    return ram;
}

GuestRam::GuestRam() {
    void* p = mmap(reinterpret_cast<void*>(kBase), kSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
    if (p != reinterpret_cast<void*>(kBase)) {
        std::fprintf(stderr, "sim: cannot map guest RAM at 0x%lx\n", static_cast<unsigned long>(kBase));
        std::abort();
    }
    reset();
}

void GuestRam::reset() { heap_.init(base(), kSize); }

bool GuestRam::contains(const void* p, std::size_t len) const {
    auto a = reinterpret_cast<std::uintptr_t>(p);
    return a >= kBase && len <= kSize && a - kBase <= kSize - len;
}

}  // namespace xb::sim
