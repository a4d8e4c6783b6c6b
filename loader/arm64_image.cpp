#include "loader/arm64_image.h"

#include <array>

#include "compress/gunzip.h"
#include "lib/endian.h"

namespace xb::loader {
namespace {

constexpr std::uint32_t kMagic = 0x644d5241;  // "ARM\x64" read little-endian
constexpr unsigned kMagicOffset = 0x38;
constexpr std::uint64_t kTextOffsetAlign = 4096;

constexpr std::uint64_t kFlagBigEndian = 1u << 0;
constexpr unsigned kFlagPageSizeShift = 1;
constexpr std::uint64_t kFlagPageSizeMask = 3;
constexpr std::uint64_t kFlagAnywhere = 1u << 3;

constexpr std::uint64_t kMax = ~0ULL;

// End of a range, saturated at 2^64 - 1 instead of wrapping.
std::uint64_t end_of(Range r) { return r.base > kMax - r.size ? kMax : r.base + r.size; }

bool overlaps(std::uint64_t a_base, std::uint64_t a_end, Range r) {
    return r.size != 0 && a_base < end_of(r) && r.base < a_end;
}

// The first P >= at_least with P - text_offset 2 MiB-aligned; false if none
// below 2^64.
bool next_candidate(std::uint64_t at_least, std::uint64_t text_offset, std::uint64_t& out) {
    const std::uint64_t from = at_least > text_offset ? at_least - text_offset : 0;
    if (from > kMax - (kArm64BaseAlign - 1)) return false;
    const std::uint64_t base = align_up(from, kArm64BaseAlign);
    if (base > kMax - text_offset) return false;
    out = base + text_offset;
    return true;
}

struct Placement {
    const Arm64Image& image;
    std::uint64_t footprint;
    const MemoryMap& mem;
    std::span<const Range> keep_out;

    const Range* first_keep_out_hit(std::uint64_t at, std::uint64_t end) const {
        for (const Range& k : keep_out) {
            if (overlaps(at, end, k)) return &k;
        }
        return nullptr;
    }

    bool within_limit(std::uint64_t end) const { return !image.anywhere || end <= kArm64PhysLimit; }

    bool suitable(std::uint64_t at) const {
        if (at < image.text_offset || (at - image.text_offset) % kArm64BaseAlign != 0) return false;
        if (at > kMax - footprint) return false;
        const std::uint64_t end = at + footprint;
        return within_limit(end) && mem.is_free(Range{at, footprint}) && first_keep_out_hit(at, end) == nullptr;
    }

    // Lowest suitable place inside one free range, if any. Each keep-out hit
    // moves the candidate past that keep-out's end, so no keep-out is hit
    // twice: keep_out.size() + 1 rounds suffice.
    bool lowest_in(Range free, std::uint64_t& out) const {
        const std::uint64_t free_end = end_of(free);
        std::uint64_t at = 0;
        if (!next_candidate(free.base, image.text_offset, at)) return false;
        for (std::size_t round = 0; round <= keep_out.size(); ++round) {
            if (at > kMax - footprint) return false;
            const std::uint64_t end = at + footprint;
            if (end > free_end || !within_limit(end)) return false;
            const Range* hit = first_keep_out_hit(at, end);
            if (hit == nullptr) {
                out = at;
                return true;
            }
            if (!next_candidate(end_of(*hit), image.text_offset, at)) return false;
        }
        return false;
    }

