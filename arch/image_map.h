// The final page tables around xenboot's own image: W^X and guard pages.
// The board maps RAM banks (and pages shared with Xen) as plain read/write,
// never-executable memory; where such a range covers xenboot's image, the
// image is mapped part by part instead (boot/linker.ld, boot/entry.S):
// code read-only and executable, constants read-only, data and stacks
// read/write, and the guard page below each stack not at all.
// Architecture-neutral and tested on the host (tests/unit/arch).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "arch/page_table.h"
#include "lib/types.h"

namespace xb::arch {

struct ImageRegion {
    Range range;
    bool mapped;   // false: a guard page, left unmapped so any access faults
    MemType type;  // when mapped
};

// The boundaries the linker script and entry stub export, all page-aligned.
struct ImageSymbols {
    std::uint64_t image_start;  // __image_start
    std::uint64_t text_end;     // __text_end: end of code
    std::uint64_t rodata_end;   // __rodata_end: end of read-only data
    std::uint64_t stack_guard;  // __stack_guard: guard page, then the main stack up to
    std::uint64_t stack_top;    // __stack_top == __exc_stack_guard
    std::uint64_t exc_top;      // __exc_stack_top == __nested_stack_guard
    std::uint64_t nested_top;   // __nested_stack_top
    std::uint64_t image_end;    // __bss_end
};

inline constexpr std::size_t kImageRegions = 9;
inline constexpr std::uint64_t kGuardSize = 4096;

// The image's regions in address order, contiguous from image_start to image_end.
std::array<ImageRegion, kImageRegions> image_regions(const ImageSymbols& s);

// Maps ranges into a PageTableBuilder, carving xenboot's image out of them.
class ImageAwareMapper {
  public:
    // regions: contiguous, in address order, page-aligned (image_regions()).
    ImageAwareMapper(PageTableBuilder& builder, std::span<const ImageRegion> regions);

    // Maps range with type, except where it overlaps the image: the first
    // range that does maps the whole image with the regions' own attributes.
    Status map(Range range, MemType type);

  private:
    Status map_image();

    PageTableBuilder& builder_;
    std::span<const ImageRegion> regions_;
    Range image_;
    bool image_mapped_ = false;
};

}  // namespace xb::arch
