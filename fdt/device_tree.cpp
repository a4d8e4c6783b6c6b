#include "fdt/device_tree.h"

#include "fdt/structure_check.h"

extern "C" {
#include <libfdt.h>
}

namespace xb::fdt {
namespace {

Error fdt_error(int err, const char* what) {
    return Error::make(Errc::bad_data, "device tree: %s: %s", what, fdt_strerror(err));
}

struct Cells {
    int address;
    int size;
};

// #address-cells / #size-cells of a node's children; the DT spec defaults
// (2 and 1) when absent. xenboot handles one or two cells each.
Result<Cells> child_cells(const void* blob, int node) {
    Cells c{2, 1};
    int len = 0;
    if (const auto* p = static_cast<const fdt32_t*>(fdt_getprop(blob, node, "#address-cells", &len))) {
        if (len != 4) return Error::make(Errc::bad_data, "device tree: #address-cells has length %d", len);
        c.address = static_cast<int>(fdt32_to_cpu(*p));
    }
    if (const auto* p = static_cast<const fdt32_t*>(fdt_getprop(blob, node, "#size-cells", &len))) {
        if (len != 4) return Error::make(Errc::bad_data, "device tree: #size-cells has length %d", len);
        c.size = static_cast<int>(fdt32_to_cpu(*p));
    }
    if (c.address < 1 || c.address > 2 || c.size < 1 || c.size > 2) {
        return Error::make(Errc::unsupported, "device tree: #address-cells=%d #size-cells=%d (xenboot handles 1 or 2)",
                           c.address, c.size);
    }
    return c;
}

std::uint64_t read_cells(const std::uint8_t* p, int cells) {
    std::uint64_t v = 0;
    for (int i = 0; i < cells; ++i) v = (v << 32) | fdt32_ld(reinterpret_cast<const fdt32_t*>(p + 4 * i));
    return v;
}

// Parses a "reg" property into ranges; `out` receives at most `max` entries.
template <std::size_t N>
Result<unsigned> parse_reg(const void* blob, int node, Cells cells, std::array<Range, N>& out, const char* what) {
    int len = 0;
    const auto* prop = static_cast<const std::uint8_t*>(fdt_getprop(blob, node, "reg", &len));
    if (prop == nullptr) return 0u;
    int entry = 4 * (cells.address + cells.size);
    if (len < 0 || len % entry != 0) {
        return Error::make(Errc::bad_data, "device tree: %s reg has length %d, not a multiple of %d", what, len, entry);
    }
    unsigned count = 0;
    for (int off = 0; off < len; off += entry) {
        Range r{read_cells(prop + off, cells.address), read_cells(prop + off + 4 * cells.address, cells.size)};
        if (r.size != 0 && r.base + r.size < r.base) {
            return Error::make(Errc::bad_data, "device tree: %s range 0x%lx+0x%lx wraps around", what, r.base, r.size);
        }
        if (count == N) return Error::make(Errc::unsupported, "device tree: %s has more than %zu ranges", what, N);
        out[count++] = r;
    }
    return count;
}

bool prop_is_string(const void* blob, int node, const char* name, const char* expected) {
    int len = 0;
    const char* p = static_cast<const char*>(fdt_getprop(blob, node, name, &len));
    if (p == nullptr || len <= 0) return false;
    // A string list: compare each NUL-terminated entry that fits in len.
    for (int off = 0; off < len;) {
        int n = static_cast<int>(strnlen(p + off, static_cast<std::size_t>(len - off)));
        if (off + n >= len) return false;  // unterminated
        if (strcmp(p + off, expected) == 0) return true;
        off += n + 1;
    }
    return false;
}

}  // namespace

std::uint64_t MemoryBanks::total() const {
    std::uint64_t sum = 0;
    for (unsigned i = 0; i < count; ++i) sum += bank[i].size;
    return sum;
}

const Range* MemoryBanks::find(std::uint64_t addr) const {
    for (unsigned i = 0; i < count; ++i) {
        if (bank[i].contains(addr)) return &bank[i];
    }
    return nullptr;
}

Result<std::size_t> validate(const void* blob, std::size_t max_size) {
    if (blob == nullptr || max_size < sizeof(fdt_header)) {
        return Error::make(Errc::bad_data, "device tree: no blob (or fewer than %zu bytes)", sizeof(fdt_header));
    }
    // The header is read as 32-bit fields, and the DT spec (5.1) puts the blob
    // on an 8-byte boundary; `fdt addr` can name any address.
    if (reinterpret_cast<std::uintptr_t>(blob) % 8 != 0) {
        return Error::make(Errc::bad_data, "device tree: not 8-byte aligned");
    }
    if (fdt_magic(blob) != FDT_MAGIC) {
        return Error::make(Errc::bad_data, "device tree: bad magic 0x%08x", static_cast<unsigned>(fdt_magic(blob)));
    }
    // Only version-17 trees (what Xen and dtc produce). libfdt 1.6.1 also
    // takes older layouts, and its fdt_check_full() dereferences NULL on some
    // malformed pre-16 blobs (found by tests/fuzz/fuzz_device_tree).
    if (fdt_version(blob) < 17 || fdt_last_comp_version(blob) > 17) {
        return Error::make(Errc::unsupported, "device tree: version %u (compatible with %u) is not 17",
                           static_cast<unsigned>(fdt_version(blob)),
                           static_cast<unsigned>(fdt_last_comp_version(blob)));
    }
    std::size_t total = fdt_totalsize(blob);
    if (total > max_size) {
        return Error::make(Errc::bad_data, "device tree: totalsize %zu exceeds the %zu readable bytes", total,
                           max_size);
    }
    // libfdt's own check can loop forever on hostile input: walk it first.
    TRY(check_structure(blob, total));
    int err = fdt_check_full(blob, total);
    if (err != 0) return fdt_error(err, "structure check failed");
    return total;
}

Result<MemoryBanks> memory_banks(const void* blob) {
    Cells cells = TRY(child_cells(blob, 0));
    MemoryBanks banks;
    for (int node = fdt_first_subnode(blob, 0); node >= 0; node = fdt_next_subnode(blob, node)) {
        if (!prop_is_string(blob, node, "device_type", "memory")) continue;
        std::array<Range, kMaxBanks> regs{};
        unsigned n = TRY(parse_reg(blob, node, cells, regs, "memory"));
        for (unsigned i = 0; i < n; ++i) {
            if (regs[i].size < kPageSize) continue;  // nothing usable
            if (banks.count == kMaxBanks) {
                return Error::make(Errc::unsupported, "device tree: more than %u RAM banks", kMaxBanks);
            }
            for (unsigned j = 0; j < banks.count; ++j) {
                if (banks.bank[j].overlaps(regs[i])) {
                    return Error::make(Errc::bad_data, "device tree: RAM banks at 0x%lx and 0x%lx overlap",
                                       banks.bank[j].base, regs[i].base);
                }
            }
            banks.bank[banks.count++] = regs[i];
        }
    }
    if (banks.count == 0) {
        return Error::make(Errc::not_found,
                           "device tree has no usable /memory node (device_type = \"memory\" with a non-empty reg)");
    }
    // Keep banks in address order: bank 0 is the lowest, as Xen lays them out.
    for (unsigned i = 1; i < banks.count; ++i) {
        for (unsigned j = i; j > 0 && banks.bank[j].base < banks.bank[j - 1].base; --j) {
            Range t = banks.bank[j];
            banks.bank[j] = banks.bank[j - 1];
            banks.bank[j - 1] = t;
        }
    }
    return banks;
}

Result<HypervisorNode> hypervisor(const void* blob) {
    int node = fdt_path_offset(blob, "/hypervisor");
    if (node < 0 || !prop_is_string(blob, node, "compatible", "xen,xen")) {
        return Error::make(Errc::not_found,
                           "device tree has no /hypervisor node compatible with \"xen,xen\": is this a Xen guest?");
    }
    HypervisorNode hv;
    int len = 0;
    const char* compat = static_cast<const char*>(fdt_getprop(blob, node, "compatible", &len));
    std::size_t n = strnlen(compat, static_cast<std::size_t>(len));
    if (n >= sizeof hv.compatible) n = sizeof hv.compatible - 1;
    memcpy(hv.compatible, compat, n);
    hv.compatible[n] = '\0';

    Cells cells = TRY(child_cells(blob, 0));
    hv.reg_count = TRY(parse_reg(blob, node, cells, hv.reg, "/hypervisor"));
    if (hv.reg_count == 0 || hv.reg[0].size < kPageSize) {
        return Error::make(Errc::bad_data, "device tree: /hypervisor has no grant-table window (reg[0])");
    }
    const auto* irq = static_cast<const fdt32_t*>(fdt_getprop(blob, node, "interrupts", &len));
    if (irq != nullptr && len == 12) {
        hv.has_interrupt = true;
        for (int i = 0; i < 3; ++i) hv.interrupt[static_cast<std::size_t>(i)] = fdt32_ld(irq + i);
    }
    return hv;
}

Result<const char*> bootargs(const void* blob) {
    int node = fdt_path_offset(blob, "/chosen");
    if (node < 0) return "";
    int len = 0;
    const char* args = static_cast<const char*>(fdt_getprop(blob, node, "bootargs", &len));
    if (args == nullptr || len <= 0) return "";
    if (strnlen(args, static_cast<std::size_t>(len)) >= static_cast<std::size_t>(len)) {
        return Error::make(Errc::bad_data, "device tree: /chosen/bootargs is not NUL-terminated");
    }
    return args;
}

Status copy_to(const void* blob, void* dst, std::size_t dst_size) {
    if (dst_size > static_cast<std::size_t>(INT32_MAX)) dst_size = INT32_MAX;
    int err = fdt_open_into(blob, dst, static_cast<int>(dst_size));
    if (err != 0) return fdt_error(err, "copying the blob");
    return ok();
}

}  // namespace xb::fdt
