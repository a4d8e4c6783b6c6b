// Fuzzes the arm64 Image header parser and the kernel placement. The input is
// the header (64 bytes; input byte 0 bit 0 set: the magic is patched in so the
// rest of the header is exercised), then the loaded size, the current address,
// RAM banks, reservations and keep-out ranges, all from the input. A parse
// that succeeds must give sane fields; a placement that succeeds must satisfy
// every rule the header and memory map impose.
#include <cstdint>
#include <cstring>
#include <vector>

#include "lib/memory_map.h"
#include "loader/arm64_image.h"

namespace {

using xb::Range;
namespace loader = xb::loader;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8 && pos_ < size_; ++i) v |= static_cast<std::uint64_t>(data_[pos_++]) << (8 * i);
        return v;
    }
    std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    // Addresses mostly in a small window (so ranges meet), sometimes anywhere.
    std::uint64_t address() {
        const std::uint64_t v = u64();
        return (v & 1) != 0 ? v : (v >> 1) % (1ULL << 32);
    }
    std::uint64_t length() {
        const std::uint64_t v = u64();
        return (v & 1) != 0 ? v : (v >> 1) % (1ULL << 30);
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

Range no_wrap(Range r) { return {r.base, r.size > ~0ULL - r.base ? ~0ULL - r.base : r.size}; }

std::uint64_t end_of(Range r) { return r.base > ~0ULL - r.size ? ~0ULL : r.base + r.size; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::size_t header_bytes = size < 64 ? size : 64;
    // An exact-size copy: reads past the header are caught.
    std::vector<std::uint8_t> header(data, data + header_bytes);
    if (header_bytes == 64 && (data[0] & 1) != 0) std::memcpy(header.data() + 0x38, "ARM\x64", 4);
    Input in(data + header_bytes, size - header_bytes);
    const std::uint64_t loaded = in.length();

    auto parsed = loader::parse_arm64_image(header, loaded);
    if (!parsed.ok()) return 0;
    const loader::Arm64Image& img = parsed.value();
    check(header_bytes == 64 && loaded >= 64 && loaded <= loader::kArm64MaxImageSize);
    check(img.text_offset < loader::kArm64BaseAlign && img.text_offset % 4096 == 0);
    check(img.size_known == (img.image_size != 0));
    check(img.image_size <= loader::kArm64MaxImageSize);
    check(img.page_size_kib == 0 || img.page_size_kib == 4 || img.page_size_kib == 16 || img.page_size_kib == 64);
    const std::uint64_t footprint = loader::arm64_image_footprint(img, loaded);
    check(footprint >= loaded && footprint >= img.image_size);

    xb::MemoryMap mem;
    // MemoryMap takes ranges that do not wrap past 2^64 (the device tree
    // parser and board code guarantee it); keep-outs may wrap.
    const unsigned banks = in.u8() % 4;
    for (unsigned i = 0; i < banks; ++i) mem.add_ram(no_wrap({in.address(), in.length()}));
    const unsigned reserved = in.u8() % 4;
    for (unsigned i = 0; i < reserved; ++i) mem.reserve(no_wrap({in.address(), in.length()}), "fuzz");
    std::vector<Range> keep(in.u8() % 5);
    for (Range& k : keep) k = {in.address(), in.length()};
    const std::uint64_t current = in.address();

    auto placed = loader::choose_kernel_address(img, current, loaded, mem, keep);
    if (!placed.ok()) return 0;
    const std::uint64_t at = placed.value();
    check(at >= img.text_offset && (at - img.text_offset) % loader::kArm64BaseAlign == 0);
    check(at <= ~0ULL - footprint);
    check(mem.is_free({at, footprint}));
    for (const Range& k : keep) check(k.size == 0 || at + footprint <= k.base || end_of(k) <= at);
    if (img.anywhere) check(at + footprint <= loader::kArm64PhysLimit);
    // With a fixed placement nothing lower may be suitable: the result is
    // where a scan from the bottom stops; spot-check the base just below.
    if (!img.anywhere && at >= img.text_offset + loader::kArm64BaseAlign) {
        const std::uint64_t lower = at - loader::kArm64BaseAlign;
        bool suitable = mem.is_free({lower, footprint});
        for (const Range& k : keep)
            suitable = suitable && (k.size == 0 || lower + footprint <= k.base || end_of(k) <= lower);
        check(!suitable);
    }
    return 0;
}
