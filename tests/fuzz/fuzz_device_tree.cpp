// Fuzzes device-tree parsing: any blob gives an error or sane facts, never a
// crash or an out-of-bounds read (ASan watches the copy's exact size).
#include <cstdint>
#include <cstring>
#include <vector>

#include "fdt/device_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // An exact-size, 8-byte aligned copy: reads past `size` are caught.
    std::vector<std::uint64_t> aligned((size + 7) / 8);
    if (size != 0) std::memcpy(aligned.data(), data, size);
    const void* blob = aligned.data();
    auto valid = xb::fdt::validate(blob, size);
    if (!valid.ok()) return 0;
    auto banks = xb::fdt::memory_banks(blob);
    if (banks.ok()) {
        for (unsigned i = 0; i < banks.value().count; ++i) {
            const xb::Range& r = banks.value().bank[i];
            if (r.size == 0 || r.base + r.size < r.base) __builtin_trap();
        }
    }
    auto hv = xb::fdt::hypervisor(blob);
    if (hv.ok() && hv.value().reg_count == 0) __builtin_trap();
    auto args = xb::fdt::bootargs(blob);
    if (args.ok()) (void)std::strlen(args.value());
    std::vector<std::uint8_t> copy(valid.value() + 1024);
    (void)xb::fdt::copy_to(blob, copy.data(), copy.size());
    return 0;
}
