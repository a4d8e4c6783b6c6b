#include "bootflow/fdt_working_tree.h"

#include "fdt/device_tree.h"
#include "bootflow/system_info.h"

namespace xb::cmd {
namespace {

// 0: xenboot's copy. Zero-initialised: no constructor runs in the firmware.
struct WorkingTree {
    std::uint64_t user_addr;
};
constinit WorkingTree g_working{0};

// The FDT header is 40 bytes (v17); totalsize is its second big-endian word.
constexpr std::uint64_t kHeaderSize = 40;

std::uint32_t be32_at(std::uint64_t addr) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(addr));
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

std::uint64_t working_fdt_addr(const SystemInfo& sys) {
    return g_working.user_addr != 0 ? g_working.user_addr : sys.dtb_copy;
}

Result<OpenFdt> open_fdt(const SystemInfo& sys, std::uint64_t addr, bool writable) {
    if (addr == 0) return Error::make(Errc::not_found, "no working device tree (select one with fdt addr)");
    OpenFdt t;
    t.addr = addr;
    t.blob = reinterpret_cast<void*>(static_cast<std::uintptr_t>(addr));
    t.own_copy = sys.dtb_copy != 0 && addr == sys.dtb_copy;
    if (t.own_copy) {
        t.room = static_cast<std::size_t>(sys.dtb_copy_size);
        Result<std::size_t> size = fdt::validate(t.blob, t.room);
        if (!size.ok()) return size.error().prefix("xenboot's copy at 0x%lx", addr);
        t.size = size.value();
        return t;
    }
    TRY(sys.memory.require_ram({addr, kHeaderSize}, "fdt read"));
    const std::uint32_t total = be32_at(addr + 4);
    TRY(sys.memory.require_ram({addr, total < kHeaderSize ? kHeaderSize : total}, "fdt read"));
    // At least the header is readable: a zeroed or foreign header then fails
    // on its magic, which says more than its size.
    Result<std::size_t> size = fdt::validate(t.blob, total < kHeaderSize ? kHeaderSize : total);
    if (!size.ok()) return size.error().prefix("0x%lx", addr);
    if (writable) TRY(sys.memory.require_free({addr, total}, "fdt write"));
    t.size = size.value();
    t.room = t.size;
    return t;
}

Result<OpenFdt> open_working_fdt(const SystemInfo& sys, bool writable) {
    return open_fdt(sys, working_fdt_addr(sys), writable);
}

void select_working_fdt(const SystemInfo& sys, std::uint64_t addr) {
    g_working.user_addr = addr == sys.dtb_copy ? 0 : addr;
}

void reset_working_fdt() { g_working.user_addr = 0; }

}  // namespace xb::cmd
