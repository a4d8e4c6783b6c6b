// What the network commands share (cmd_net.cpp, cmd_tftp_wget.cpp): the one
// stack on port 0 and its address, DHCP and the TFTP settings
// (bootflow/net_boot.h, shared with the network boot method), and tftpboot's
// load for dhcp's autoload.
#pragma once

#include "bootflow/net_boot.h"
#include "shell/command.h"

namespace xb::cmd {

// TFTP-loads as `tftpboot argv[1..]` does (cmd_tftp_wget.cpp); dhcp calls it
// for `dhcp addr file` and autoload.
Status tftp_load(Context& ctx, int argc, char* const argv[]);

}  // namespace xb::cmd
