// A simulated Ethernet wire for the network stack's host tests:
//   FakeLink  - net::Link over in-memory frame queues; whatever the stack
//               transmits goes to a handler (a NetPeer, or another FakeLink:
//               connect_links), and waiting moves the virtual clock.
//   NetPeer   - a scripted host on the wire that parses the frames the stack
//               sends and answers ARP, ICMP echo, UDP echo (port 7) and DHCP
//               DISCOVER/REQUEST with configurable options and faults.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "net/link.h"

namespace xb::sim {

using Frame = std::vector<std::uint8_t>;

class FakeLink final : public net::Link {
  public:
    explicit FakeLink(net::MacAddress mac) : mac_(mac) {}

    net::MacAddress mac() const override { return mac_; }
    Status transmit(std::span<const std::uint8_t> frame) override;
    using net::Link::receive;
    Result<std::size_t> receive(net::FrameSink& sink) override;
    bool wait_for_frames(Deadline until) override;

    // checksum_trusted: as a vif's frames flagged NETRXF_data_validated.
    void deliver(Frame frame, bool checksum_trusted = false) {
        inbound.push_back(std::move(frame));
        inbound_trusted.push_back(checksum_trusted);
    }

    std::function<void(const Frame&)> on_transmit;  // where sent frames go
    std::deque<Frame> inbound;                      // waiting for receive()
    std::deque<bool> inbound_trusted;               // their checksum_trusted, when given
    std::vector<Frame> sent;                        // everything transmitted
    bool fail_receive = false;                      // receive() returns an I/O error

  private:
    net::MacAddress mac_;
};

// Two links as the two ends of one cable.
void connect_links(FakeLink& a, FakeLink& b);

struct DhcpServerConfig {
    bool enabled = true;
    std::uint32_t offer_ip = 0x0A090032;  // 10.9.0.50
    std::uint32_t netmask = 0xFFFFFF00;
    std::uint32_t router = 0x0A090001;  // 10.9.0.1
    std::uint32_t siaddr = 0x0A090001;  // next server
    std::string file_field;             // BOOTP `file`
    std::string sname_field;            // BOOTP `sname`
    // Options added to OFFER and ACK (code, value), in order, before END.
    std::vector<std::pair<std::uint8_t, std::vector<std::uint8_t>>> options;
    // Raw bytes after those options; with end_option false they are the
    // message's last bytes (a missing END, a length running off the end).
    std::vector<std::uint8_t> raw_tail;
    bool end_option = true;
    std::uint8_t overload = 0;               // option 52: 1 file, 2 sname, 3 both
    std::vector<std::uint8_t> file_options;  // the `file` field's bytes when overloaded
    unsigned ignore_discovers = 0;           // the first N DISCOVERs get no answer
    bool duplicate_replies = false;          // every OFFER/ACK sent twice
    bool wrong_xid_first = false;            // a reply with another xid goes first
    bool answer_requests = true;             // false: OFFER, but never ACK
    // When set, every reply is these bytes (the fuzzer's input) with the
    // request's xid and chaddr patched in where the message is long enough.
    // raw_ack, when set, answers REQUESTs instead (an OFFER, then an ACK).
    std::vector<std::uint8_t> raw_reply;
    std::vector<std::uint8_t> raw_ack;
};

class NetPeer {
  public:
    NetPeer(FakeLink& link, net::MacAddress mac, std::uint32_t ip);

    DhcpServerConfig dhcp;
    bool answer_arp = true;
    bool answer_ping = true;

    // What the stack sent (filled as frames arrive).
    unsigned discovers = 0;
    unsigned requests = 0;
    unsigned releases = 0;
    unsigned arp_requests = 0;
    unsigned echo_requests = 0;
    std::map<std::uint8_t, std::vector<std::uint8_t>> last_client_options;  // of the last DISCOVER/REQUEST
    std::vector<Frame> udp_payloads_received;

    net::MacAddress mac() const { return mac_; }
    std::uint32_t ip() const { return ip_; }

  private:
    void on_frame(const Frame& frame);
    void on_arp(const Frame& frame);
    void on_ipv4(const Frame& frame);
    void on_dhcp(const std::uint8_t* bootp, std::size_t len);
    void send_dhcp_reply(std::uint8_t type, std::uint32_t xid, const std::uint8_t* chaddr);
    void send_ipv4(const std::uint8_t* dst_mac, std::uint32_t dst_ip, std::uint8_t proto,
                   const std::vector<std::uint8_t>& payload);
    void send_udp(const std::uint8_t* dst_mac, std::uint32_t dst_ip, std::uint16_t sport, std::uint16_t dport,
                  const std::vector<std::uint8_t>& payload);

    FakeLink& link_;
    net::MacAddress mac_;
    std::uint32_t ip_;
};

}  // namespace xb::sim
