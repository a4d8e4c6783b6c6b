// The network as the network commands (dhcp, ping, tftpboot, wget) and the
// network boot method (pxe, bootflow scan) share it: the one stack on port 0
// (bootflow/net_devices.h), DHCP with its lease written to U-Boot's variables,
// the TFTP settings read from the environment, free-RAM destinations, and the
// progress lines and Ctrl-C of a long transfer.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"
#include "net/dhcp.h"
#include "net/stack.h"
#include "net/tftp_client.h"
#include "net/transfer.h"
#include "shell/command.h"

namespace xb::cmd {

// The stack on port 0, brought up on first use. Errors: no network device,
// the port's own ("eth0: ...").
Result<net::Stack*> stack_on_port0(Context& ctx);

// Without an address yet (no lease), the stack gets `ipaddr`, `netmask`
// (default 255.255.255.0) and `gatewayip` from the environment, as U-Boot's
// commands use them. Leaves it without one when `ipaddr` is not set.
Status configure_from_env(Context& ctx, net::Stack& stack);

// The stack with an address: dhcp's, or the environment's; else an error
// "no IP address: run dhcp or set ipaddr".
Result<net::Stack*> stack_with_address(Context& ctx);

// DHCP as `dhcp` runs it (option 60 from $bootp_vci), then "DHCP client bound
// to address A" and the lease in U-Boot's variables: ipaddr, netmask,
// gatewayip, serverip (the next server, else the DHCP server), dnsip,
// dnsip2, bootfile, hostname, rootpath, and pxelinux_configfile (209),
// pxelinux_pathprefix (210), tftpservername (66). net/'s error as it is
// ("dhcp: no DHCPOFFER ...").
Status dhcp_to_env(Context& ctx, net::Stack& stack);

// Copies an environment variable into `out` (NUL-terminated); false when
// unset, an error when it does not fit.
Result<bool> env_text(Context& ctx, const char* name, char* out, std::size_t size);

// An IPv4 address variable ("$serverip: ..." when it is not one); any (0)
// when unset.
Result<net::Ipv4Address> env_ipv4(Context& ctx, const char* name);

// The TFTP server for a name without "ip:": $tftpserverip, else $serverip
// (U-Boot lwIP); any (0) when neither is set.
Result<net::Ipv4Address> tftp_server_from_env(Context& ctx);

// tftpblocksize, tftpwindowsize, tftptimeout, tftptimeoutcountmax (U-Boot's
// names, decimal), with U-Boot's defaults and limits.
Result<net::TftpOptions> tftp_options_from_env(Context& ctx);

// [addr, end of the free RAM range holding addr): where a network load of
// unknown size may write. Errors say why addr is not free (require_free's).
Result<std::span<std::uint8_t>> free_ram_from(Context& ctx, std::uint64_t addr, const char* what);

// Progress for a transfer that lasts longer than a second: one line a second
// at most ("  N bytes [of T] (X.Y MiB/s)", KiB/s under 1 MiB/s); Ctrl-C
// cancels. Keep the object alive while the transfer runs.
struct TransferProgress {
    Context* ctx = nullptr;
    std::uint64_t start = 0;
    std::uint64_t last_print = 0;
    explicit TransferProgress(Context& c);
    net::TransferCallbacks callbacks();
};

// " (X.Y MiB/s)" or " (N KiB/s)" for bytes in ms; nothing when ms is 0.
void print_rate(Context& ctx, std::uint64_t bytes, std::uint64_t ms);

// One TFTP read of `name` from `server` into `dest` with the options from
// the environment, progress and Ctrl-C; the time goes to BootTimes::load_us.
// net/'s errors, which name the file and the server.
Result<net::TftpResult> tftp_fetch(Context& ctx, net::Stack& stack, net::Ipv4Address server, const char* name,
                                   std::span<std::uint8_t> dest);

}  // namespace xb::cmd
