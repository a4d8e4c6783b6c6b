#include "net/url.h"

#include <cstring>

#include "lib/format.h"

namespace xb::net {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// A host: a dotted IPv4 address, or a DNS name (RFC 1123 §2.1: letters,
// digits, '-' and '.'; at most 253 characters).
Status set_host(std::string_view host, Url& out) {
    if (host.empty()) return Error::make(Errc::invalid_argument, "no host");
    if (host.size() > url::kMaxHost)
        return Error::make(Errc::invalid_argument, "host name longer than %zu characters", url::kMaxHost);
    for (char c : host)
        if (!is_alnum(c) && c != '-' && c != '.')
            return Error::make(Errc::invalid_argument, "bad character in host '%.*s'",
                               static_cast<int>(host.size() < 64 ? host.size() : 64), host.data());
    std::memcpy(out.host, host.data(), host.size());
    out.host[host.size()] = '\0';
    auto ip = parse_ipv4(out.host);
    out.host_is_ip = ip.ok();
    out.ip = ip.ok() ? ip.value() : Ipv4Address{};
    if (!out.host_is_ip) {
        // All digits and dots but not an address ("10.9.0.256", "1.2.3"): a typo, not a name.
        bool numeric = true;
        for (char c : host) numeric = numeric && ((c >= '0' && c <= '9') || c == '.');
        if (numeric)
            return Error::make(Errc::invalid_argument, "bad IPv4 address '%.*s'", static_cast<int>(host.size()),
                               host.data());
    }
    return {};
}

Status set_port(std::string_view text, Url& out) {
    if (text.empty() || text.size() > 5)
        return Error::make(Errc::invalid_argument, "bad port '%.*s'",
                           static_cast<int>(text.size() < 8 ? text.size() : 8), text.data());
    std::uint32_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return Error::make(Errc::invalid_argument, "bad port '%.*s'", static_cast<int>(text.size()), text.data());
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v == 0 || v > 65535) return Error::make(Errc::invalid_argument, "port %u not in 1..65535", v);
    out.port = static_cast<std::uint16_t>(v);
    return {};
}

// The path goes into the request line as it is: printable ASCII without
// spaces (RFC 9112 §3.2 request-target); a fragment is not sent (RFC 9110 §4.2.5).
Status set_path(std::string_view path, Url& out) {
    const std::size_t hash = path.find('#');
    if (hash != std::string_view::npos) path = path.substr(0, hash);
    const bool slash = path.empty() || path[0] != '/';
    if (path.size() + (slash ? 1 : 0) > url::kMaxPath)
        return Error::make(Errc::invalid_argument, "path longer than %zu characters", url::kMaxPath);
    for (char c : path)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return Error::make(Errc::invalid_argument, "bad character 0x%02x in path (spaces: write %%20)",
                               static_cast<unsigned char>(c));
    std::size_t n = 0;
    if (slash) out.path[n++] = '/';
    if (!path.empty()) std::memcpy(out.path + n, path.data(), path.size());
    out.path[n + path.size()] = '\0';
    return {};
}

// "http://" already removed: authority then path.
Status parse_http(std::string_view rest, Url& out) {
    const std::size_t slash = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos)
        return Error::make(Errc::unsupported, "user names in URLs are not supported");
    const std::size_t colon = authority.find(':');
    TRY(set_host(authority.substr(0, colon), out));
    out.port = url::kHttpPort;
    if (colon != std::string_view::npos) TRY(set_port(authority.substr(colon + 1), out));
    return set_path(slash == std::string_view::npos ? std::string_view() : rest.substr(slash), out);
}

}  // namespace

Status parse_url(std::string_view text, Ipv4Address default_server, Url& out) {
    out = Url{};
    if (text.empty()) return Error::make(Errc::invalid_argument, "empty URL");
    if (text.size() > url::kMaxText)
        return Error::make(Errc::invalid_argument, "URL longer than %zu characters", url::kMaxText);
    if (starts_with_nocase(text, "https://")) return Error::make(Errc::unsupported, "HTTPS is not supported yet");
    if (starts_with_nocase(text, "http://")) {
        Status s = parse_http(text.substr(7), out);
        if (!s) s.error().prefix("URL '%.*s'", static_cast<int>(text.size() < 80 ? text.size() : 80), text.data());
        return s;
    }
    const std::size_t scheme = text.find("://");
    if (scheme != std::string_view::npos)
        return Error::make(Errc::unsupported, "URL scheme '%.*s' is not supported (http only)",
                           static_cast<int>(scheme < 16 ? scheme : 16), text.data());
    // Legacy `[host:]path`: a host before the first ':' when there is no '/' before it.
    const std::size_t colon = text.find(':');
    const std::size_t slash = text.find('/');
    Status s;
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
        s = set_host(text.substr(0, colon), out);
        if (s) s = set_path(text.substr(colon + 1), out);
    } else if (default_server.is_any()) {
        s = Error::make(Errc::invalid_argument, "no server: set serverip or give host:path");
    } else {
        char ip[16];
        format_ipv4(default_server, ip);
        s = set_host(ip, out);
        if (s) s = set_path(text, out);
    }
    if (!s) s.error().prefix("'%.*s'", static_cast<int>(text.size() < 80 ? text.size() : 80), text.data());
    return s;
}

Status resolve_location(std::string_view location, const Url& base, Url& out) {
    if (location.size() > url::kMaxText)
        return Error::make(Errc::invalid_argument, "redirect location longer than %zu characters", url::kMaxText);
    if (starts_with_nocase(location, "https://"))
        return Error::make(Errc::unsupported, "redirected to HTTPS, which is not supported yet");
    if (starts_with_nocase(location, "http://")) return parse_url(location, Ipv4Address{}, out);
    if (location.size() >= 2 && location[0] == '/' && location[1] == '/')
        return Error::make(Errc::unsupported, "scheme-relative redirect locations are not supported");
    if (location.empty() || location[0] != '/')
        return Error::make(Errc::unsupported, "relative redirect location '%.*s' is not supported",
                           static_cast<int>(location.size() < 64 ? location.size() : 64), location.data());
    out = base;
    return set_path(location, out);
}

Result<Endpoint> url_endpoint(const Url& url) {
    if (!url.host_is_ip)
        return Error::make(Errc::unsupported, "cannot resolve '%s': DNS not available (use an IPv4 address)", url.host);
    return Endpoint{url.ip, url.port};
}

void url_host_header(const Url& url, char* out, std::size_t size) {
    if (url.port == url::kHttpPort) format_to(out, size, "%s", url.host);
    else format_to(out, size, "%s:%u", url.host, url.port);
}

}  // namespace xb::net
