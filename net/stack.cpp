// lwIP's netif over net::Link, and the polling loop (see stack.h).
#include "net/stack.h"

#include <lwip/dhcp.h>
#include <lwip/err.h>
#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/timeouts.h>
#include <netif/ethernet.h>

#include <array>
#include <cstring>

#include "lib/panic.h"
#include "net/lwip_port.h"

namespace xb::net {
namespace {

struct Slot {
    ::netif netif;
    Link* link;
    bool used;
};

constinit bool g_lwip_ready = false;
constinit std::array<Slot, Stack::kMaxStacks> g_slots{};
constinit Stack::FrameObserver g_observer = nullptr;
constinit void* g_observer_context = nullptr;
constinit std::uint64_t g_dropped = 0;
// One frame at a time leaves the stack: lwIP hands a pbuf chain, the link
// wants one contiguous frame. Static: 1.5 KiB is too much for a callback's
// stack frame deep inside lwIP.
constinit std::array<std::uint8_t, Link::kMaxFrame> g_tx_frame{};

// Where the link puts a received frame: a chain of pool buffers as long as
// the frame (one for a frame of up to PBUF_POOL_BUFSIZE, 43 for a 64 KiB
// segment), filled piece by piece: the frame's one copy.
class PbufSink final : public FrameSink {
  public:
    bool begin(const RxFrameInfo& info) override {
        if (p_ != nullptr) pbuf_free(p_);
        p_ = nullptr;
        at_ = 0;
        if (info.length < Link::kMinFrame || info.length > Link::kMaxReceiveFrame) return false;
        p_ = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(info.length), PBUF_POOL);
        if (p_ == nullptr) {
            ++g_dropped;  // no buffer: the link drops the frame and moves on
            return false;
        }
        trusted_ = info.checksum_trusted;
        return true;
    }
    void append(std::span<const std::uint8_t> piece) override {
        if (p_ == nullptr || piece.size() > std::size_t{p_->tot_len} - at_) return;  // the link keeps to its length
        if (pbuf_take_at(p_, piece.data(), static_cast<u16_t>(piece.size()), static_cast<u16_t>(at_)) != ERR_OK) return;
        at_ += piece.size();
    }
    // The frame, complete, now the caller's; nullptr if there is none.
    pbuf* take(bool* trusted) {
        pbuf* p = p_;
        p_ = nullptr;
        if (p != nullptr && at_ != p->tot_len) {
            pbuf_free(p);
            return nullptr;
        }
        *trusted = trusted_;
        return p;
    }
    ~PbufSink() {
        if (p_ != nullptr) pbuf_free(p_);
    }

