// What `bootflow scan` found, as U-Boot's standard boot keeps it: one
// bootflow per boot method found on a volume (an extlinux.conf, a boot.scr, a
// grub.cfg), with its menu entries, in scan order. `bootflow list`, `bootflow
// select` and `bootflow boot` (commands/cmd_bootflow.cpp) work on it. It lives
// on the heap behind Services::bootflows and is refilled by every scan.
#pragma once

#include <cstdint>

#include "lib/format.h"
#include "lib/result.h"

namespace xb::cmd {

enum class BootMethod : std::uint8_t { extlinux, script, grub, pxe };

// U-Boot's bootmeth names where one exists ("extlinux", "script", "pxe");
// GRUB configs, which U-Boot can only reach through EFI, are "grub".
const char* method_name(BootMethod m);

struct Bootflow {
    static constexpr unsigned kMaxEntries = 24;
    static constexpr std::size_t kTitle = 96;

    enum class State : std::uint8_t { found, failed, booted };

    unsigned disk = 0;  // pvblock disk, or the network port (method pxe)
    unsigned part = 0;  // 0: the whole disk
    BootMethod method = BootMethod::extlinux;
    State state = State::found;
    char fs[8] = "";
    char path[128] = "";   // the config file (pxe: its name on the TFTP server)
    char error[160] = "";  // why it failed (state failed)
    // The menu, flattened: "2>1" style numbers for submenu entries are in
    // the titles as GRUB counts them. entry_count may exceed kMaxEntries (the
    // rest are not kept).
    unsigned entry_count = 0;
    int default_entry = -1;
    char entries[kMaxEntries][kTitle] = {};

    [[gnu::format(printf, 2, 3)]] void add_entry(const char* fmt, ...);
    [[gnu::format(printf, 2, 3)]] void fail(const char* fmt, ...);
};

// How a boot attempt ends for its bootflow: `s` ok (or `stopped`, a simulated
// platform's stand-in for a kernel that never returns) marks it booted and
// returns ok(); a failure is remembered in it (for `bootflow list`) and
// returned.
Status record_boot(Bootflow& flow, Status s, bool stopped);

struct Bootflows {
    static constexpr unsigned kMax = 16;
    Bootflow flow[kMax];
    unsigned count = 0;
    unsigned dropped = 0;  // found after the table was full
    int selected = -1;     // `bootflow select`

    void clear() {
        count = dropped = 0;
        selected = -1;
    }
    // A new record (nullptr when full: counted in dropped).
    Bootflow* add();
};

// Where a bootflow is, as users name it: "pvblock 0:1", or "eth0" (pxe).
void format_place(const Bootflow& f, char* out, std::size_t size);

// `bootflow list`: the table, then each bootflow's entries.
void print_bootflows(Sink& out, const Bootflows& flows);
// One line of the table (also printed by `bootflow scan -l` as each is found).
void print_bootflow_line(Sink& out, unsigned seq, const Bootflow& f);
// The header of the table.
void print_bootflow_header(Sink& out);

}  // namespace xb::cmd
