// DHCP over lwIP's client (see dhcp.h). The hooks are C functions that lwIP's
// dhcp.c calls through net/lwip_port/lwip_hooks.h; they work on the one run
// in progress (g_run), and ignore every other netif.
#include "net/dhcp.h"

#include <lwip/dhcp.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/prot/dhcp.h>

#include <cstring>

#include "net/lwip_port/lwip_hooks.h"

namespace xb::net {
namespace {

// The options of the message being parsed (one frame).
struct Parsed {
    Lease::Text bootfile, pxe_config_file, path_prefix, tftp_server_name, hostname, root_path;
    Ipv4Address dns, dns2;
    unsigned malformed = 0;
};

struct Run {
    ::netif* netif = nullptr;
    const DhcpRequest* request = nullptr;
    Parsed current{};  // cleared after every frame
    Parsed bound{};    // the options of the message that bound the lease
    bool captured = false;
    unsigned malformed = 0;
    unsigned discovers = 0;
    unsigned requests = 0;
};

constinit Run* g_run = nullptr;

std::uint32_t load_be32(const std::uint8_t* b) {
    return static_cast<std::uint32_t>(b[0]) << 24 | static_cast<std::uint32_t>(b[1]) << 16 |
           static_cast<std::uint32_t>(b[2]) << 8 | b[3];
}

// Parameter request list (option 55) for what lwIP does not ask itself:
// lwIP asks for 1, 3, 28 (dhcp.c dhcp_discover_request_options); a second
// option 55 in the same message is concatenated by the server (RFC 3396).
constexpr std::uint8_t kRequested[] = {6, 12, 17, 66, 67, 209, 210};
// Option 93, client system architecture (RFC 4578; IANA "Processor
// Architecture Types" 0x16 = arm64 U-Boot, which U-Boot sends on arm64).
constexpr std::uint16_t kClientArch = 0x16;

bool is_text(const std::uint8_t* bytes, std::size_t len) {
    for (std::size_t i = 0; i < len; ++i)
        if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
    return true;
}

// An option's text: up to the first NUL (some servers count one, RFC 2132
// says they should not), printable, not empty. The first instance wins.
void take_text(Lease::Text& out, const std::uint8_t* bytes, std::size_t len, unsigned& malformed) {
    std::size_t n = 0;
    while (n < len && bytes[n] != 0) ++n;
    if (n == 0 || !is_text(bytes, n)) {
        ++malformed;
        return;
    }
    if (out[0] != 0) return;
    std::memcpy(out.data(), bytes, n);  // n <= 255 < kMaxText
    out[n] = 0;
}

void take_text(Lease::Text& out, const char* field, std::size_t size, unsigned& malformed) {
    std::size_t n = 0;
    while (n < size && field[n] != 0) ++n;
    if (n == 0) return;  // an empty `file` field is the normal case
    take_text(out, reinterpret_cast<const std::uint8_t*>(field), n, malformed);
}

void append(dhcp_msg* msg, u16_t* len, std::uint8_t code, const std::uint8_t* value, std::size_t n) {
    // lwIP reserves the END byte and pads after us (dhcp_option_trailer).
    if (*len + 2U + n + 1U > DHCP_OPTIONS_LEN) return;
    msg->options[(*len)++] = code;
    msg->options[(*len)++] = static_cast<u8_t>(n);
    std::memcpy(&msg->options[*len], value, n);
    *len = static_cast<u16_t>(*len + n);
}

void after_frame(void* context) {
    auto* run = static_cast<Run*>(context);
    run->malformed += run->current.malformed;
    if (!run->captured && dhcp_supplied_address(run->netif)) {
        run->captured = true;
        run->bound = run->current;
    }
    run->current = Parsed{};
}

Ipv4Address from_lwip(const ip4_addr_t& a) { return Ipv4Address{lwip_ntohl(ip4_addr_get_u32(&a))}; }

Status check_vendor_class(const char* vci) {
    const std::size_t n = vci == nullptr ? 0 : std::strlen(vci);
    if (n == 0 || n > kMaxVendorClass || !is_text(reinterpret_cast<const std::uint8_t*>(vci), n))
        return Error::make(Errc::invalid_argument, "dhcp: vendor class (bootp_vci) must be 1..%zu printable characters",
                           kMaxVendorClass);
    return ok();
}

}  // namespace

Result<Lease> run_dhcp(Stack& stack, const DhcpRequest& request) {
    if (!stack.is_up()) return Error::make(Errc::invalid_argument, "dhcp: the network is down");
    TRY(check_vendor_class(request.vendor_class));
    ::netif* nif = stack.lwip_netif();
    Run run;
    run.netif = nif;
    run.request = &request;
    g_run = &run;
    Stack::set_frame_observer(after_frame, &run);
    struct Detach {
        ~Detach() {
            g_run = nullptr;
            Stack::set_frame_observer(nullptr, nullptr);
        }
    } detach;

    stack.configure(Ipv4Config{});  // a second `dhcp` starts from no address
    const Deadline until = Deadline::after_ms(request.timeout_ms);
    const err_t err = dhcp_start(nif);
    if (err != ERR_OK) return Error::make(Errc::no_memory, "dhcp: cannot start: %s", lwip_error_name(err));

    while (!run.captured) {
        if (until.expired()) {
            const dhcp* state = netif_dhcp_data(nif);
            const bool offered = state != nullptr && state->state == DHCP_STATE_REQUESTING;
            char server[16];
            if (offered) format_ipv4(from_lwip(*ip_2_ip4(&state->server_ip_addr)), server);
            dhcp_release_and_stop(nif);  // not bound: sends nothing
            if (offered)
                return Error::make(Errc::timeout, "dhcp: no DHCPACK in %lu ms (%u REQUESTs sent to %s)",
                                   static_cast<unsigned long>(request.timeout_ms), run.requests, server);
            return Error::make(Errc::timeout, "dhcp: no DHCPOFFER in %lu ms (%u DISCOVERs sent)",
                               static_cast<unsigned long>(request.timeout_ms), run.discovers);
        }
        Status polled = Stack::poll(until);
        if (!polled.ok()) {
            dhcp_release_and_stop(nif);
            return polled.error().prefix("dhcp");
        }
    }

    const dhcp* state = netif_dhcp_data(nif);
    Lease lease;
    lease.ip = from_lwip(*netif_ip4_addr(nif));
    lease.netmask = from_lwip(*netif_ip4_netmask(nif));
    lease.gateway = from_lwip(*netif_ip4_gw(nif));
    lease.server = from_lwip(state->offered_si_addr);
    lease.server_id = from_lwip(*ip_2_ip4(&state->server_ip_addr));
    lease.dns = run.bound.dns;
    lease.dns2 = run.bound.dns2;
    lease.malformed_options = run.malformed;
    lease.discovers = run.discovers;
    lease.requests = run.requests;
    lease.bootfile = run.bound.bootfile;  // option 67 wins over the BOOTP field (U-Boot bootp.c)
    if (lease.bootfile[0] == 0)
        take_text(lease.bootfile, state->boot_file_name, sizeof(state->boot_file_name), lease.malformed_options);
    lease.pxe_config_file = run.bound.pxe_config_file;
    lease.path_prefix = run.bound.path_prefix;
    lease.tftp_server_name = run.bound.tftp_server_name;
    lease.hostname = run.bound.hostname;
    lease.root_path = run.bound.root_path;
    return lease;
}

}  // namespace xb::net

