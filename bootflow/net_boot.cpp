#include "bootflow/net_boot.h"

#include <array>
#include <cstring>

#include "arch/arch.h"
#include "bootflow/net_devices.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"
#include "lib/noinit.h"
#include "net/sockets.h"
#include "shell/environment.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

// One TFTP DATA of the largest block size RFC 2348 allows: static, the
// 64 KiB stack has no room for it. Scratch that the client writes before it
// reads, so the entry stub need not clear it (lib/noinit.h).
XB_NOINIT(tftp_packet) std::uint8_t g_tftp_packet[net::tftp::kMaxBlockSize + net::tftp::kHeader];

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

// A decimal variable (U-Boot reads the tftp* ones with base 10), or `fallback`.
Result<std::uint64_t> env_dec(Context& ctx, const char* name, std::uint64_t fallback) {
    char text[24];
    if (!TRY(env_text(ctx, name, text, sizeof text))) return fallback;
    return TRY_CTX(parse_dec(text, name), "$%s", name);
}

Result<std::uint16_t> env_u16(Context& ctx, const char* name, std::uint64_t fallback, std::uint64_t lo,
                              std::uint64_t hi) {
    const std::uint64_t v = TRY(env_dec(ctx, name, fallback));
    if (v < lo || v > hi) return Error::make(Errc::invalid_argument, "$%s: %lu is not in %lu..%lu", name, v, lo, hi);
    return static_cast<std::uint16_t>(v);
}

void on_progress(void* context, std::uint64_t bytes, std::uint64_t total) {
    auto* p = static_cast<TransferProgress*>(context);
    const std::uint64_t now = arch::counter();
    if (arch::ticks_to_ms(now - p->last_print) < 1000) return;
    p->last_print = now;
    p->ctx->con.printf("  %lu bytes", bytes);
    if (total != 0) p->ctx->con.printf(" of %lu", total);
    print_rate(*p->ctx, bytes, arch::ticks_to_ms(now - p->start));
    p->ctx->con.write("\n");
}

bool on_cancel(void* context) { return static_cast<TransferProgress*>(context)->ctx->ctrlc(); }

}  // namespace

Result<bool> env_text(Context& ctx, const char* name, char* out, std::size_t size) {
    if (ctx.env == nullptr) return false;
    auto v = ctx.env->get(name);
    if (!v.has_value()) return false;
    if (v->size() >= size) return Error::make(Errc::invalid_argument, "$%s is too long", name);
    std::memcpy(out, v->data(), v->size());
    out[v->size()] = 0;
    return true;
}

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

Status dhcp_to_env(Context& ctx, net::Stack& stack) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    net::DhcpRequest request;
    if (auto vci = ctx.env->get("bootp_vci"); vci.has_value()) {
        static char vendor_class[net::kMaxVendorClass + 1];
        if (vci->size() > net::kMaxVendorClass)
            return Error::make(Errc::invalid_argument, "bootp_vci is longer than %zu characters", net::kMaxVendorClass);
        std::memcpy(vendor_class, vci->data(), vci->size());
        vendor_class[vci->size()] = 0;
        request.vendor_class = vendor_class;
    }
    const net::Lease lease = TRY(net::run_dhcp(stack, request));

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
    return ok();
}

Result<net::Ipv4Address> env_ipv4(Context& ctx, const char* name) {
    char text[16];
    if (!TRY(env_text(ctx, name, text, sizeof text))) return net::Ipv4Address{};
    return TRY_CTX(net::parse_ipv4(text), "$%s", name);
}

Result<net::Ipv4Address> tftp_server_from_env(Context& ctx) {
    net::Ipv4Address server = TRY(env_ipv4(ctx, "tftpserverip"));
    if (server.is_any()) server = TRY(env_ipv4(ctx, "serverip"));
    return server;
}

Result<net::TftpOptions> tftp_options_from_env(Context& ctx) {
    net::TftpOptions options;
    options.block_size = TRY(env_u16(ctx, "tftpblocksize", 1468, net::tftp::kMinBlockSize, net::tftp::kMaxBlockSize));
    options.window_size = TRY(env_u16(ctx, "tftpwindowsize", 1, 1, 65535));
    std::uint64_t timeout = TRY(env_dec(ctx, "tftptimeout", 5000));
    if (timeout < net::tftp::kMinTimeoutMs) timeout = net::tftp::kMinTimeoutMs;
    if (timeout > 3600000) timeout = 3600000;
    options.timeout_ms = static_cast<std::uint32_t>(timeout);
    const std::uint64_t retries = TRY(env_dec(ctx, "tftptimeoutcountmax", 10));
    options.max_retries = static_cast<std::uint32_t>(retries > 1000 ? 1000 : retries);
    return options;
}

Result<std::span<std::uint8_t>> free_ram_from(Context& ctx, std::uint64_t addr, const char* what) {
    std::array<Range, MemoryMap::kMaxRanges> free{};
    const unsigned n = ctx.sys.memory.free_ranges(free);
    for (unsigned i = 0; i < n; ++i) {
        if (!free[i].contains(addr)) continue;
        auto* p = reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr));
        return std::span<std::uint8_t>(p, static_cast<std::size_t>(free[i].end() - addr));
    }
    TRY(ctx.sys.memory.require_free(Range{addr, 1}, what));
    return Error::make(Errc::invalid_argument, "refusing to write 0x%lx (%s): not in free RAM", addr, what);
}

TransferProgress::TransferProgress(Context& c) : ctx(&c), start(arch::counter()), last_print(arch::counter()) {}

net::TransferCallbacks TransferProgress::callbacks() {
    net::TransferCallbacks cb;
    cb.progress = on_progress;
    cb.cancel = on_cancel;
    cb.context = this;
    cb.progress_interval_ms = 1000;
    return cb;
}

void print_rate(Context& ctx, std::uint64_t bytes, std::uint64_t ms) {
    if (ms == 0) return;
    // Integers only; bytes / ms first only where bytes * 10000 could overflow
    // (past 2^50 bytes). Under 1 MiB/s (lockstep TFTP on a slow link) the
    // rate is in KiB/s, where tenths of MiB/s would round it to 0.0.
    const std::uint64_t per_10s = bytes < (1ULL << 50) ? bytes * 10000 / ms : (bytes / ms) * 10000;
    const std::uint64_t tenths = per_10s / (1ULL << 20);
    if (tenths < 10) {
        ctx.con.printf(" (%lu KiB/s)", per_10s / 10 / 1024);
        return;
    }
    ctx.con.printf(" (%lu.%lu MiB/s)", tenths / 10, tenths % 10);
}

Result<net::TftpResult> tftp_fetch(Context& ctx, net::Stack& stack, net::Ipv4Address server, const char* name,
                                   std::span<std::uint8_t> dest) {
    net::TftpRequest request;
    request.options = TRY(tftp_options_from_env(ctx));
    request.server = net::Endpoint{server, net::tftp::kPort};
    request.filename = name;
    request.dest = dest;
    request.packet = g_tftp_packet;
    TransferProgress progress(ctx);
    request.callbacks = progress.callbacks();
    net::UdpSocket socket;
    TRY(socket.open(stack));
    Result<net::TftpResult> result = net::tftp_read(socket, request);
    socket.close();
    if (result.ok() && ctx.services != nullptr) ctx.services->times.load_us += result.value().elapsed_ms * 1000;
    return result;
}

}  // namespace xb::cmd
