// Fuzzes what `fdt print` / `fdt list` and `fdt chosen` (booti's fixup) do with
// a device tree: any blob that passes fdt::validate prints without a crash or
// an out-of-bounds read, and fixup_chosen on it either fails cleanly or leaves
// a tree that still validates and holds the values it set.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "fdt/chosen.h"
#include "fdt/device_tree.h"
#include "fdt/tree_print.h"

extern "C" {
#include <libfdt.h>
}

namespace {

class CountingSink final : public xb::Sink {
  public:
    void put(std::string_view text) override { bytes += text.size(); }
    std::size_t bytes = 0;
};

void print_all(const void* blob) {
    CountingSink sink;
    (void)xb::fdt::print_node(sink, blob, 0, xb::fdt::kMaxPrintDepth);
    (void)xb::fdt::print_node(sink, blob, 0, 1);
    const int chosen = fdt_path_offset(blob, "/chosen");
    if (chosen >= 0) (void)xb::fdt::print_node(sink, blob, chosen, xb::fdt::kMaxPrintDepth);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // An exact-size, 8-byte aligned copy: reads past `size` are caught.
    std::vector<std::uint64_t> aligned((size + 7) / 8);
    if (size != 0) std::memcpy(aligned.data(), data, size);
    void* blob = aligned.data();
    if (!xb::fdt::validate(blob, size).ok()) return 0;
    print_all(blob);

    // booti's fixup, in a buffer with room to grow.
    const std::size_t room = (size + 512 + 7) & ~std::size_t{7};
    std::vector<std::uint64_t> copy(room / 8);
    std::memcpy(copy.data(), data, size);
    const xb::Range initrd{0x48000000, 0x1000 + size};
    xb::Status fixed = xb::fdt::fixup_chosen(copy.data(), room, "console=hvc0", initrd);
    if (!fixed.ok()) return 0;
    if (!xb::fdt::validate(copy.data(), room).ok()) __builtin_trap();
    const int chosen = fdt_path_offset(copy.data(), "/chosen");
    if (chosen < 0) __builtin_trap();
    int len = 0;
    const void* start = fdt_getprop(copy.data(), chosen, "linux,initrd-start", &len);
    if (start == nullptr || len != 8 || fdt64_ld(static_cast<const fdt64_t*>(start)) != initrd.base) __builtin_trap();
    const char* args = static_cast<const char*>(fdt_getprop(copy.data(), chosen, "bootargs", &len));
    if (args == nullptr || len != 13 || std::memcmp(args, "console=hvc0", 13) != 0) __builtin_trap();
    print_all(copy.data());
    // Removing again: a valid tree, or (for a damaged tree that libfdt's edits
    // break) a clean bad_data error.
    xb::Status removed = xb::fdt::fixup_chosen(copy.data(), room, "", std::nullopt);
    if (removed.ok() && !xb::fdt::validate(copy.data(), room).ok()) __builtin_trap();
    if (!removed.ok() && removed.error().code() != xb::Errc::bad_data) __builtin_trap();
    return 0;
}
