#include "fdt/chosen.h"

#include <climits>

#include "fdt/device_tree.h"

extern "C" {
#include <libfdt.h>
}

namespace xb::fdt {
namespace {

// Longest bootargs accepted (Linux arm64 keeps at most 2 KiB, COMMAND_LINE_SIZE;
// the bound here only keeps sizes far from int overflow in libfdt).
constexpr std::size_t kMaxBootargs = 65536;

// Space libfdt needs for one new property at most: the FDT_PROP tag, length and
// name offset (12 bytes), the value padded to 4, and the name in the strings
// block if it is not there yet.
constexpr std::size_t property_cost(std::size_t value_len, std::size_t name_len) {
    return 12 + ((value_len + 3) & ~std::size_t{3}) + name_len + 1;
}
// A new node "chosen": FDT_BEGIN_NODE, "chosen\0" padded to 8, FDT_END_NODE.
constexpr std::size_t kChosenNodeCost = 4 + 8 + 4;

// libfdt edits only trees whose blocks are in the order it writes them
// (header, reservation map, structure, strings); its rw functions refuse others.
bool blocks_in_order(const void* blob) {
    return fdt_off_mem_rsvmap(blob) >= sizeof(fdt_header) && fdt_off_dt_struct(blob) >= fdt_off_mem_rsvmap(blob) &&
           fdt_off_dt_strings(blob) >= fdt_off_dt_struct(blob) + std::size_t{fdt_size_dt_struct(blob)} &&
           fdt_totalsize(blob) >= fdt_off_dt_strings(blob) + std::size_t{fdt_size_dt_strings(blob)};
}

// Bytes between the end of the strings block and totalsize: what edits may use.
std::size_t free_space(const void* blob) {
    return fdt_totalsize(blob) - (fdt_off_dt_strings(blob) + std::size_t{fdt_size_dt_strings(blob)});
}

Error libfdt_error(int err, const char* what) {
    return Error::make(err == -FDT_ERR_NOSPACE ? Errc::no_space : Errc::bad_data, "device tree: %s: %s", what,
                       fdt_strerror(err));
}

Status set_u64(void* blob, int node, const char* name, std::uint64_t value) {
    const int err = fdt_setprop_u64(blob, node, name, value);
    return err == 0 ? ok() : libfdt_error(err, name);
}

Status remove(void* blob, int node, const char* name) {
    const int err = fdt_delprop(blob, node, name);
    return err == 0 || err == -FDT_ERR_NOTFOUND ? ok() : libfdt_error(err, name);
}

}  // namespace

Result<std::size_t> packed_size(const void* blob) {
    const int reservations = fdt_num_mem_rsv(blob);
    if (reservations < 0) return libfdt_error(reservations, "memory reservation map");
    // The header (40 bytes, already 8-aligned), the map with its terminating
    // entry, then the two blocks (libfdt's fdt_open_into layout).
    return sizeof(fdt_header) + (static_cast<std::size_t>(reservations) + 1) * sizeof(fdt_reserve_entry) +
           fdt_size_dt_struct(blob) + fdt_size_dt_strings(blob);
}

Status fixup_chosen(void* blob, std::size_t room, std::optional<std::string_view> bootargs,
                    std::optional<Range> initrd) {
    if (room > INT_MAX) room = INT_MAX;  // libfdt sizes are ints
    if (initrd && (initrd->size == 0 || initrd->base + initrd->size < initrd->base)) {
        return Error::make(Errc::invalid_argument, "initrd 0x%lx+0x%lx is empty or wraps around", initrd->base,
                           initrd->size);
    }
    if (bootargs && bootargs->size() > kMaxBootargs) {
        return Error::make(Errc::invalid_argument, "bootargs of %zu bytes (at most %zu)", bootargs->size(),
                           kMaxBootargs);
    }
    if (bootargs && bootargs->find('\0') != std::string_view::npos) {
        return Error::make(Errc::invalid_argument, "bootargs contain a NUL byte");
    }
    TRY(validate(blob, room));

    // An upper bound of what the edits below add, checked before the first
    // one so that a tree too full for them is left unchanged.
    int chosen = fdt_subnode_offset(blob, 0, "chosen");
    if (chosen < 0 && chosen != -FDT_ERR_NOTFOUND) return libfdt_error(chosen, "/chosen");
    std::size_t need = chosen < 0 ? kChosenNodeCost : 0;
    if (bootargs && !bootargs->empty()) need += property_cost(bootargs->size() + 1, sizeof "bootargs" - 1);
    if (initrd) {
        need += property_cost(8, sizeof "linux,initrd-start" - 1) + property_cost(8, sizeof "linux,initrd-end" - 1);
    }
    if (!blocks_in_order(blob) || free_space(blob) < need) {
        const std::size_t packed = TRY(packed_size(blob));
        if (packed > room || room - packed < need) {
            return Error::make(Errc::no_space, "device tree full: %zu bytes free, %zu needed; use fdt resize",
                               packed > room ? std::size_t{0} : room - packed, need);
        }
        const int err = fdt_open_into(blob, blob, static_cast<int>(room));
        if (err != 0) return libfdt_error(err, "making room");
    }

    if (chosen < 0) {
        chosen = fdt_add_subnode(blob, 0, "chosen");
        if (chosen < 0) return libfdt_error(chosen, "adding /chosen");
    }
    if (bootargs && !bootargs->empty()) {
        // fdt_setprop copies the bytes; the value needs its NUL, which a
        // string_view does not promise: build it in place with setprop_placeholder.
        void* value = nullptr;
        const int err =
            fdt_setprop_placeholder(blob, chosen, "bootargs", static_cast<int>(bootargs->size() + 1), &value);
        if (err != 0) return libfdt_error(err, "bootargs");
        auto* text = static_cast<char*>(value);
        bootargs->copy(text, bootargs->size());
        text[bootargs->size()] = '\0';
    } else if (bootargs) {
        TRY(remove(blob, chosen, "bootargs"));
    }
    if (initrd) {
        TRY(set_u64(blob, chosen, "linux,initrd-start", initrd->base));
        TRY(set_u64(blob, chosen, "linux,initrd-end", initrd->base + initrd->size));
    } else {
        TRY(remove(blob, chosen, "linux,initrd-start"));
        TRY(remove(blob, chosen, "linux,initrd-end"));
    }
    // libfdt edits a damaged tree that validate() let through (fuzz_fdt_print
    // found one with duplicate properties) into one it no longer accepts: never
    // hand such a tree to a kernel, say so instead.
    Result<std::size_t> checked = validate(blob, room);
    if (!checked.ok()) {
        return Error::make(Errc::bad_data, "the tree is damaged: after the /chosen fixup: %s",
                           checked.error().message());
    }
    return ok();
}

}  // namespace xb::fdt
