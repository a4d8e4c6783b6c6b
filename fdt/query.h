// What `fdt get`, `fdt header` and `fdt apply` compute, as pure functions over
// a blob that passed fdt::validate (the formats are U-Boot's cmd/fdt.c ones,
// so scripts that read them back keep working).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "lib/result.h"

namespace xb::fdt {

// A property value as `fdt get value` stores it in a variable:
//  - printable strings: the string at `index` of the string list (the first
//    when index is nullopt);
//  - one cell (4 bytes): "0x%08X";
//  - a cell array with an index: that cell, "0x%08X";
//  - anything else whose length is a multiple of 4: every cell as "%08x"
//    joined (a hash, say);
//  - other byte strings: invalid_argument ("unprintable value").
// An index past the end is not_found. An empty value is "". The text is
// written NUL-terminated into out; no_space when it does not fit.
Status value_text(const void* data, std::size_t len, std::optional<std::uint32_t> index, char* out, std::size_t size);

// The index-th subnode (0-based) of node, or not_found. Bounded by the tree.
Result<int> subnode_at(const void* blob, int node, std::uint32_t index);
// The number of direct subnodes of node.
Result<std::uint32_t> subnode_count(const void* blob, int node);

// A header word by its name in the FDT header ("magic", "totalsize",
// "off_dt_struct", "off_dt_strings", "off_mem_rsvmap", "version",
// "last_comp_version", "boot_cpuid_phys", "size_dt_strings",
// "size_dt_struct"); not_found for any other name.
Result<std::uint32_t> header_member(const void* blob, const char* name);

// Applies the overlay (a validated blob of overlay_size bytes, left
// unchanged) to the tree at base, which may grow to room bytes. The work is
// done on heap copies of both, so a failing apply leaves the base tree as it
// was (libfdt's fdt_overlay_apply damages its base on failure, and always
// its overlay). Errors name libfdt's code; FDT_ERR_NOTFOUND adds that the
// base needs a __symbols__ node (dtc -@).
Status apply_overlay(void* base, std::size_t room, const void* overlay, std::size_t overlay_size);

}  // namespace xb::fdt