  private:
    pbuf* p_ = nullptr;
    std::size_t at_ = 0;
    bool trusted_ = false;
};

// The checksums lwIP checks for one received frame. A frame whose TCP/UDP
// checksum the link vouched for (RxFrameInfo::checksum_trusted) skips those
// two checks (a csum_blank frame's field holds only the pseudo-header sum);
// the IP header and ICMP checksums are checked as always, and so is an IP
// fragment: its checksum is checked over the reassembled datagram, which
// the other fragments' links did not vouch for. lwIP's input is synchronous
// (NO_SYS), so the flags hold for exactly this frame.
u16_t check_flags_for(const pbuf* p, bool trusted) {
    constexpr u16_t kAll = NETIF_CHECKSUM_ENABLE_ALL;
    if (!trusted || p->len < 14 + 20) return kAll;
    const auto* b = static_cast<const std::uint8_t*>(p->payload);
    if (b[12] != 0x08 || b[13] != 0x00) return kAll;                         // not IPv4 (a VLAN tag: checked as always)
    const unsigned frag = (unsigned{b[14 + 6]} << 8 | b[14 + 7]) & 0x3fffu;  // MF and the offset
    if (frag != 0) return kAll;
    return static_cast<u16_t>(kAll & ~(NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP));
}

Link& link_of(::netif* nif) { return *static_cast<Slot*>(nif->state)->link; }

err_t link_output(::netif* nif, pbuf* p) {
    if (p->tot_len < Link::kMinFrame || p->tot_len > Link::kMaxFrame) return ERR_IF;
    const std::uint16_t len = pbuf_copy_partial(p, g_tx_frame.data(), p->tot_len, 0);
    if (len != p->tot_len) return ERR_IF;
    if (!link_of(nif).transmit(std::span<const std::uint8_t>(g_tx_frame.data(), len)).ok()) return ERR_IF;
    return ERR_OK;
}

err_t netif_setup(::netif* nif) {
    Link& link = link_of(nif);
    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->mtu = static_cast<u16_t>(Link::kMaxFrame - 14);
    nif->hwaddr_len = ETH_HWADDR_LEN;
    const MacAddress mac = link.mac();
    std::memcpy(nif->hwaddr, mac.bytes.data(), ETH_HWADDR_LEN);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    nif->output = etharp_output;
    nif->linkoutput = link_output;
    return ERR_OK;
}

ip4_addr_t to_lwip(Ipv4Address a) {
    ip4_addr_t out;
    ip4_addr_set_u32(&out, lwip_htonl(a.value));
    return out;
}

Ipv4Address from_lwip(const ip4_addr_t* a) { return Ipv4Address{lwip_ntohl(ip4_addr_get_u32(a))}; }

// Moves every waiting frame of every link into lwIP. Returns how many, or the
// first link error. Bounded per link per round so one busy link cannot starve
// the timers.
Result<std::size_t> drain_links() {
    constexpr std::size_t kFramesPerRound = 256;
    std::size_t total = 0;
    for (Slot& slot : g_slots) {
        if (!slot.used) continue;
        for (std::size_t i = 0; i < kFramesPerRound && slot.used; ++i) {
            PbufSink sink;
            Result<std::size_t> got = slot.link->receive(sink);
            if (!got.ok()) return got.error();
            if (got.value() == 0) break;
            ++total;
            bool trusted = false;
            pbuf* p = sink.take(&trusted);
            if (p == nullptr) continue;  // refused (no buffer): counted in begin()
            NETIF_SET_CHECKSUM_CTRL(&slot.netif, check_flags_for(p, trusted));
            if (slot.netif.input(p, &slot.netif) != ERR_OK) pbuf_free(p);
            if (slot.used) NETIF_SET_CHECKSUM_CTRL(&slot.netif, NETIF_CHECKSUM_ENABLE_ALL);
            if (g_observer != nullptr) g_observer(g_observer_context);
        }
    }
    return total;
}

}  // namespace

Status Stack::up(Link& link) {
    if (netif_ != nullptr) panic("net: Stack::up on a stack that is up");
    if (!g_lwip_ready) {
        lwip_init();
        g_lwip_ready = true;
    }
    Slot* slot = nullptr;
    for (Slot& s : g_slots)
        if (!s.used) {
            slot = &s;
            break;
        }
    if (slot == nullptr) return Error::make(Errc::busy, "net: all %zu network stacks are in use", kMaxStacks);
    const MacAddress mac = link.mac();
    std::uint64_t seed = clock_ticks();
    for (std::uint8_t b : mac.bytes) seed = (seed << 8) ^ (seed >> 56) ^ b;
    lwip_port::seed_random(seed);

    *slot = Slot{};
    slot->link = &link;
    slot->used = true;
    ip4_addr_t any;
    ip4_addr_set_zero(&any);
    if (netif_add(&slot->netif, &any, &any, &any, slot, netif_setup, ethernet_input) == nullptr) {
        slot->used = false;
        return Error::make(Errc::io, "net: lwIP refused the network interface");
    }
    netif_set_up(&slot->netif);
    netif_set_link_up(&slot->netif);
    if (netif_default == nullptr) netif_set_default(&slot->netif);
    link_ = &link;
    netif_ = &slot->netif;
    return ok();
}

