// Prints a device tree the way U-Boot's `fdt print` / `fdt list` do, so what
// users know carries over:
//   / {
//   	#address-cells = <0x00000002>;
//   	compatible = "xen,xenvm-4.17", "xen,xenvm";
//   	chosen {
//   		bootargs = "console=hvc0";
//   	};
//   };
// One tab per level; strings (and string lists) in quotes, values whose length
// is a multiple of 4 as 32-bit cells <0x...>, other values as bytes [01 02];
// empty properties as "name;". Cells and bytes longer than 64 bytes are shown,
// as U-Boot does, by address and length: "* 0x40001234 [0x00000400]".
// The blob must have passed fdt::validate(); nesting is bounded (kMaxPrintDepth).
#pragma once

#include "lib/format.h"
#include "lib/result.h"

namespace xb::fdt {

inline constexpr int kMaxPrintDepth = 32;
inline constexpr int kMaxDumpBytes = 64;

// Asked every 64 nodes; true stops the listing (Errc::interrupted).
struct StopCheck {
    bool (*fn)(void* arg) = nullptr;
    void* arg = nullptr;
    bool operator()() const { return fn != nullptr && fn(arg); }
};

// Prints node `node` and what lies below it, down to `depth` levels (0: only
// its own line and "};", 1: its properties and subnodes' names as for
// `fdt list`, kMaxPrintDepth: everything). Errors: nesting deeper than
// kMaxPrintDepth below node (bad_data), stop() (interrupted).
Status print_node(Sink& out, const void* blob, int node, int depth, StopCheck stop = {});

// Printable, NUL-terminated, non-empty strings only (a string list has no
// empty member: two NULs in a row mean binary data).
bool is_string_list(const void* data, int len);

// One property as `fdt print path prop` shows it: "name = value" (no ';').
void print_property(Sink& out, const char* name, const void* data, int len);

}  // namespace xb::fdt
