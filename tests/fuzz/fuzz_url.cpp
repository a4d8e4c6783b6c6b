// Fuzzes URL parsing and the pxelinux.cfg name list: the input's lines are a
// URL, a redirect location, a bootfile, a DHCP option 209 and 210 and a
// UUID; the rest picks the MAC and IP. Everything produced must be
// NUL-terminated within its bounds.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "net/pxe_paths.h"
#include "net/url.h"

namespace {

using namespace xb;
using namespace xb::net;

std::string_view next_line(std::string_view& in) {
    const std::size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    return line;
}

void check_url(const Url& u) {
    if (strnlen(u.host, sizeof u.host) >= sizeof u.host) std::abort();
    if (strnlen(u.path, sizeof u.path) >= sizeof u.path) std::abort();
    if (u.path[0] != '/') std::abort();
    char host[url::kMaxHost + 8];
    url_host_header(u, host, sizeof host);
    if (strnlen(host, sizeof host) >= sizeof host - 1) std::abort();  // never cut short
    (void)url_endpoint(u);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    static Url u, v;
    const std::string_view text = next_line(in);
    if (parse_url(text, Ipv4Address{0x0A090001}, u)) {
        check_url(u);
        const std::string_view location = next_line(in);
        if (resolve_location(location, u, v)) check_url(v);
    } else {
        (void)next_line(in);
    }

    PxeInputs pi;
    pi.bootfile = next_line(in);
    pi.config_option = next_line(in);
    pi.path_prefix = next_line(in);
    pi.uuid = next_line(in);
    MacAddress mac;
    for (std::size_t i = 0; i < 6 && i < in.size(); ++i) mac.bytes[i] = static_cast<std::uint8_t>(in[i]);
    pi.mac = in.size() > 6 && (in[6] & 1) != 0 ? &mac : nullptr;
    for (std::size_t i = 7; i < 11 && i < in.size(); ++i)
        pi.ip.value = pi.ip.value << 8 | static_cast<std::uint8_t>(in[i]);
    static PxeCandidates c;
    if (pxe_config_candidates(pi, c)) {
        if (c.count > pxe::kMaxCandidates) std::abort();
        for (std::size_t i = 0; i < c.count; ++i)
            if (strnlen(c.names[i], sizeof c.names[i]) > pxe::kMaxPath) std::abort();
    }
    return 0;
}
