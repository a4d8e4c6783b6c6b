// The working device tree: the one `fdt` commands edit and booti passes to the
// kernel. By default it is xenboot's own copy of the tree Xen gave
// (SystemInfo::dtb_copy, with dtb_copy_size bytes of room in the heap);
// `fdt addr ADDR` selects a tree the user loaded elsewhere in RAM.
// The selection lives in constinit storage in fdt_working_tree.cpp (one shell,
// one working tree, as in U-Boot); nothing about the tree itself is cached:
// memory commands may rewrite it at any time, so every use re-validates it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bootflow/system_info.h"
#include "lib/result.h"

namespace xb::cmd {

// A validated working tree, ready for libfdt.
struct OpenFdt {
    void* blob = nullptr;
    std::uint64_t addr = 0;
    std::size_t size = 0;   // its totalsize
    std::size_t room = 0;   // bytes it may grow to in place: dtb_copy_size for xenboot's copy, else its totalsize
    bool own_copy = false;  // xenboot's copy (in the reserved heap) rather than a user's tree in free RAM
};

// The address of the working tree (0: none: no `fdt addr` and no copy).
std::uint64_t working_fdt_addr(const SystemInfo& sys);

// Checks the tree at addr: its header and then totalsize bytes lie in RAM, and
// fdt::validate accepts it (against dtb_copy_size for xenboot's copy).
// writable: a user's tree must also lie in free RAM (xenboot's own copy may
// always be edited). Errors name the address.
Result<OpenFdt> open_fdt(const SystemInfo& sys, std::uint64_t addr, bool writable);
// open_fdt of the working tree.
Result<OpenFdt> open_working_fdt(const SystemInfo& sys, bool writable);

// Makes addr the working tree (the caller validated it); the address of
// xenboot's copy selects the copy again.
void select_working_fdt(const SystemInfo& sys, std::uint64_t addr);
// Back to xenboot's copy (also for tests).
void reset_working_fdt();

}  // namespace xb::cmd
