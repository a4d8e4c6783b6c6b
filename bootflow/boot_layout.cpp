#include "bootflow/boot_layout.h"

#include "lib/format.h"

namespace xb::cmd {
namespace {

constexpr std::uint64_t kMiB = 1ULL << 20;
constexpr std::uint64_t k2MiB = 2 * kMiB;

constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t a) { return v & ~(a - 1); }
constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) & ~(a - 1); }

}  // namespace

Result<BootLayout> choose_boot_layout(const MemoryMap& mem) {
    std::array<Range, MemoryMap::kMaxRanges> free{};
    const unsigned n = mem.free_ranges(free);
    Range best{};
    for (unsigned i = 0; i < n; ++i) {
        const std::uint64_t lo = align_up(free[i].base, k2MiB);
        const std::uint64_t hi = align_down(free[i].end(), k2MiB);
        if (hi > lo && hi - lo > best.size) best = Range{lo, hi - lo};
    }
    if (best.size < 16 * kMiB) return Error::make(Errc::not_found, "no free RAM range of 16 MiB for loading kernels");
    const std::uint64_t lo = best.base, size = best.size;
    BootLayout l;
    l.kernel = lo;
    l.kernel_comp = lo + align_down(size / 8 * 3, k2MiB);
    l.ramdisk = lo + align_down(size / 2, k2MiB);
    l.kernel_comp_size = l.ramdisk - l.kernel_comp;
    const std::uint64_t top = best.end() - 4 * kMiB;  // the top 4 MiB: fdt 2 MiB, script 1 MiB, pxefile 1 MiB
    l.fdt = top;
    l.script = top + 2 * kMiB;
    l.pxefile = top + 3 * kMiB;
    return l;
}

Status set_boot_layout_vars(Environment& env, const BootLayout& l) {
    const struct {
        const char* name;
        std::uint64_t value;
    } vars[] = {{"kernel_addr_r", l.kernel},
                {"kernel_comp_addr_r", l.kernel_comp},
                {"kernel_comp_size", l.kernel_comp_size},
                {"ramdisk_addr_r", l.ramdisk},
                {"fdt_addr_r", l.fdt},
                {"scriptaddr", l.script},
                {"pxefile_addr_r", l.pxefile},
                {"loadaddr", l.kernel}};
    // With 0x, as U-Boot boards write them in their default environments:
    // scripts build device-tree cells and expressions from them ("<0x0
    // ${ramdisk_addr_r} ...>"), where a bare hex number is not a number.
    for (const auto& v : vars) {
        if (env.get(v.name)) continue;
        char text[24];
        format_to(text, sizeof text, "0x%lx", v.value);
        TRY(env.set(v.name, text));
    }
    return ok();
}

Status set_fdt_vars(Environment& env, std::uint64_t dtb_copy) {
    if (dtb_copy == 0) return ok();
    for (const char* name : {"fdtcontroladdr", "fdt_addr"}) {
        if (!env.get(name)) TRY(env.set_hex(name, dtb_copy));
    }
    return ok();
}

}  // namespace xb::cmd