void Stack::down() {
    if (netif_ == nullptr) return;
    Slot* slot = static_cast<Slot*>(netif_->state);
    // lwIP 2.1.3's dhcp_cleanup only frees the client's memory; without the
    // stop first, the shared DHCP pcb keeps a reference for a netif that is
    // gone, and a later dhcp_start trips lwIP's refcount assertion (found by
    // fuzz_dhcp_reply). The stop sends DHCPRELEASE when a lease is bound.
    dhcp_release_and_stop(netif_);
    dhcp_cleanup(netif_);
    netif_remove(netif_);  // sets netif_default to null if it was the default
    slot->used = false;
    slot->link = nullptr;
    netif_ = nullptr;
    link_ = nullptr;
}

void Stack::configure(const Ipv4Config& config) {
    if (netif_ == nullptr) panic("net: Stack::configure on a stack that is down");
    const ip4_addr_t ip = to_lwip(config.ip);
    const ip4_addr_t mask = to_lwip(config.netmask);
    const ip4_addr_t gw = to_lwip(config.gateway);
    netif_set_addr(netif_, &ip, &mask, &gw);
}

Ipv4Config Stack::config() const {
    if (netif_ == nullptr) return {};
    return Ipv4Config{from_lwip(netif_ip4_addr(netif_)), from_lwip(netif_ip4_netmask(netif_)),
                      from_lwip(netif_ip4_gw(netif_))};
}

Status Stack::poll(Deadline until) {
    if (!g_lwip_ready) return ok();
    const std::size_t first = TRY(drain_links());
    sys_check_timeouts();
    // Timers may have sent something that another local netif (host tests)
    // receives at once: one more round before deciding to sleep.
    const std::size_t second = TRY(drain_links());
    if (first + second != 0) return ok();
    Slot* waiter = nullptr;
    for (Slot& s : g_slots)
        if (s.used) {
            waiter = &s;
            break;
        }
    if (waiter == nullptr) return ok();
    const u32_t sleep_ms = sys_timeouts_sleeptime();
    Deadline wake = until;
    if (sleep_ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
        const Deadline timer = Deadline::after_ms(sleep_ms);
        if (timer.at() < wake.at()) wake = timer;
    }
    waiter->link->wait_for_frames(wake);
    return ok();
}

void Stack::set_frame_observer(FrameObserver observer, void* context) {
    g_observer = observer;
    g_observer_context = context;
}

std::uint64_t Stack::dropped_frames() { return g_dropped; }

}  // namespace xb::net

// With more than one netif (the host tests' two ends of a cable), lwIP's
// route by destination alone (ip4.c ip4_route: the first netif whose subnet
// matches) would send a reply out of the wrong one; by source it is exact.
extern "C" struct netif* xb_route_by_source(const ip4_addr_t* src, const ip4_addr_t* /*dest*/) {
    using xb::net::g_slots;
    if (src == nullptr || ip4_addr_isany(src)) return nullptr;
    for (auto& slot : g_slots)
        if (slot.used && netif_is_up(&slot.netif) && ip4_addr_cmp(src, netif_ip4_addr(&slot.netif))) return &slot.netif;
    return nullptr;
}

namespace xb::net {

const char* lwip_error_name(int err) {
    switch (err) {
        case ERR_OK: return "ERR_OK";
        case ERR_MEM: return "ERR_MEM (out of lwIP buffers)";
        case ERR_BUF: return "ERR_BUF";
        case ERR_TIMEOUT: return "ERR_TIMEOUT";
        case ERR_RTE: return "ERR_RTE (no route)";
        case ERR_INPROGRESS: return "ERR_INPROGRESS";
        case ERR_VAL: return "ERR_VAL";
        case ERR_WOULDBLOCK: return "ERR_WOULDBLOCK";
        case ERR_USE: return "ERR_USE (address in use)";
        case ERR_ALREADY: return "ERR_ALREADY";
        case ERR_ISCONN: return "ERR_ISCONN";
        case ERR_CONN: return "ERR_CONN (not connected)";
        case ERR_IF: return "ERR_IF (link error)";
        case ERR_ABRT: return "ERR_ABRT (connection aborted)";
        case ERR_RST: return "ERR_RST (connection reset)";
        case ERR_CLSD: return "ERR_CLSD (connection closed)";
        case ERR_ARG: return "ERR_ARG";
        default: return "unknown lwIP error";
    }
}

}  // namespace xb::net
