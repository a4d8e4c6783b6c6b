// The IPv4 stack (lwIP 2.1.3, NO_SYS, raw API) over one net::Link: one lwIP
// netif per Stack, polled by whoever waits on the network (sockets, DHCP,
// ping). Nothing runs in the background: the stack only moves while some
// caller is inside poll().
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/deadline.h"
#include "lib/result.h"
#include "net/ipv4.h"
#include "net/link.h"

struct netif;  // lwIP's

namespace xb::net {

struct Ipv4Config {
    Ipv4Address ip;
    Ipv4Address netmask;
    Ipv4Address gateway;  // any (0) when there is none
};

class Stack {
  public:
    // lwIP is one global instance; it has room for this many netifs at once
    // (the firmware uses one; host tests connect two over a simulated wire).
    static constexpr std::size_t kMaxStacks = 2;

    Stack() = default;
    ~Stack() { down(); }
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // Adds a netif over `link` (link up, no address yet). lwIP itself is
    // initialised on the first up() ever.
    Status up(Link& link);
    // Stops DHCP on it (a bound lease is released: DHCPRELEASE), removes the
    // netif (lwIP aborts TCP connections bound to its address) and forgets
    // the link. Safe when not up.
    void down();
    bool is_up() const { return netif_ != nullptr; }

    void configure(const Ipv4Config& config);
    Ipv4Config config() const;
    Link& link() const { return *link_; }
    ::netif* lwip_netif() const { return netif_; }  // for net/ only (dhcp, ping, sockets)

    // One round of every stack that is up: frames from the links into lwIP,
    // then lwIP's timers. When nothing arrived, sleeps on the link until a
    // frame may be there, lwIP's next timer is due, or `until` passes. Callers
    // loop on it until what they wait for happened or `until` expired. An
    // error is the link's (a receive that failed).
    static Status poll(Deadline until);

    // Called after each received frame has been through lwIP (the DHCP client
    // uses it to know which message a lease came from). One at a time.
    using FrameObserver = void (*)(void* context);
    static void set_frame_observer(FrameObserver observer, void* context);

    // Frames the stack dropped because lwIP's buffer pool was empty.
    static std::uint64_t dropped_frames();

  private:
    Link* link_ = nullptr;
    ::netif* netif_ = nullptr;
};

// lwIP's err_t as text, for messages ("ERR_MEM").
const char* lwip_error_name(int err);

}  // namespace xb::net