    bool lowest(std::uint64_t& out) const {
        std::array<Range, MemoryMap::kMaxRanges> free{};
        const unsigned n = mem.free_ranges(free);  // address order
        for (unsigned i = 0; i < n; ++i) {
            if (lowest_in(free[i], out)) return true;
        }
        return false;
    }
};

}  // namespace

Result<Arm64Image> parse_arm64_image(std::span<const std::uint8_t> first_bytes, std::uint64_t loaded_size) {
    const std::uint64_t have = first_bytes.size() < loaded_size ? first_bytes.size() : loaded_size;
    if (have < kArm64HeaderSize) {
        return Error::make(Errc::bad_data, "not an arm64 Image: only %lu bytes (the header is %lu)", have,
                           kArm64HeaderSize);
    }
    const std::uint8_t* h = first_bytes.data();
    if (load_le32(h + kMagicOffset) != kMagic) {
        const std::uint8_t* m = h + kMagicOffset;
        return Error::make(
            Errc::bad_data, "not an arm64 Image: bad magic at 0x38 (got %02x %02x %02x %02x, want 41 52 4d 64)%s", m[0],
            m[1], m[2], m[3], compress::is_gzip(first_bytes) ? "; this is gzip data: inflate it first" : "");
    }
    if (loaded_size > kArm64MaxImageSize) {
        return Error::make(Errc::bad_data, "arm64 Image: file of %lu bytes is larger than the %lu accepted",
                           loaded_size, kArm64MaxImageSize);
    }
    Arm64Image image;
    image.image_size = load_le64(h + 16);
    if (image.image_size == 0) {
        // Pre-3.17 header: text_offset of unknown endianness, flags not defined.
        image.text_offset = kArm64LegacyTextOffset;
        return image;
    }
    image.size_known = true;
    image.text_offset = load_le64(h + 8);
    const std::uint64_t flags = load_le64(h + 24);
    if ((flags & kFlagBigEndian) != 0) {
        return Error::make(Errc::unsupported,
                           "arm64 Image is a big-endian kernel (flags 0x%lx): only little-endian kernels boot", flags);
    }
    if (image.image_size > kArm64MaxImageSize) {
        return Error::make(Errc::bad_data, "arm64 Image: image_size 0x%lx is larger than the %lu bytes accepted",
                           image.image_size, kArm64MaxImageSize);
    }
    if (image.text_offset >= kArm64BaseAlign || image.text_offset % kTextOffsetAlign != 0) {
        return Error::make(Errc::bad_data, "arm64 Image: text_offset 0x%lx is not a 4 KiB multiple below 2 MiB",
                           image.text_offset);
    }
    static constexpr unsigned kPageKib[] = {0, 4, 16, 64};
    image.page_size_kib = kPageKib[(flags >> kFlagPageSizeShift) & kFlagPageSizeMask];
    image.anywhere = (flags & kFlagAnywhere) != 0;
    return image;
}

std::uint64_t arm64_image_footprint(const Arm64Image& image, std::uint64_t file_size) {
    if (file_size > kArm64MaxImageSize) file_size = kArm64MaxImageSize;  // parse refused larger files
    if (!image.size_known) return align_up(file_size, kArm64BaseAlign) + kArm64LegacyBssAllowance;
    const std::uint64_t size = image.image_size > kArm64MaxImageSize ? kArm64MaxImageSize : image.image_size;
    return size > file_size ? size : file_size;
}

Result<std::uint64_t> choose_kernel_address(const Arm64Image& image, std::uint64_t current, std::uint64_t file_size,
                                            const MemoryMap& mem, std::span<const Range> keep_out) {
    if (file_size > kArm64MaxImageSize) {
        return Error::make(Errc::invalid_argument, "kernel file of %lu bytes is larger than the %lu accepted",
                           file_size, kArm64MaxImageSize);
    }
    const Placement placement{image, arm64_image_footprint(image, file_size), mem, keep_out};
    if (image.anywhere && placement.suitable(current)) return current;
    std::uint64_t at = 0;
    if (placement.lowest(at)) return at;
    return Error::make(Errc::no_space,
                       "no room for the kernel: 0x%lx bytes at a 2 MiB-aligned base + text_offset 0x%lx in free RAM, "
                       "clear of the initrd, device tree and source%s",
                       placement.footprint, image.text_offset, image.anywhere ? " and below 2^48" : "");
}

}  // namespace xb::loader
