// extlinux.conf as U-Boot's distro boot ("sysboot", the extlinux bootmeth)
// reads it: the subset of the syslinux/PXELINUX format described in U-Boot's
// doc/README.pxe. One statement per line, the keyword case-insensitive, its
// argument the rest of the line (surrounding blanks trimmed). See
// loader/README.md for every keyword and what is ignored.
//
// Fixed-size storage only (no heap STL): ExtlinuxConfig is ~105 KiB, keep it
// on the heap in the firmware, never on the 64 KiB stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lib/result.h"

namespace xb::loader {

struct ExtlinuxLabel {
    static constexpr std::size_t kNameSize = 128;  // bytes, terminating NUL included
    static constexpr std::size_t kPathSize = 256;
    static constexpr std::size_t kAppendSize = 2048;  // Linux arm64 COMMAND_LINE_SIZE

    char name[kNameSize];        // `label NAME`
    char menu_label[kNameSize];  // `menu label TEXT` ("" when absent)
    char kernel[kPathSize];      // `kernel`/`linux PATH` ("" when absent: not bootable)
    char initrd[kPathSize];      // `initrd PATH` (one file, as U-Boot)
    char fdt[kPathSize];         // `fdt`/`devicetree PATH`
    char fdtdir[kPathSize];      // `fdtdir`/`devicetreedir DIR` (U-Boot ignores it when fdt is set)
    char append[kAppendSize];    // `append ARGS`, verbatim
    unsigned line;               // line number of the `label` statement, for messages
    bool localboot;              // `localboot` seen (U-Boot runs $localcmd instead of a kernel)
};

struct ExtlinuxConfig {
    static constexpr unsigned kMaxLabels = 32;
    static constexpr std::size_t kTitleSize = 128;

    ExtlinuxLabel labels[kMaxLabels];
    unsigned label_count;
    // The label to boot: the one named by the last `default`/`ontimeout`, or
    // the last label carrying `menu default`, whichever comes later in the
    // file; the first label when none was named or the name matches no label
    // (then default_found is false and default_name says what was asked for).
    unsigned default_index;
    bool default_found;
    char default_name[ExtlinuxLabel::kNameSize];
    std::uint32_t timeout_ds;  // `timeout N`, tenths of a second, as written (0 when absent)
    bool has_timeout;
    bool prompt;             // `prompt N` with N != 0
    char title[kTitleSize];  // `menu title TEXT`
    unsigned include_line;   // line of the first `include`/`menu include` (not followed), 0 if none
};

// Parses `text` (the file's bytes; a NUL byte ends it) into `out`, which is
// fully overwritten. Errors are Errc::bad_data and name the line:
//   "extlinux.conf line N: append longer than 2047 bytes" (any field too long)
//   "extlinux.conf line N: more than 32 labels"
//   "extlinux.conf line N: label without a name" / "kernel without a path" ...
//   "extlinux.conf line N: timeout 'x' is not a decimal number"
// and Errc::not_found "extlinux.conf: no label" when the file defines none.
// A label without kernel is accepted (the boot flow reports it, citing
// label.line).
Status parse_extlinux(std::string_view text, ExtlinuxConfig& out);

// Resolves a path from extlinux.conf as U-Boot's sysboot does: an absolute
// path ("/boot/Image") is taken from the root of the filesystem holding the
// conf file; a relative one ("Image", "../Image") is relative to the directory
// holding the conf file ("/boot/extlinux/extlinux.conf" + "../Image" ->
// "/boot/Image"). When `leaf` is not empty it is appended as one more
// component (for fdtdir + "/" + $fdtfile). The result is normalised: absolute,
// single slashes, no "." components, ".." removed lexically (and stopping at
// the root, as "/.." is "/"). Written NUL-terminated to `out`.
// Errors: invalid_argument for an empty path; no_space when `out` is too small
// for the result or the path is more than 64 components deep.
Status resolve_extlinux_path(std::string_view conf_path, std::string_view path, std::string_view leaf,
                             std::span<char> out);

}  // namespace xb::loader
