// pvnet info | reset [n]: the PV network interfaces (Xen netfront), their
// state, MAC, backend and counters; `reset` closes a vif cleanly and
// connects it again (also after a backend broke the ring protocol).
#include <cstring>

#include "commands/builtins.h"
#include "drivers/pvnet/pvnet_bus.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

Result<pvnet::PvNetBus*> bus(Context& ctx) {
    if (ctx.services == nullptr || ctx.services->pvnet_bus == nullptr) {
        return Error::make(Errc::unsupported, "no PV network support (XenStore or grant tables unavailable)");
    }
    return ctx.services->pvnet_bus;
}

void print_vif(Context& ctx, unsigned n, const pvnet::NetFront& v) {
    const pvnet::NetfrontInfo& i = v.info();
    const pvnet::NetfrontStats& s = v.stats();
    ctx.con.printf("eth%u: vif %u, MAC %s, backend %s (domain %u)\n", n, i.handle, i.mac_text, i.backend, i.backend_id);
    if (v.connected()) {
        ctx.con.printf("            State: connected in %lu ms, %u RX / %u TX buffers, large receive %s\n",
                       i.ms_connect, i.rx_buffers, i.tx_buffers, i.rx_gso ? "sg+gso-tcpv4" : (i.rx_sg ? "sg" : "off"));
    } else {
        ctx.con.printf("            State: not connected (connects on first use)\n");
    }
    ctx.con.printf("            Frames: rx %lu (%lu bytes), tx %lu (%lu bytes), dropped %lu, errors %lu\n", s.rx,
                   s.rx_bytes, s.tx, s.tx_bytes, s.dropped, s.errors);
    ctx.con.printf(
        "            RX: %lu slots, %lu large, %lu checksum-trusted; %lu notifications sent, %lu waits (%lu ms)\n",
        s.rx_slots, s.rx_large, s.rx_csum_trusted, s.notifications, s.waits, s.wait_us / 1000);
    if (v.broken_reason()[0] != '\0') ctx.con.printf("            Broken: %s\n", v.broken_reason());
}

}  // namespace

Status do_pvnet(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("missing subcommand");
    pvnet::PvNetBus* b = TRY(bus(ctx));
    const char* sub = argv[1];
    if (strcmp(sub, "info") == 0) {
        if (argc != 2) return usage_error("info takes no arguments");
        if (b->count() == 0) ctx.con.printf("no pvnet devices available\n");
        for (unsigned i = 0; i < b->count(); ++i) print_vif(ctx, i, b->vif(i));
        return ok();
    }
    if (strcmp(sub, "reset") == 0) {
        if (argc > 3) return usage_error("reset takes at most one interface number");
        unsigned n = 0;
        if (argc == 3) {
            Result<std::uint64_t> v = parse_hex(argv[2], "interface number");
            if (!v.ok() || v.value() >= b->count()) {
                return Error::make(Errc::not_found, "no interface %s (there are %u)", argv[2], b->count());
            }
            n = static_cast<unsigned>(v.value());
        }
        if (n >= b->count()) return Error::make(Errc::not_found, "no pvnet devices available");
        TRY(b->vif(n).reset());
        ctx.con.printf("eth%u: vif %u connected\n", n, b->vif(n).info().handle);
        return ok();
    }
    return usage_error("unknown subcommand '%s'", sub);
}

}  // namespace xb::cmd
