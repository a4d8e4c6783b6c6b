// DHCP (RFC 2131/2132) on a Stack: lwIP's client does the protocol (state
// machine, retransmits with backoff); the hooks in dhcp.cpp add what a network
// boot needs (options 60, 93, 55) and read the options lwIP ignores (6, 12,
// 17, 66, 67, 209, 210), the way U-Boot's `dhcp` does (net/bootp.c).
#pragma once

#include <array>
#include <cstdint>

#include "lib/result.h"
#include "net/ipv4.h"
#include "net/stack.h"

namespace xb::net {

struct DhcpRequest {
    // Option 60. U-Boot's default on arm64 is "U-Boot.armv8"; ours says what
    // it is (a server can match on the prefix). From env `bootp_vci`.
    const char* vendor_class = "xenboot.armv8";
    // The whole exchange, DISCOVER to ACK (U-Boot lwIP: 10 s).
    std::uint64_t timeout_ms = 10000;
};

struct Lease {
    static constexpr std::size_t kMaxText = 256;  // a DHCP option holds at most 255 bytes
    using Text = std::array<char, kMaxText>;      // NUL-terminated, printable ASCII, "" when absent

    Ipv4Address ip;         // yiaddr
    Ipv4Address netmask;    // option 1 (lwIP derives the class mask when absent)
    Ipv4Address gateway;    // option 3, first router; any when absent
    Ipv4Address server;     // siaddr: the next server (TFTP), any when absent
    Ipv4Address server_id;  // option 54: the DHCP server that answered
    Ipv4Address dns;        // option 6, first two
    Ipv4Address dns2;
    Text bootfile{};                 // option 67, else the BOOTP `file` field
    Text pxe_config_file{};          // option 209 (PXELINUX, RFC 5071)
    Text path_prefix{};              // option 210 (RFC 5071)
    Text tftp_server_name{};         // option 66
    Text hostname{};                 // option 12
    Text root_path{};                // option 17
    unsigned malformed_options = 0;  // options ignored: bad length, not text, cut off
    unsigned discovers = 0;          // DHCPDISCOVERs sent
    unsigned requests = 0;           // DHCPREQUESTs sent
};

// Longest option 60 we send (its room in lwIP's message: lwipopts.h).
inline constexpr std::size_t kMaxVendorClass = 64;

// Runs DHCP on `stack` until a lease is bound or `request.timeout_ms` passes;
// the stack keeps the address (and lwIP keeps the lease). Errors: no OFFER,
// no ACK (with how many messages were sent), a bad vendor class.
Result<Lease> run_dhcp(Stack& stack, const DhcpRequest& request);

}  // namespace xb::net
