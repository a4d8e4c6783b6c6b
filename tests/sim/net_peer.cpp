#include "tests/sim/net_peer.h"

#include <algorithm>
#include <cstring>

#include "arch/host/virtual_clock.h"

namespace xb::sim {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x));
}
void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    put16(v, static_cast<std::uint16_t>(x >> 16));
    put16(v, static_cast<std::uint16_t>(x));
}

std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += be16(p + i);
    if (n % 2 != 0) sum += std::uint32_t{p[n - 1]} << 8;
    return sum;
}
std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

constexpr std::uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

}  // namespace

Status FakeLink::transmit(std::span<const std::uint8_t> frame) {
    if (frame.size() < kMinFrame || frame.size() > kMaxFrame) return Error::make(Errc::invalid_argument, "bad frame");
    Frame f(frame.begin(), frame.end());
    sent.push_back(f);
    if (on_transmit) on_transmit(f);
    return ok();
}

Result<std::size_t> FakeLink::receive(net::FrameSink& sink) {
    if (fail_receive) return Error::make(Errc::io, "fake link: receive failed");
    for (;;) {
        if (inbound.empty()) return std::size_t{0};
        Frame f = std::move(inbound.front());
        inbound.pop_front();
        bool trusted = false;
        if (!inbound_trusted.empty()) {
            trusted = inbound_trusted.front();
            inbound_trusted.pop_front();
        }
        if (!sink.begin(net::RxFrameInfo{f.size(), trusted})) continue;  // refused: dropped, as a vif does
        // In two pieces when it can be, as a frame over two RX pages.
        const std::size_t half = f.size() / 2;
        sink.append(std::span<const std::uint8_t>(f.data(), half));
        sink.append(std::span<const std::uint8_t>(f.data() + half, f.size() - half));
        return f.size();
    }
}

bool FakeLink::wait_for_frames(Deadline until) {
    if (!inbound.empty()) return true;
    // Nothing will arrive by itself: the peer answers at once. Let time pass
    // to the deadline (the stack's next timer at the latest).
    if (until.is_never()) arch::virtual_clock::advance(1000000);
    else arch::virtual_clock::advance_to(until.at());
    return !inbound.empty();
}

void connect_links(FakeLink& a, FakeLink& b) {
    a.on_transmit = [&b](const Frame& f) { b.deliver(f); };
    b.on_transmit = [&a](const Frame& f) { a.deliver(f); };
}

NetPeer::NetPeer(FakeLink& link, net::MacAddress mac, std::uint32_t ip) : link_(link), mac_(mac), ip_(ip) {
    link_.on_transmit = [this](const Frame& f) { on_frame(f); };
}

void NetPeer::on_frame(const Frame& f) {
    if (f.size() < 14) return;
    const bool to_us = std::memcmp(f.data(), mac_.bytes.data(), 6) == 0 || std::memcmp(f.data(), kBroadcast, 6) == 0;
    if (!to_us) return;
    const std::uint16_t type = be16(f.data() + 12);
    if (type == 0x0806) on_arp(f);
    if (type == 0x0800) on_ipv4(f);
}

void NetPeer::on_arp(const Frame& f) {
    if (f.size() < 14 + 28) return;
    const std::uint8_t* a = f.data() + 14;
    if (be16(a + 6) != 1 || be32(a + 24) != ip_) return;  // a request for our address
    ++arp_requests;
    if (!answer_arp) return;
    Frame r(f.data() + 6, f.data() + 12);  // to the asker
    r.insert(r.end(), mac_.bytes.begin(), mac_.bytes.end());
    put16(r, 0x0806);
    put16(r, 1);
    put16(r, 0x0800);
    r.push_back(6);
    r.push_back(4);
    put16(r, 2);
    r.insert(r.end(), mac_.bytes.begin(), mac_.bytes.end());
    put32(r, ip_);
    r.insert(r.end(), a + 8, a + 14);   // sender hw -> target
    r.insert(r.end(), a + 14, a + 18);  // sender ip -> target
    link_.deliver(r);
}

