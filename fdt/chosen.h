// The /chosen fixups a Linux boot needs (Documentation/devicetree/bindings/
// chosen.txt in Linux; Devicetree Specification v0.4, 3.6): the command line
// in `bootargs` and the initrd in `linux,initrd-start` / `linux,initrd-end`.
// Used by `fdt chosen` and by booti before it jumps to the kernel.
// Only /chosen is touched: /memory and /hypervisor, which Xen wrote for this
// guest, stay as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/result.h"
#include "lib/types.h"

namespace xb::fdt {

// Sets up /chosen in the tree at blob (created when missing):
//  - bootargs: nullopt leaves the property as it is (Xen puts the guest
//    config's `extra=` there, which should reach the kernel when the user set
//    no bootargs); a non-empty value replaces it; an empty value removes it.
//  - initrd: sets linux,initrd-start = base and linux,initrd-end = base + size
//    (the end is exclusive, as Linux reads it), each as two cells (64 bits;
//    Linux accepts one or two); nullopt removes both, so no stale initrd from
//    an earlier fixup reaches the kernel. An empty or wrapping range is an error.
// room: the bytes the caller owns at blob (>= the tree's totalsize). The blob
// is untrusted: it is validated against room first. When the tree lacks the
// space, it is opened up to room first; if even that is too little, nothing is
// changed and the error (Errc::no_space) reads
// "device tree full: N bytes free, M needed; use fdt resize".
Status fixup_chosen(void* blob, std::size_t room, std::optional<std::string_view> bootargs,
                    std::optional<Range> initrd);

// Bytes the tree needs at least (header, reservation map, structure and
// strings blocks, packed as fdt_open_into lays them out). Requires a blob
// that passed validate(); errors if its reservation map is unterminated.
Result<std::size_t> packed_size(const void* blob);

}  // namespace xb::fdt
