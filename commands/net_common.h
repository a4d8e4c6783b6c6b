// What the network commands share (cmd_net.cpp, cmd_tftp_wget.cpp): the one
// stack on port 0 and its address.
#pragma once

#include "net/stack.h"
#include "shell/command.h"

namespace xb::cmd {

// The stack on port 0 (bootflow/net_devices.h), brought up on first use.
Result<net::Stack*> stack_on_port0(Context& ctx);

// Without an address yet (no lease), the stack gets `ipaddr`, `netmask`
// (default 255.255.255.0) and `gatewayip` from the environment, as U-Boot's
// commands use them. Leaves it without one when `ipaddr` is not set.
Status configure_from_env(Context& ctx, net::Stack& stack);

// The stack with an address: dhcp's, or the environment's; else an error
// "no IP address: run dhcp or set ipaddr".
Result<net::Stack*> stack_with_address(Context& ctx);

// TFTP-loads as `tftpboot argv[1..]` does (cmd_tftp_wget.cpp); dhcp calls it
// for `dhcp addr file` and autoload.
Status tftp_load(Context& ctx, int argc, char* const argv[]);

}  // namespace xb::cmd
