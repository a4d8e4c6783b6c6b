// The arm64 Linux "Image" header and where the kernel must run, per Linux
// Documentation/arch/arm64/booting.rst ("Call the kernel image" and the
// 64-byte header): code0/code1, text_offset at 8, image_size at 16, flags at
// 24, magic "ARM\x64" at 0x38, all little-endian.
//
// Pure functions over bytes and a MemoryMap: nothing is read from or written
// to guest memory here. The caller copies the kernel (memmove: the old and new
// place may overlap) and jumps to the address chosen.
#pragma once

#include <cstdint>
#include <span>

#include "lib/memory_map.h"
#include "lib/result.h"
#include "lib/types.h"

namespace xb::loader {

inline constexpr std::uint64_t kArm64HeaderSize = 64;
// The kernel runs at a 2 MiB-aligned base plus text_offset.
inline constexpr std::uint64_t kArm64BaseAlign = 2ULL << 20;
// Largest image_size (and loaded file) accepted: arm64 kernels are tens of MiB
// including bss; anything above this is a corrupt header, not a kernel.
inline constexpr std::uint64_t kArm64MaxImageSize = 1ULL << 30;
// Kernels before Linux 3.17 leave image_size 0 and their text_offset is of
// unknown endianness: booting.rst says to assume 0x80000 then.
inline constexpr std::uint64_t kArm64LegacyTextOffset = 0x80000;
// ...and their bss size is unknown ("effectively unbounded" per booting.rst,
// which asks to keep as much memory as possible free after the image). The
// placement keeps this much free past the end of the file (rounded up to
// 2 MiB), far more than any such kernel's bss.
inline constexpr std::uint64_t kArm64LegacyBssAllowance = 8ULL << 20;
// booting.rst, flags bit 3 = 1: "all image_size bytes counted from the start
// of the image are within the 48-bit addressable range of physical memory".
inline constexpr std::uint64_t kArm64PhysLimit = 1ULL << 48;

struct Arm64Image {
    std::uint64_t text_offset = 0;  // from the 2 MiB-aligned base to the image start
    std::uint64_t image_size = 0;   // header value (bss included); 0 for pre-3.17 kernels
    bool size_known = false;        // false when image_size was 0 (legacy header)
    unsigned page_size_kib = 0;     // flags bits 1-2: 0 (unspecified), 4, 16 or 64
    bool anywhere = false;          // flags bit 3: base may be anywhere in RAM (below 2^48)
};

// Parses and validates the header at the start of a loaded Image.
// `first_bytes` is (at least the first 64 bytes of) the loaded file, whose full
// size is `loaded_size`. Errors (Errc::bad_data unless noted):
//   fewer than 64 bytes; bad magic at 0x38 (with a hint when the data is
//   gzip); Errc::unsupported for a big-endian kernel (flags bit 0);
//   image_size or loaded_size above kArm64MaxImageSize; text_offset not a
//   multiple of 4 KiB or not below 2 MiB (Linux only ever used 0, 0x80000 or
//   a page-aligned random offset below 2 MiB).
// Accepted: any page size, reserved flag bits 4-63 set (ignored), and
// image_size smaller than the file (a signature appended to a signed kernel
// lies past image_size; the footprint below covers both).
Result<Arm64Image> parse_arm64_image(std::span<const std::uint8_t> first_bytes, std::uint64_t loaded_size);

// Bytes from the image start that must be free RAM while the kernel runs:
// max(image_size, file_size), or for a legacy header (image_size 0)
// align_up(file_size, 2 MiB) + kArm64LegacyBssAllowance. Never overflows for
// inputs parse_arm64_image accepted.
std::uint64_t arm64_image_footprint(const Arm64Image& image, std::uint64_t file_size);

// Where the kernel must run (the address of its first byte, which the caller
// jumps to). `current` is where the file lies now (`file_size` bytes), `mem`
// gives free RAM, `keep_out` are ranges the kernel must not cover (initrd,
// device tree, a compressed source still to be read). The current image's own
// range is not a keep-out: moving onto itself is what memmove is for.
//
// A place P is suitable when P - text_offset is 2 MiB-aligned, the footprint
// [P, P + footprint) lies in one free range of `mem`, overlaps no keep-out,
// and (flags bit 3 set) ends at or below 2^48.
//   - flags bit 3 set ("anywhere"): `current` is kept if suitable; otherwise
//     the lowest suitable place.
//   - flags bit 3 clear (and legacy headers): booting.rst wants the base "as
//     close as possible to the base of DRAM, since memory below it is not
//     accessible via the linear mapping", so the lowest suitable place is
//     returned even when `current` would do (it is returned when it is the
//     lowest).
// Errc::no_space when no place exists; Errc::invalid_argument if file_size
// exceeds kArm64MaxImageSize.
Result<std::uint64_t> choose_kernel_address(const Arm64Image& image, std::uint64_t current, std::uint64_t file_size,
                                            const MemoryMap& mem, std::span<const Range> keep_out);

}  // namespace xb::loader
