// A strict walk over a device tree's structure block, done before libfdt sees
// the blob. Debian's libfdt 1.6.1 fdt_check_full() loops forever on some
// malformed blobs (a property length that wraps the offset backwards; found by
// tests/fuzz/fuzz_device_tree), so xenboot proves the basic shape itself:
// every tag and length in bounds, strictly forward progress, names terminated,
// property-name offsets inside the strings block, nodes balanced.
#pragma once

#include <cstddef>

#include "lib/result.h"

namespace xb::fdt {

// blob: a v17 header whose totalsize (<= size) was already checked.
Status check_structure(const void* blob, std::size_t size);

}  // namespace xb::fdt
