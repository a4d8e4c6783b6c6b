// The boot menu a person can use on the PV console, for menus read from disk
// (GRUB configs, BLS entries): the entries are listed, the timeout counts down
// and any key stops it; then a number (GRUB's "2>1" for an entry of a
// submenu) or the arrow keys choose, Enter boots, `e` edits the chosen
// entry's command line first, Esc or Ctrl-C leaves the menu for the prompt.
// The console is a line-oriented PV console (no cursor addressing), so the
// menu is a list plus one line that is redrawn in place.
#pragma once

#include <cstdint>

#include "lib/result.h"
#include "shell/command.h"

namespace xb::cmd {

struct MenuItem {
    const char* number;  // as GRUB numbers it: "1", "2>1"
    const char* title;
    unsigned depth = 0;    // 0: top level; 1: inside a submenu; ...
    bool bootable = true;  // false: a submenu heading
};

struct MenuChoice {
    unsigned item = 0;     // index into the items
    bool edit = false;     // `e` was pressed: edit the command line before booting
    bool by_user = false;  // a key was pressed (no longer the default)
};

// timeout_ms < 0: wait for a choice for ever; 0: boot the default at once
// (still listed). default_item must be bootable. Errc::interrupted when the
// user left the menu (Esc, Ctrl-C).
Result<MenuChoice> run_boot_menu(Context& ctx, const char* heading, const MenuItem* items, unsigned count,
                                 unsigned default_item, std::int64_t timeout_ms);

// `e`: shows `args` in the line editor ("linux args: ..."); Enter keeps the
// edit (written back to args), Ctrl-C leaves args as they were and returns
// Errc::interrupted.
Status edit_command_line(Context& ctx, char* args, std::size_t size);

}  // namespace xb::cmd
