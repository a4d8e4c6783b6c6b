#include "tests/sim/dtb_builder.h"

#include <stdexcept>

extern "C" {
#include <libfdt.h>
}

namespace xb::sim {
namespace {

void check(int err) {
    if (err != 0) throw std::runtime_error(std::string("libfdt: ") + fdt_strerror(err));
}

std::vector<fdt32_t> reg_cells(const std::vector<Range>& ranges, int ac, int sc) {
    std::vector<fdt32_t> cells;
    for (const Range& r : ranges) {
        if (ac == 2) cells.push_back(cpu_to_fdt32(static_cast<std::uint32_t>(r.base >> 32)));
        cells.push_back(cpu_to_fdt32(static_cast<std::uint32_t>(r.base)));
        if (sc == 2) cells.push_back(cpu_to_fdt32(static_cast<std::uint32_t>(r.size >> 32)));
        cells.push_back(cpu_to_fdt32(static_cast<std::uint32_t>(r.size)));
    }
    return cells;
}

}  // namespace

std::vector<std::uint8_t> build_dtb(const DtbSpec& spec) {
    std::vector<std::uint8_t> buf(64 * 1024);
    void* fdt = buf.data();
    check(fdt_create(fdt, static_cast<int>(buf.size())));
    check(fdt_finish_reservemap(fdt));
    check(fdt_begin_node(fdt, ""));
    check(fdt_property_u32(fdt, "#address-cells", static_cast<std::uint32_t>(spec.address_cells)));
    check(fdt_property_u32(fdt, "#size-cells", static_cast<std::uint32_t>(spec.size_cells)));
    check(fdt_property_string(fdt, "compatible", "xen,xenvm-4.17\0xen,xenvm"));

    check(fdt_begin_node(fdt, "chosen"));
    if (!spec.bootargs.empty()) check(fdt_property_string(fdt, "bootargs", spec.bootargs.c_str()));
    check(fdt_end_node(fdt));

    for (const Range& bank : spec.memory) {
        char name[40];
        snprintf(name, sizeof name, "memory@%lx", bank.base);
        check(fdt_begin_node(fdt, name));
        if (spec.memory_device_type) check(fdt_property_string(fdt, "device_type", "memory"));
        auto cells = reg_cells({bank}, spec.address_cells, spec.size_cells);
        check(fdt_property(fdt, "reg", cells.data(), static_cast<int>(cells.size() * 4)));
        check(fdt_end_node(fdt));
    }

    if (spec.hypervisor) {
        check(fdt_begin_node(fdt, "hypervisor"));
        std::string compat = spec.hypervisor_compatible;
        compat.push_back('\0');
        compat += "xen,xen";
        compat.push_back('\0');
        check(fdt_property(fdt, "compatible", compat.data(), static_cast<int>(compat.size())));
        auto cells = reg_cells(spec.hypervisor_reg, spec.address_cells, spec.size_cells);
        check(fdt_property(fdt, "reg", cells.data(), static_cast<int>(cells.size() * 4)));
        fdt32_t irq[3] = {cpu_to_fdt32(1), cpu_to_fdt32(15), cpu_to_fdt32(0xf08)};
        check(fdt_property(fdt, "interrupts", irq, sizeof irq));
        check(fdt_end_node(fdt));
    }
    check(fdt_end_node(fdt));
    check(fdt_finish(fdt));
    buf.resize(fdt_totalsize(fdt));
    return buf;
}

}  // namespace xb::sim
