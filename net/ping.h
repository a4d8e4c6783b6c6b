// ICMP echo (RFC 792) over a Stack, for the `ping` command.
#pragma once

#include <cstdint>

#include "lib/result.h"
#include "net/ipv4.h"
#include "net/stack.h"

namespace xb::net {

struct PingReply {
    std::uint64_t rtt_us = 0;  // from the request that was answered to its reply
    unsigned sent = 0;         // echo requests sent (one a second until answered)
};

// Sends echo requests to `to` until one is answered or `timeout_ms` passes.
// Errors name what failed: no ARP reply from the next hop, or no echo reply.
Result<PingReply> ping(Stack& stack, Ipv4Address to, std::uint64_t timeout_ms);

}  // namespace xb::net
