// Boot Loader Specification entries as GRUB's `blscfg` (rhboot/grub2,
// grub-core/commands/blscfg.c) reads them on Fedora and RHEL-like systems:
// one `/loader/entries/<id>.conf` per kernel, `key value` lines. See
// loader/README.md for the keys kept, the limits and the sort order.
//
// BlsEntry is ~10 KiB: keep arrays of them on the heap, not on the stack.
#pragma once

#include <string_view>

#include "lib/result.h"

// GNU C++ modes (CMAKE_CXX_EXTENSIONS ON) predefine `linux` as 1 on Linux
// targets, which would rename the `linux` field below; nothing in xenboot
// uses that macro (the spelling for code is __linux__).
#undef linux

namespace xb::loader {

struct BlsEntry {
    char id[128];  // file name without ".conf"
    char title[256];
    char version[128];
    char linux[512];
    char initrd[8][512];
    unsigned initrd_count;
    char options[2048];
    bool has_options;
    char devicetree[512];
    char grub_class[64];
    char grub_users[128];
    char grub_arg[128];
};

// One entry file (untrusted). Unknown keys are ignored; errors name the line.
Status parse_bls_entry(std::string_view text, std::string_view file_name, BlsEntry& out);
// GRUB blscfg's order: true if a sorts before b (newest version first; rpm vercmp).
bool bls_before(const BlsEntry& a, const BlsEntry& b);
int rpm_vercmp(std::string_view a, std::string_view b);

}  // namespace xb::loader
