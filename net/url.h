// The URLs `wget` takes: `http://host[:port]/path` (RFC 3986 §3, the http
// scheme of RFC 9110 §4.2.1: default port 80, an empty path means "/"), and
// U-Boot's legacy form `[host:]path`, where the host defaults to `serverip`
// (cmd/net.c, doc/usage/cmd/wget.rst). The host is a dotted IPv4 address or a
// name; names are kept as text, and resolving them is the caller's business
// (url_endpoint() says "DNS not available" until there is DNS).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/result.h"
#include "net/ipv4.h"
#include "net/transport.h"

namespace xb::net {

namespace url {
constexpr std::size_t kMaxText = 1024;  // the whole URL
constexpr std::size_t kMaxHost = 253;   // RFC 1035 §2.3.4 (a name's text form)
constexpr std::size_t kMaxPath = 1000;  // path and query, as sent in the request line
constexpr std::uint16_t kHttpPort = 80;
}  // namespace url

struct Url {
    char host[url::kMaxHost + 1] = {};
    bool host_is_ip = false;
    Ipv4Address ip;  // when host_is_ip
    std::uint16_t port = url::kHttpPort;
    char path[url::kMaxPath + 1] = {};  // starts with '/'; no fragment
};

// `default_server` (serverip) is used for the legacy form without a host;
// 0 means there is none. "https://..." is refused: HTTPS is not supported yet.
Status parse_url(std::string_view text, Ipv4Address default_server, Url& out);

// Resolves a Location header (RFC 9110 §10.2.2) against the URL it came from:
// an absolute http:// URL, or an absolute path on the same host and port.
Status resolve_location(std::string_view location, const Url& base, Url& out);

// Where to connect: the IPv4 address and port. A host name fails with
// Errc::unsupported, "DNS not available", until xenboot has a resolver.
Result<Endpoint> url_endpoint(const Url& url);

// The Host header's value (RFC 9110 §7.2): "host" or "host:port" when the
// port is not 80. NUL-terminated; `out` of kMaxHost + 7 bytes always fits.
void url_host_header(const Url& url, char* out, std::size_t size);

}  // namespace xb::net
