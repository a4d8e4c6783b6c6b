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
// As blscfg: the first title/version/linux/options/devicetree/grub_class/grub_users line wins;
// initrd lines (and several paths on one line) accumulate; grub_arg lines are joined by a space;
// a line without a value (a blank line too) ends the entry. Values are raw: `$var`s in options,
// devicetree and grub_users are for the caller to expand (blscfg's expand_val). No `linux` line:
// Errc::not_found (blscfg skips such a file). `out` is fully overwritten.
Status parse_bls_entry(std::string_view text, std::string_view file_name, BlsEntry& out);
// GRUB blscfg's order: true if a sorts before b (newest version first; rpm vercmp).
// As rhboot's bls_cmp, only the ids are compared, split as name-version-release at the last two
// '-'; the `version` key plays no part. Entries that compare equal both ways are duplicates that
// blscfg drops (bls_add_entry keeps the first one read).
bool bls_before(const BlsEntry& a, const BlsEntry& b);
// blscfg's vercmp: rpm's segment comparison with '~' (sorts before anything, even the end) and
// rhboot's '+' (sorts after the end, before anything else); '^' is a plain separator there, unlike
// rpm >= 4.15. Returns 1 when a is newer, -1 when b is, 0 when equal.
int rpm_vercmp(std::string_view a, std::string_view b);

}  // namespace xb::loader
