// A network boot rig: the boot rig (tests/sim/boot_rig.h: simulated guest
// RAM, the standard *_addr_r layout, a recording hand-off) with a network
// port whose stack sits on one end of a simulated cable. On the other end: a
// scripted DHCP server (tests/sim/net_peer.h, 10.9.0.1) and a second netif of
// the same lwIP (10.9.0.3) running a small TFTP server (RFC 1350, with the
// RFC 2347 options blksize, tsize, timeout and windowsize), written over
// lwIP's raw API: it answers from lwIP's callbacks while xenboot polls.
// It records every file asked for, in order.
//
// Header-only test glue, as tests/sim/shell_rig.h.
#pragma once

#include <lwip/pbuf.h>
#include <lwip/udp.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bootflow/net_devices.h"
#include "tests/sim/boot_rig.h"
#include "tests/sim/net_peer.h"

namespace xb::sim {

class OnePortNetDevices final : public cmd::NetDevices {
  public:
    explicit OnePortNetDevices(net::Link* l) : link_(l) {}
    Result<net::Link*> link(unsigned index) override {
        if (index != 0) return Error::make(Errc::not_found, "no such port");
        return link_;
    }
    net::Stack& stack() override { return stack_; }

  private:
    net::Link* link_;
    net::Stack stack_;
};

struct MiniTftpServer {
    std::map<std::string, std::vector<std::uint8_t>> files;
    std::vector<std::string> asked;  // every RRQ's file name, in order

    udp_pcb* listen = nullptr;
    udp_pcb* tid = nullptr;
    netif* on = nullptr;
    const std::vector<std::uint8_t>* file = nullptr;
    std::size_t blksize = 512;
    unsigned window = 1;
    ip_addr_t client{};
    u16_t client_port = 0;

    void start(net::Stack& stack) {
        on = stack.lwip_netif();
        listen = udp_new();
        udp_bind_netif(listen, on);
        udp_bind(listen, IP_ADDR_ANY, 69);
        udp_recv(listen, on_rrq, this);
    }
    ~MiniTftpServer() {
        if (listen != nullptr) udp_remove(listen);
        if (tid != nullptr) udp_remove(tid);
    }
    static std::vector<std::uint8_t> take(pbuf* p) {
        std::vector<std::uint8_t> v(p->tot_len);
        pbuf_copy_partial(p, v.data(), p->tot_len, 0);
        pbuf_free(p);
        return v;
    }
    void send(const std::vector<std::uint8_t>& data) {
        pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(data.size()), PBUF_RAM);
        if (p == nullptr) return;
        std::memcpy(p->payload, data.data(), data.size());
        udp_sendto(tid, p, &client, client_port);
        pbuf_free(p);
    }
    static void on_rrq(void* arg, udp_pcb*, pbuf* p, const ip_addr_t* addr, u16_t port) {
        static_cast<MiniTftpServer*>(arg)->rrq(take(p), addr, port);
    }
    static void on_ack(void* arg, udp_pcb*, pbuf* p, const ip_addr_t*, u16_t) {
        auto* self = static_cast<MiniTftpServer*>(arg);
        const std::vector<std::uint8_t> v = take(p);
        if (v.size() < 4 || v[1] != 4 || self->file == nullptr) return;
        self->send_window(static_cast<std::uint64_t>(v[2] << 8 | v[3]));
    }
    void rrq(const std::vector<std::uint8_t>& v, const ip_addr_t* addr, u16_t port) {
        if (v.size() < 4 || v[1] != 1) return;
        std::vector<std::string> words;
        std::string w;
        for (std::size_t i = 2; i < v.size(); ++i) {
            if (v[i] == 0) {
                words.push_back(w);
                w.clear();
            } else {
                w += static_cast<char>(v[i]);
            }
        }
        asked.push_back(words.at(0));
        ip_addr_copy(client, *addr);
        client_port = port;
        if (tid != nullptr) udp_remove(tid);
        tid = udp_new();
        udp_bind_netif(tid, on);
        udp_bind(tid, IP_ADDR_ANY, 0);
        udp_recv(tid, on_ack, this);
        auto it = files.find(words[0]);
        if (it == files.end()) {
            file = nullptr;
            std::vector<std::uint8_t> err{0, 5, 0, 1};
            for (char c : std::string("File not found")) err.push_back(static_cast<std::uint8_t>(c));
            err.push_back(0);
            send(err);
            return;
        }
        file = &it->second;
        blksize = 512;
        window = 1;
        std::vector<std::uint8_t> oack{0, 6};
        auto option = [&](const std::string& name, const std::string& value) {
            for (char c : name + '\0' + value) oack.push_back(static_cast<std::uint8_t>(c));
            oack.push_back(0);
        };
        for (std::size_t i = 2; i + 1 < words.size(); i += 2) {
            const std::string& name = words[i];
            const std::string& value = words[i + 1];
            if (name == "blksize") blksize = std::stoul(value);
            if (name == "windowsize") window = static_cast<unsigned>(std::stoul(value));
            if (name == "tsize") option(name, std::to_string(file->size()));
            else option(name, value);
        }
        if (oack.size() > 2) send(oack);
        else send_window(0);
    }
    void send_window(std::uint64_t acked) {
        const std::uint64_t last = file->size() / blksize + 1;
        for (std::uint64_t b = acked + 1; b <= acked + window && b <= last; ++b) {
            const std::size_t off = static_cast<std::size_t>((b - 1) * blksize);
            const std::size_t n = std::min(blksize, file->size() - off);
            std::vector<std::uint8_t> d{0, 3, static_cast<std::uint8_t>(b >> 8), static_cast<std::uint8_t>(b)};
            d.insert(d.end(), file->begin() + static_cast<std::ptrdiff_t>(off),
                     file->begin() + static_cast<std::ptrdiff_t>(off + n));
            send(d);
        }
    }
    void put(const std::string& name, const std::string& text) { files[name].assign(text.begin(), text.end()); }
};

struct PxeRig : BootRig {
    static constexpr std::uint32_t kServer = 0x0A090003;  // 10.9.0.3: TFTP
    FakeLink link_a{net::MacAddress{{0x00, 0x16, 0x3e, 0x12, 0x34, 0x56}}};
    FakeLink link_b{net::MacAddress{{0x00, 0x16, 0x3e, 0x00, 0x00, 0x02}}};
    NetPeer peer{link_a, net::MacAddress{{0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc}}, 0x0A090001};
    net::Stack b;
    OnePortNetDevices devices{&link_a};
    MiniTftpServer tftp;
    cmd::BootLayout layout;

    PxeRig() {
        auto to_peer = link_a.on_transmit;
        link_a.on_transmit = [this, to_peer](const Frame& f) {
            to_peer(f);
            link_b.deliver(f);
        };
        link_b.on_transmit = [this](const Frame& f) { link_a.deliver(f); };
        EXPECT_TRUE(b.up(link_b).ok());
        b.configure({net::Ipv4Address{kServer}, net::Ipv4Address{0xFFFFFF00}, {}});
        tftp.start(b);
        peer.dhcp.siaddr = kServer;
        services.net = &devices;
        layout = set_layout();
    }
    ~PxeRig() { devices.stack().down(); }
};

}  // namespace xb::sim
