#include "net/ipv4.h"

namespace xb::net {

Result<Ipv4Address> parse_ipv4(const char* text) {
    std::uint32_t value = 0;
    const char* p = text;
    for (unsigned i = 0; i < 4; ++i) {
        if (*p < '0' || *p > '9') return Error::make(Errc::invalid_argument, "bad IPv4 address '%s'", text);
        unsigned octet = 0;
        unsigned digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            octet = octet * 10 + static_cast<unsigned>(*p - '0');
            ++p;
            ++digits;
        }
        if (digits > 3 || octet > 255) return Error::make(Errc::invalid_argument, "bad IPv4 address '%s'", text);
        value = (value << 8) | octet;
        const char want = i < 3 ? '.' : '\0';
        if (*p != want) return Error::make(Errc::invalid_argument, "bad IPv4 address '%s'", text);
        if (want != '\0') ++p;
    }
    return Ipv4Address{value};
}

void format_ipv4(Ipv4Address ip, std::span<char, 16> out) {
    std::size_t o = 0;
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned v = ip.octet(i);
        if (v >= 100) out[o++] = static_cast<char>('0' + v / 100);
        if (v >= 10) out[o++] = static_cast<char>('0' + v / 10 % 10);
        out[o++] = static_cast<char>('0' + v % 10);
        out[o++] = i < 3 ? '.' : '\0';
    }
}

}  // namespace xb::net
