#include "boot/placement.h"

#include "xenboot/config.h"

namespace xb::boot {

std::uint64_t heap_size_for(std::uint64_t bank_size) {
    return bank_size >= (256ULL << 20) ? XENBOOT_HEAP_SIZE_LARGE : XENBOOT_HEAP_SIZE;
}

std::uint64_t choose_home(const PlacementInput& in) {
    const Range current{in.image_base, in.footprint};
    if (in.footprint == 0 || in.bank.size < in.footprint || !in.bank.contains(current)) return in.image_base;

    std::uint64_t top = in.bank.end();
    // A DTB near the top of the bank (libxenguest puts it at the end when it
    // does not fit at RAM+128 MiB) caps the home from above.
    if (in.dtb.size != 0 && in.bank.overlaps(in.dtb) && in.dtb.end() > top - in.footprint) top = in.dtb.base;
    if (top < in.bank.base + in.footprint) return in.image_base;

    std::uint64_t home = align_down(top - in.footprint, kHomeAlign);
    if (home < in.bank.base) return in.image_base;
    const Range candidate{home, in.footprint};
    if (home == in.image_base) return home;
    // Copying onto ourselves is not safe with the copy loop in entry.S, and a
    // home below the current image gains nothing.
    if (candidate.overlaps(current) || home < in.image_base) return in.image_base;
    if (candidate.overlaps(in.dtb)) return in.image_base;
    return home;
}

}  // namespace xb::boot
