// IPv4 addresses, in host byte order, with the dotted-quad text form that
// U-Boot's variables (ipaddr, serverip, netmask, gatewayip) use.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"

namespace xb::net {

struct Ipv4Address {
    std::uint32_t value = 0;  // host order: 10.9.0.1 is 0x0A090001

    friend bool operator==(const Ipv4Address&, const Ipv4Address&) = default;
    bool is_any() const { return value == 0; }
    std::uint8_t octet(unsigned i) const { return static_cast<std::uint8_t>(value >> (24 - 8 * i)); }
};

// "10.9.0.1": four decimal octets 0..255, no leading '+', nothing after.
Result<Ipv4Address> parse_ipv4(const char* text);
// NUL-terminated into `out` (16 bytes: "255.255.255.255").
void format_ipv4(Ipv4Address ip, std::span<char, 16> out);

}  // namespace xb::net