extern "C" void xb_dhcp_append_options(struct netif* netif, u8_t msg_type, struct dhcp_msg* msg, u16_t* options_len) {
    using namespace xb::net;
    Run* run = g_run;
    if (run == nullptr || netif != run->netif) return;
    if (msg_type == DHCP_DISCOVER) ++run->discovers;
    else if (msg_type == DHCP_REQUEST) ++run->requests;
    else return;
    const std::uint8_t arch[2] = {static_cast<std::uint8_t>(kClientArch >> 8), static_cast<std::uint8_t>(kClientArch)};
    append(msg, options_len, 93, arch, sizeof(arch));
    append(msg, options_len, DHCP_OPTION_PARAMETER_REQUEST_LIST, kRequested, sizeof(kRequested));
    const char* vci = run->request->vendor_class;
    append(msg, options_len, 60, reinterpret_cast<const std::uint8_t*>(vci), std::strlen(vci));
}

extern "C" void xb_dhcp_parse_option(struct netif* netif, u8_t option, u8_t len, struct pbuf* p, u16_t offset) {
    using namespace xb::net;
    Run* run = g_run;
    if (run == nullptr || netif != run->netif) return;
    Parsed& cur = run->current;
    switch (option) {
        case 6:
        case 12:
        case 17:
        case 66:
        case 67:
        case 209:
        case 210: break;
        default: return;
    }
    // The option may claim more bytes than the packet has: copy what is
    // there and reject it when short (pbuf_copy_partial never reads past the
    // chain).
    std::uint8_t value[255];
    if (pbuf_copy_partial(p, value, len, offset) != len) {
        ++cur.malformed;
        return;
    }
    switch (option) {
        case 6:
            if (len == 0 || len % 4 != 0) {
                ++cur.malformed;
                return;
            }
            if (cur.dns.is_any()) {
                cur.dns = Ipv4Address{load_be32(value)};
                if (len >= 8) cur.dns2 = Ipv4Address{load_be32(value + 4)};
            }
            return;
        case 12: take_text(cur.hostname, value, len, cur.malformed); return;
        case 17: take_text(cur.root_path, value, len, cur.malformed); return;
        case 66: take_text(cur.tftp_server_name, value, len, cur.malformed); return;
        case 67: take_text(cur.bootfile, value, len, cur.malformed); return;
        case 209: take_text(cur.pxe_config_file, value, len, cur.malformed); return;
        case 210: take_text(cur.path_prefix, value, len, cur.malformed); return;
        default: return;
    }
}
