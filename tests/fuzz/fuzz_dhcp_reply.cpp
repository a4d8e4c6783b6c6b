// Fuzzes the DHCP client (lwIP 2.1.3's dhcp.c parser plus xenboot's option
// hooks in net/dhcp.cpp) with hostile replies. The input is two BOOTP
// messages: a 2-byte little-endian length, the answer to every DISCOVER, and
// the rest, the answer to every REQUEST (xid and chaddr patched to match, so
// the parser gets past the first checks). The
// run must end with a lease or an error within its deadline, every string of
// a lease must be NUL-terminated printable text, and ASan watches every read.
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <vector>

#include "lib/panic.h"
#include "net/dhcp.h"
#include "net/stack.h"
#include "tests/sim/net_peer.h"

namespace {

using namespace xb;

void check_text(const net::Lease::Text& t) {
    const void* nul = std::memchr(t.data(), 0, t.size());
    if (nul == nullptr) panic("lease text without NUL");
    for (const char* c = t.data(); *c != 0; ++c)
        if (*c < 0x20 || *c > 0x7e) panic("lease text with byte 0x%02x", static_cast<unsigned char>(*c));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sim::FakeLink link{net::MacAddress{{0x00, 0x16, 0x3e, 0x12, 0x34, 0x56}}};
    sim::NetPeer peer{link, net::MacAddress{{0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc}}, 0x0A090001};
    if (size < 2) return 0;
    const std::size_t first = std::min<std::size_t>(size - 2, data[0] | std::size_t{data[1]} << 8);
    peer.dhcp.raw_reply.assign(data + 2, data + 2 + first);
    peer.dhcp.raw_ack.assign(data + 2 + first, data + size);
    if (peer.dhcp.raw_reply.empty()) peer.dhcp.raw_reply.push_back(0);
    net::Stack stack;
    if (!stack.up(link).ok()) panic("stack up");
    net::DhcpRequest request;
    request.timeout_ms = 2500;  // virtual time: two DISCOVERs
    Result<net::Lease> lease = net::run_dhcp(stack, request);
    if (lease.ok()) {
        const net::Lease& l = lease.value();
        for (const auto* t :
             {&l.bootfile, &l.pxe_config_file, &l.path_prefix, &l.tftp_server_name, &l.hostname, &l.root_path})
            check_text(*t);
    }
    stack.down();
    return 0;
}
