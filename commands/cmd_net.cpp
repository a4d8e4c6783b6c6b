// dhcp and ping (U-Boot's cmd/net.c and cmd/lwip/ping.c syntax): thin
// wrappers over bootflow/net_boot.h (DHCP and its variables, shared with the
// network boot method) and net/ping.h on the stack the board provides. Loading a file after the lease (`autoload`,
// `dhcp addr file`) is tftpboot's (cmd_tftp_wget.cpp).
#include <cstring>

#include "commands/builtins.h"
#include "commands/net_common.h"
#include "net/ping.h"
#include "shell/environment.h"

namespace xb::cmd {
namespace {

// net/'s errors already name the protocol ("dhcp: no DHCPOFFER ...", "ping:
// no ARP reply ..."): shown as they are, not under a second "dhcp: ".
Error as_reported(Context& ctx, const Error& e) {
    ctx.con.printf("%s\n", e.message());
    return quiet_failure();
}

}  // namespace

Status do_dhcp(Context& ctx, int argc, char* const argv[]) {
    if (argc > 3) return usage_error("expects at most an address and a file name");
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    net::Stack* stack = TRY(stack_on_port0(ctx));
    Status leased = dhcp_to_env(ctx, *stack);
    if (!leased.ok()) return as_reported(ctx, leased.error());
    // U-Boot: `dhcp addr file` loads; plain `dhcp` loads $bootfile unless
    // $autoload says no (env_get_yesno() == 0: n, N, f, F, 0; unset means
    // yes, doc/usage/environment.rst). No boot file: nothing to load.
    if (argc > 1) return tftp_load(ctx, argc, argv);
    if (auto al = ctx.env->get("autoload"); al.has_value() && !al->empty() && std::strchr("nNfF0", (*al)[0]) != nullptr)
        return ok();
    if (!ctx.env->get("bootfile").has_value()) return ok();
    return tftp_load(ctx, 1, argv);
}

Status do_ping(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2) return usage_error("expects one IPv4 address");
    Result<net::Ipv4Address> to = net::parse_ipv4(argv[1]);
    if (!to.ok()) return usage_error("'%s' is not an IPv4 address", argv[1]);
    net::Stack* stack = TRY(stack_on_port0(ctx));
    // No lease yet: the address from the environment, as U-Boot's ping uses.
    TRY(configure_from_env(ctx, *stack));
    Result<net::PingReply> result = net::ping(*stack, to.value(), 10000);
    if (!result.ok()) return as_reported(ctx, result.error());
    const net::PingReply& reply = result.value();
    ctx.con.printf("host %s is alive (%lu.%03lu ms)\n", argv[1], static_cast<unsigned long>(reply.rtt_us / 1000),
                   static_cast<unsigned long>(reply.rtt_us % 1000));
    return ok();
}

}  // namespace xb::cmd
