#include "arch/image_map.h"

namespace xb::arch {

std::array<ImageRegion, kImageRegions> image_regions(const ImageSymbols& s) {
    auto span = [](std::uint64_t from, std::uint64_t to) { return Range{from, to - from}; };
    const std::uint64_t exc_guard = s.stack_top;
    const std::uint64_t nested_guard = s.exc_top;
    return {{
        {span(s.image_start, s.text_end), true, MemType::text},
        {span(s.text_end, s.rodata_end), true, MemType::rodata},
        {span(s.rodata_end, s.stack_guard), true, MemType::normal},  // data, BSS, page-table pool
        {span(s.stack_guard, s.stack_guard + kGuardSize), false, MemType::normal},
        {span(s.stack_guard + kGuardSize, s.stack_top), true, MemType::normal},
        {span(exc_guard, exc_guard + kGuardSize), false, MemType::normal},
        {span(exc_guard + kGuardSize, s.exc_top), true, MemType::normal},
        {span(nested_guard, nested_guard + kGuardSize), false, MemType::normal},
        {span(nested_guard + kGuardSize, s.image_end), true, MemType::normal},  // nested stack
    }};
}

ImageAwareMapper::ImageAwareMapper(PageTableBuilder& builder, std::span<const ImageRegion> regions)
    : builder_(builder), regions_(regions) {
    if (!regions.empty())
        image_ = Range{regions.front().range.base, regions.back().range.end() - regions.front().range.base};
}

Status ImageAwareMapper::map_image() {
    for (const ImageRegion& r : regions_) {
        if (r.mapped && r.range.size != 0) TRY(builder_.map(r.range.base, r.range.size, r.type));
    }
    image_mapped_ = true;
    return ok();
}

Status ImageAwareMapper::map(Range range, MemType type) {
    if (!range.overlaps(image_)) return builder_.map(range.base, range.size, type);
    if (range.base < image_.base) TRY(builder_.map(range.base, image_.base - range.base, type));
    if (range.end() > image_.end()) TRY(builder_.map(image_.end(), range.end() - image_.end(), type));
    return image_mapped_ ? ok() : map_image();
}

}  // namespace xb::arch