void NetPeer::on_ipv4(const Frame& f) {
    if (f.size() < 14 + 20) return;
    const std::uint8_t* ip = f.data() + 14;
    const std::size_t ihl = (ip[0] & 0x0fU) * 4U;
    const std::size_t total = be16(ip + 2);
    if (ihl < 20 || total < ihl || 14 + total > f.size()) return;
    const std::uint32_t src = be32(ip + 12);
    const std::uint32_t dst = be32(ip + 16);
    const std::uint8_t proto = ip[9];
    const std::uint8_t* body = ip + ihl;
    const std::size_t body_len = total - ihl;
    if (proto == 1 && dst == ip_ && body_len >= 8 && body[0] == 8) {  // ICMP echo request
        ++echo_requests;
        if (!answer_ping) return;
        std::vector<std::uint8_t> reply(body, body + body_len);
        reply[0] = 0;
        reply[2] = reply[3] = 0;
        const std::uint16_t c = fold(sum16(reply.data(), reply.size()));
        reply[2] = static_cast<std::uint8_t>(c >> 8);
        reply[3] = static_cast<std::uint8_t>(c);
        send_ipv4(f.data() + 6, src, 1, reply);
        return;
    }
    if (proto != 17 || body_len < 8) return;
    const std::uint16_t sport = be16(body);
    const std::uint16_t dport = be16(body + 2);
    const std::size_t ulen = be16(body + 4);
    if (ulen < 8 || ulen > body_len) return;
    if (dport == 67) {
        on_dhcp(body + 8, ulen - 8);
        return;
    }
    if (dport == 7 && dst == ip_) {  // echo
        std::vector<std::uint8_t> data(body + 8, body + ulen);
        udp_payloads_received.push_back(data);
        send_udp(f.data() + 6, src, 7, sport, data);
    }
}

void NetPeer::on_dhcp(const std::uint8_t* m, std::size_t len) {
    if (len < 240 || m[0] != 1 || be32(m + 236) != 0x63825363) return;
    std::map<std::uint8_t, std::vector<std::uint8_t>> opts;
    for (std::size_t i = 240; i < len && m[i] != 255;) {
        if (m[i] == 0) {
            ++i;
            continue;
        }
        if (i + 2 > len || i + 2 + m[i + 1] > len) break;
        auto& v = opts[m[i]];
        v.insert(v.end(), m + i + 2, m + i + 2 + m[i + 1]);  // RFC 3396: repeated options concatenate
        i += 2U + m[i + 1];
    }
    last_client_options = opts;
    const auto type = opts.find(53);
    if (type == opts.end() || type->second.size() != 1) return;
    const std::uint32_t xid = be32(m + 4);
    if (type->second[0] == 1) {
        ++discovers;
        if (!dhcp.enabled || discovers <= dhcp.ignore_discovers) return;
        send_dhcp_reply(2, xid, m + 28);
    } else if (type->second[0] == 7) {
        ++releases;
    } else if (type->second[0] == 3) {
        ++requests;
        if (dhcp.enabled && dhcp.answer_requests) send_dhcp_reply(5, xid, m + 28);
    }
}

