// Builds guest device trees for tests with libfdt's sequential-write API, in
// the shape Xen's libxl gives a DomU (memory@ nodes, /hypervisor, /chosen), with
// knobs to produce the broken variants init must reject clearly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/types.h"

namespace xb::sim {

struct DtbSpec {
    int address_cells = 2;
    int size_cells = 2;
    std::vector<Range> memory{{0x40000000, 64ULL << 20}};
    bool memory_device_type = true;
    bool hypervisor = true;
    std::string hypervisor_compatible = "xen,xen-4.17";
    std::vector<Range> hypervisor_reg{{0x38000000, 0x1000000}, {0x60000000, 0x20000000}};
    std::string bootargs;
};

std::vector<std::uint8_t> build_dtb(const DtbSpec& spec);

}  // namespace xb::sim
