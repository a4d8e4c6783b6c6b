// A small TFTP server for tests (RFC 1350, read side, with the RFC 2347
// options blksize, tsize, timeout and windowsize of RFCs 2348/2349/7440),
// written over lwIP's raw API: the test cannot block, so it answers from
// lwIP's callbacks while xenboot polls. And the cable it usually sits on
// (ServedNet): the guest's port on one end, with a scripted DHCP server
// (tests/sim/net_peer.h, 10.9.0.1), and a second netif of the same lwIP
// (10.9.0.3) running the TFTP server on the other. Used by the pxe tests
// (through tests/sim/pxe_rig.h) and the tftpboot/wget tests.
//
// Header-only test glue, as tests/sim/shell_rig.h.
#pragma once

#include <gtest/gtest.h>
#include <lwip/pbuf.h>
#include <lwip/udp.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bootflow/net_devices.h"
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

// On port 69: honours blksize, windowsize, tsize and timeout, answers each
// ACK with the next window, ERROR 1 for an unknown file. Records every file
// asked for, in order, and the options of the last request.
struct TftpServer {
    std::map<std::string, std::vector<std::uint8_t>> files;
    std::vector<std::string> asked;  // every RRQ's file name, in order
    std::map<std::string, std::string> last_options;
    std::uint64_t data_sent = 0;
    std::function<void(std::uint64_t acked)> ack_hook;  // called with each ACK's block
    std::uint64_t drop_once = 0;                        // this block is lost the first time

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
        ASSERT_EQ(udp_bind(listen, IP_ADDR_ANY, 69), ERR_OK);
        udp_recv(listen, on_rrq, this);
    }
    ~TftpServer() {
        if (listen != nullptr) udp_remove(listen);
        if (tid != nullptr) udp_remove(tid);
    }
    void put(const std::string& name, const std::string& text) { files[name].assign(text.begin(), text.end()); }
    std::size_t rrqs() const { return asked.size(); }
    std::string last_file() const { return asked.empty() ? std::string() : asked.back(); }

    static std::vector<std::uint8_t> take(pbuf* p) {
        std::vector<std::uint8_t> v(p->tot_len);
        pbuf_copy_partial(p, v.data(), p->tot_len, 0);
        pbuf_free(p);
        return v;
    }
    void send(const std::vector<std::uint8_t>& data) {
        pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(data.size()), PBUF_RAM);
        ASSERT_NE(p, nullptr);
        std::memcpy(p->payload, data.data(), data.size());
        udp_sendto(tid, p, &client, client_port);
        pbuf_free(p);
    }
    static void on_rrq(void* arg, udp_pcb*, pbuf* p, const ip_addr_t* addr, u16_t port) {
        static_cast<TftpServer*>(arg)->rrq(take(p), addr, port);
    }
    static void on_ack(void* arg, udp_pcb*, pbuf* p, const ip_addr_t*, u16_t) {
        auto* self = static_cast<TftpServer*>(arg);
        const std::vector<std::uint8_t> v = take(p);
        if (v.size() < 4 || v[1] != 4 || self->file == nullptr) return;
        const auto acked = static_cast<std::uint64_t>(v[2] << 8 | v[3]);
        if (self->ack_hook) self->ack_hook(acked);
        self->send_window(acked);
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
        last_options.clear();
        for (std::size_t i = 2; i + 1 < words.size(); i += 2) last_options[words[i]] = words[i + 1];
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
        for (const auto& [name, value] : last_options) {
            if (name == "blksize") {
                blksize = std::stoul(value);
                option(name, value);
            } else if (name == "windowsize") {
                window = static_cast<unsigned>(std::stoul(value));
                option(name, value);
            } else if (name == "tsize") {
                option(name, std::to_string(file->size()));
            } else if (name == "timeout") {
                option(name, value);
            }
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
            ++data_sent;
            if (b == drop_once) {
                drop_once = 0;
                continue;
            }
            send(d);
        }
    }
};

// The cable: what link_a (the guest's port, behind `devices`) sends reaches
// both the DHCP peer and link_b; stack b (10.9.0.3) on link_b runs `tftp`.
struct ServedNet {
    static constexpr std::uint32_t kServer = 0x0A090003;  // 10.9.0.3: TFTP
    FakeLink link_a{net::MacAddress{{0x00, 0x16, 0x3e, 0x12, 0x34, 0x56}}};
    FakeLink link_b{net::MacAddress{{0x00, 0x16, 0x3e, 0x00, 0x00, 0x02}}};
    NetPeer peer{link_a, net::MacAddress{{0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc}}, 0x0A090001};
    net::Stack b;
    OnePortNetDevices devices{&link_a};
    TftpServer tftp;

    ServedNet() {
        auto to_peer = link_a.on_transmit;
        link_a.on_transmit = [this, to_peer](const Frame& f) {
            to_peer(f);
            link_b.deliver(f);
        };
        link_b.on_transmit = [this](const Frame& f) { link_a.deliver(f); };
        EXPECT_TRUE(b.up(link_b).ok());
        b.configure({net::Ipv4Address{kServer}, net::Ipv4Address{0xFFFFFF00}, {}});
        tftp.start(b);
    }
};

}  // namespace xb::sim
