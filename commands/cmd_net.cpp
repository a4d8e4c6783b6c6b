// dhcp and ping (U-Boot's cmd/net.c and cmd/lwip/ping.c syntax): thin
// wrappers over net/dhcp.h and net/ping.h on the stack the board provides
// (bootflow/net_devices.h). Loading a file after the lease (`autoload`,
// `dhcp addr file`) is tftpboot's (cmd_tftp_wget.cpp).
#include <cstring>

#include "bootflow/net_devices.h"
#include "commands/builtins.h"
#include "commands/net_common.h"
#include "net/dhcp.h"
#include "net/ping.h"
#include "shell/environment.h"

namespace xb::cmd {
namespace {

Result<NetDevices*> net_devices(Context& ctx) {
    NetDevices* net = ctx.services != nullptr ? ctx.services->net : nullptr;
    if (net == nullptr) return Error::make(Errc::unsupported, "no network device");
    return net;
}

Status set_ip(Context& ctx, const char* name, net::Ipv4Address ip) {
    char text[16];
    net::format_ipv4(ip, text);
    return ctx.env->set(name, text);
}

// Sets (or, when the lease has none, leaves alone) one text variable.
Status set_text(Context& ctx, const char* name, const net::Lease::Text& value) {
    if (value[0] == 0) return ok();
    return ctx.env->set(name, value.data());
}

// net/'s errors already name the protocol ("dhcp: no DHCPOFFER ...", "ping:
// no ARP reply ..."): shown as they are, not under a second "dhcp: ".
Error as_reported(Context& ctx, const Error& e) {
    ctx.con.printf("%s\n", e.message());
    return quiet_failure();
}

}  // namespace

Result<net::Stack*> stack_on_port0(Context& ctx) {
    NetDevices* devices = TRY(net_devices(ctx));
    net::Stack& stack = devices->stack();
    if (!stack.is_up()) {
        net::Link* link = TRY_CTX(devices->link(0), "eth0");
        TRY(stack.up(*link));
    }
    return &stack;
}

Status configure_from_env(Context& ctx, net::Stack& stack) {
    if (!stack.config().ip.is_any() || ctx.env == nullptr) return ok();
    net::Ipv4Config cfg;
    auto read = [&](const char* name, net::Ipv4Address& out) -> Status {
        auto value = ctx.env->get(name);
        if (!value.has_value()) return ok();
        char text[16] = {};
        if (value->size() >= sizeof text) return Error::make(Errc::invalid_argument, "%s is not an IPv4 address", name);
        std::memcpy(text, value->data(), value->size());
        out = TRY_CTX(net::parse_ipv4(text), "%s", name);
        return ok();
    };
    TRY(read("ipaddr", cfg.ip));
    TRY(read("netmask", cfg.netmask));
    TRY(read("gatewayip", cfg.gateway));
    if (!cfg.ip.is_any()) {
        if (cfg.netmask.is_any()) cfg.netmask = net::Ipv4Address{0xFFFFFF00};
        stack.configure(cfg);
    }
    return ok();
}

Result<net::Stack*> stack_with_address(Context& ctx) {
    net::Stack* stack = TRY(stack_on_port0(ctx));
    TRY(configure_from_env(ctx, *stack));
    if (stack->config().ip.is_any()) return Error::make(Errc::unsupported, "no IP address: run dhcp or set ipaddr");
    return stack;
}

Status do_dhcp(Context& ctx, int argc, char* const argv[]) {
    if (argc > 3) return usage_error("expects at most an address and a file name");
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    net::Stack* stack = TRY(stack_on_port0(ctx));
    net::DhcpRequest request;
    if (auto vci = ctx.env->get("bootp_vci"); vci.has_value()) {
        static char vendor_class[net::kMaxVendorClass + 1];
        if (vci->size() > net::kMaxVendorClass)
            return Error::make(Errc::invalid_argument, "bootp_vci is longer than %zu characters", net::kMaxVendorClass);
        std::memcpy(vendor_class, vci->data(), vci->size());
        vendor_class[vci->size()] = 0;
        request.vendor_class = vendor_class;
    }
    Result<net::Lease> result = net::run_dhcp(*stack, request);
    if (!result.ok()) return as_reported(ctx, result.error());
    const net::Lease& lease = result.value();

    char ip[16];
    net::format_ipv4(lease.ip, ip);
    ctx.con.printf("DHCP client bound to address %s\n", ip);
    if (lease.malformed_options != 0)
        ctx.con.printf("dhcp: ignored %u malformed option%s\n", lease.malformed_options,
                       lease.malformed_options == 1 ? "" : "s");
    TRY(set_ip(ctx, "ipaddr", lease.ip));
    TRY(set_ip(ctx, "netmask", lease.netmask));
    if (!lease.gateway.is_any()) TRY(set_ip(ctx, "gatewayip", lease.gateway));
    // The next server (siaddr) is where TFTP goes; without one, the DHCP
    // server itself (U-Boot's lwIP dhcp does the same).
    const net::Ipv4Address server = lease.server.is_any() ? lease.server_id : lease.server;
    if (!server.is_any()) TRY(set_ip(ctx, "serverip", server));
    if (!lease.dns.is_any()) TRY(set_ip(ctx, "dnsip", lease.dns));
    if (!lease.dns2.is_any()) TRY(set_ip(ctx, "dnsip2", lease.dns2));
    TRY(set_text(ctx, "bootfile", lease.bootfile));
    TRY(set_text(ctx, "hostname", lease.hostname));
    TRY(set_text(ctx, "rootpath", lease.root_path));
    TRY(set_text(ctx, "pxelinux_configfile", lease.pxe_config_file));
    TRY(set_text(ctx, "pxelinux_pathprefix", lease.path_prefix));
    TRY(set_text(ctx, "tftpservername", lease.tftp_server_name));
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
