// ICMP echo over an lwIP raw pcb (see ping.h).
#include "net/ping.h"

#include <lwip/etharp.h>
#include <lwip/inet_chksum.h>
#include <lwip/ip.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/prot/icmp.h>
#include <lwip/prot/ip4.h>
#include <lwip/raw.h>

#include <array>
#include <cstring>

#include "lib/clock.h"

namespace xb::net {
namespace {

constexpr std::uint16_t kIdent = 0x7862;  // "xb"
constexpr std::size_t kPayload = 32;
constexpr std::uint64_t kResendMs = 1000;

struct Pending {
    std::uint32_t target = 0;  // network order
    std::uint16_t seq_base = 0;
    std::array<std::uint64_t, 64> sent_at{};  // clock ticks, by seq - seq_base
    unsigned sent = 0;
    bool answered = false;
    std::uint64_t rtt_ticks = 0;
};

// The raw pcb sees every ICMP packet with its IP header (raw.c): take the
// echo reply that matches ours, leave everything else to lwIP's icmp.c.
u8_t on_icmp(void* arg, raw_pcb* /*pcb*/, pbuf* p, const ip_addr_t* addr) {
    auto* pending = static_cast<Pending*>(arg);
    std::uint8_t head[60 + sizeof(icmp_echo_hdr)];
    const u16_t got = pbuf_copy_partial(p, head, static_cast<u16_t>(sizeof(head)), 0);
    if (got < IP_HLEN) return 0;
    const std::size_t ihl = static_cast<std::size_t>(head[0] & 0x0fU) * 4;
    if (ihl < IP_HLEN || got < ihl + sizeof(icmp_echo_hdr)) return 0;
    icmp_echo_hdr echo;
    std::memcpy(&echo, head + ihl, sizeof(echo));
    if (echo.type != ICMP_ER || lwip_ntohs(echo.id) != kIdent) return 0;
    if (ip_addr_get_ip4_u32(addr) != pending->target) return 0;
    const auto index = static_cast<std::uint16_t>(lwip_ntohs(echo.seqno) - pending->seq_base);
    if (index >= pending->sent || index >= pending->sent_at.size() || pending->answered) {
        pbuf_free(p);
        return 1;
    }
    pending->answered = true;
    pending->rtt_ticks = clock_ticks() - pending->sent_at[index];
    pbuf_free(p);
    return 1;
}

Status send_echo(raw_pcb* pcb, Pending& pending, const ip_addr_t& to) {
    pbuf* p = pbuf_alloc(PBUF_IP, static_cast<u16_t>(sizeof(icmp_echo_hdr) + kPayload), PBUF_RAM);
    if (p == nullptr) return Error::make(Errc::no_memory, "ping: no buffer for an echo request");
    auto* echo = static_cast<icmp_echo_hdr*>(p->payload);
    const auto seq = static_cast<std::uint16_t>(pending.seq_base + pending.sent);
    echo->type = ICMP_ECHO;
    echo->code = 0;
    echo->chksum = 0;
    echo->id = lwip_htons(kIdent);
    echo->seqno = lwip_htons(seq);
    auto* data = static_cast<std::uint8_t*>(p->payload) + sizeof(icmp_echo_hdr);
    for (std::size_t i = 0; i < kPayload; ++i) data[i] = static_cast<std::uint8_t>('a' + i % 23);
    echo->chksum = inet_chksum(echo, p->len);
    pending.sent_at[pending.sent % pending.sent_at.size()] = clock_ticks();
    ++pending.sent;
    const err_t err = raw_sendto(pcb, p, &to);
    pbuf_free(p);
    if (err != ERR_OK && err != ERR_MEM) return Error::make(Errc::io, "ping: send: %s", lwip_error_name(err));
    return ok();
}

}  // namespace

Result<PingReply> ping(Stack& stack, Ipv4Address to, std::uint64_t timeout_ms) {
    char text[16];
    format_ipv4(to, text);
    if (!stack.is_up()) return Error::make(Errc::invalid_argument, "ping: the network is down");
    const Ipv4Config cfg = stack.config();
    if (cfg.ip.is_any()) return Error::make(Errc::invalid_argument, "ping: no IP address (run dhcp or set ipaddr)");
    // The host ARP must answer: the target on the local subnet, else the gateway.
    const bool on_link = (to.value & cfg.netmask.value) == (cfg.ip.value & cfg.netmask.value);
    if (!on_link && cfg.gateway.is_any())
        return Error::make(Errc::invalid_argument, "ping: %s is not on the local network and there is no gateway",
                           text);
    const Ipv4Address hop = on_link ? to : cfg.gateway;

    raw_pcb* pcb = raw_new(IP_PROTO_ICMP);
    if (pcb == nullptr) return Error::make(Errc::no_memory, "ping: no free raw pcb");
    Pending pending;
    pending.target = lwip_htonl(to.value);
    pending.seq_base = static_cast<std::uint16_t>(clock_ticks());
    raw_recv(pcb, on_icmp, &pending);
    struct Remove {
        raw_pcb* pcb;
        ~Remove() { raw_remove(pcb); }
    } remove{pcb};

    ip_addr_t dst;
    ip_addr_set_ip4_u32(&dst, pending.target);
    const Deadline until = Deadline::after_ms(timeout_ms);
    while (!pending.answered) {
        if (until.expired()) {
            char hop_text[16];
            format_ipv4(hop, hop_text);
            ip4_addr_t hop_ip;
            ip4_addr_set_u32(&hop_ip, lwip_htonl(hop.value));
            eth_addr* mac = nullptr;
            const ip4_addr_t* cached = nullptr;
            if (etharp_find_addr(stack.lwip_netif(), &hop_ip, &mac, &cached) < 0)
                return Error::make(Errc::timeout, "ping: no ARP reply from %s", hop_text);
            return Error::make(Errc::timeout, "ping: no echo reply from %s in %lu ms (%u requests sent)", text,
                               static_cast<unsigned long>(timeout_ms), pending.sent);
        }
        if (pending.sent < pending.sent_at.size()) {
            const std::uint64_t hz = clock_hz();
            const std::uint64_t last =
                pending.sent == 0 ? 0 : pending.sent_at[(pending.sent - 1) % pending.sent_at.size()];
            if (pending.sent == 0 || clock_ticks() - last >= kResendMs * hz / 1000) TRY(send_echo(pcb, pending, dst));
        }
        const Deadline resend = Deadline::after_ms(kResendMs);
        TRY(Stack::poll(resend.at() < until.at() ? resend : until));
    }
    PingReply reply;
    reply.rtt_us = pending.rtt_ticks * 1000000 / clock_hz();
    reply.sent = pending.sent;
    return reply;
}

}  // namespace xb::net
