// Facts about the running system that commands report (version, bdinfo).
// Filled in once by board init; commands only read it.
#pragma once

#include <cstdint>

#include "drivers/xen/hypercall.h"
#include "fdt/device_tree.h"
#include "lib/memory_map.h"

namespace xb::cmd {

struct SystemInfo {
    bool have_xen_version = false;
    xen::XenVersion xen_version{};
    MemoryMap memory;              // RAM banks and what xenboot reserved in them
    std::uint64_t image_base = 0;  // where xenboot runs
    std::uint64_t load_base = 0;   // where Xen loaded it
    std::uint64_t dtb_copy = 0;    // xenboot's copy of the device tree
    std::uint64_t dtb_copy_size = 0;
    std::uint64_t dtb_from_xen = 0;  // where Xen put it (free once copied)
    bool have_hypervisor = false;
    fdt::HypervisorNode hypervisor{};
    std::uint64_t console_pfn = 0;
    std::uint32_t console_evtchn = 0;
    std::uint64_t store_pfn = 0;  // 0: Xen gave none
    std::uint32_t store_evtchn = 0;
    std::uint64_t shared_info_gfn = 0;  // 0: not mapped
    std::uint64_t timer_hz = 0;
    std::uint64_t entry_to_prompt_us = 0;
    // Where init spent its time, step by step (bdinfo): microseconds from the
    // end of the previous step (the first from xenboot's entry).
    struct InitStep {
        const char* name;
        std::uint64_t us;
    };
    static constexpr unsigned kMaxInitSteps = 28;
    InitStep init_steps[kMaxInitSteps] = {};
    unsigned init_step_count = 0;
};

}  // namespace xb::cmd