void NetPeer::send_dhcp_reply(std::uint8_t type, std::uint32_t xid, const std::uint8_t* chaddr) {
    auto build = [&](std::uint32_t with_xid) {
        std::vector<std::uint8_t> b(236, 0);
        b[0] = 2;
        b[1] = 1;
        b[2] = 6;
        for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<std::uint8_t>(with_xid >> (24 - 8 * i));
        for (int i = 0; i < 4; ++i) b[16 + i] = static_cast<std::uint8_t>(dhcp.offer_ip >> (24 - 8 * i));
        for (int i = 0; i < 4; ++i) b[20 + i] = static_cast<std::uint8_t>(dhcp.siaddr >> (24 - 8 * i));
        std::memcpy(&b[28], chaddr, 16);
        std::memcpy(&b[44], dhcp.sname_field.data(), std::min<std::size_t>(dhcp.sname_field.size(), 64));
        if (dhcp.overload & 1)
            std::memcpy(&b[108], dhcp.file_options.data(), std::min<std::size_t>(dhcp.file_options.size(), 128));
        else std::memcpy(&b[108], dhcp.file_field.data(), std::min<std::size_t>(dhcp.file_field.size(), 128));
        put32(b, 0x63825363);
        auto opt = [&](std::uint8_t code, const std::vector<std::uint8_t>& v) {
            b.push_back(code);
            b.push_back(static_cast<std::uint8_t>(v.size()));
            b.insert(b.end(), v.begin(), v.end());
        };
        auto ip = [](std::uint32_t x) {
            return std::vector<std::uint8_t>{static_cast<std::uint8_t>(x >> 24), static_cast<std::uint8_t>(x >> 16),
                                             static_cast<std::uint8_t>(x >> 8), static_cast<std::uint8_t>(x)};
        };
        opt(53, {type});
        opt(54, ip(ip_));
        opt(51, ip(3600));
        opt(1, ip(dhcp.netmask));
        if (dhcp.router != 0) opt(3, ip(dhcp.router));
        if (dhcp.overload != 0) opt(52, {dhcp.overload});
        for (const auto& [code, value] : dhcp.options) opt(code, value);
        b.insert(b.end(), dhcp.raw_tail.begin(), dhcp.raw_tail.end());
        if (dhcp.end_option) b.push_back(255);
        return b;
    };
    const std::uint8_t* to = kBroadcast;
    if (!dhcp.raw_reply.empty()) {
        std::vector<std::uint8_t> b = type == 5 && !dhcp.raw_ack.empty() ? dhcp.raw_ack : dhcp.raw_reply;
        if (b.size() > 1472) b.resize(1472);  // one unfragmented UDP payload
        for (std::size_t i = 0; i < 4 && 4 + i < b.size(); ++i)
            b[4 + i] = static_cast<std::uint8_t>(xid >> (24 - 8 * i));
        for (std::size_t i = 0; i < 6 && 28 + i < b.size(); ++i) b[28 + i] = chaddr[i];
        send_udp(to, 0xFFFFFFFF, 67, 68, b);
        return;
    }
    if (dhcp.wrong_xid_first) send_udp(to, 0xFFFFFFFF, 67, 68, build(xid ^ 0x5a5a5a5a));
    const auto reply = build(xid);
    send_udp(to, 0xFFFFFFFF, 67, 68, reply);
    if (dhcp.duplicate_replies) send_udp(to, 0xFFFFFFFF, 67, 68, reply);
}

void NetPeer::send_ipv4(const std::uint8_t* dst_mac, std::uint32_t dst_ip, std::uint8_t proto,
                        const std::vector<std::uint8_t>& payload) {
    Frame f(dst_mac, dst_mac + 6);
    f.insert(f.end(), mac_.bytes.begin(), mac_.bytes.end());
    put16(f, 0x0800);
    std::vector<std::uint8_t> h;
    h.push_back(0x45);
    h.push_back(0);
    put16(h, static_cast<std::uint16_t>(20 + payload.size()));
    put16(h, 0x1234);
    put16(h, 0);
    h.push_back(64);
    h.push_back(proto);
    put16(h, 0);
    put32(h, ip_);
    put32(h, dst_ip);
    const std::uint16_t c = fold(sum16(h.data(), h.size()));
    h[10] = static_cast<std::uint8_t>(c >> 8);
    h[11] = static_cast<std::uint8_t>(c);
    f.insert(f.end(), h.begin(), h.end());
    f.insert(f.end(), payload.begin(), payload.end());
    link_.deliver(f);
}

void NetPeer::send_udp(const std::uint8_t* dst_mac, std::uint32_t dst_ip, std::uint16_t sport, std::uint16_t dport,
                       const std::vector<std::uint8_t>& payload) {
    std::vector<std::uint8_t> u;
    put16(u, sport);
    put16(u, dport);
    put16(u, static_cast<std::uint16_t>(8 + payload.size()));
    put16(u, 0);
    u.insert(u.end(), payload.begin(), payload.end());
    // The pseudo header (RFC 768) makes the checksum cover the addresses.
    std::vector<std::uint8_t> pseudo;
    put32(pseudo, ip_);
    put32(pseudo, dst_ip);
    put16(pseudo, 17);
    put16(pseudo, static_cast<std::uint16_t>(u.size()));
    std::uint16_t c = fold(sum16(u.data(), u.size(), sum16(pseudo.data(), pseudo.size())));
    if (c == 0) c = 0xFFFF;
    u[6] = static_cast<std::uint8_t>(c >> 8);
    u[7] = static_cast<std::uint8_t>(c);
    send_ipv4(dst_mac, dst_ip, 17, u);
}

}  // namespace xb::sim
