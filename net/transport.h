// The two transports the application protocols are written against: a UDP
// socket (TFTP) and a TCP byte stream (HTTP). The IP stack (lwIP, net/ glue)
// implements them; the protocol code and its tests see only these, so TFTP and
// HTTP run on the host against scripted peers with a virtual clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/deadline.h"
#include "lib/result.h"
#include "net/ipv4.h"

namespace xb::net {

struct Endpoint {
    Ipv4Address ip;
    std::uint16_t port = 0;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// One UDP socket bound to a local port (chosen by the stack).
class DatagramSocket {
  public:
    virtual std::uint16_t local_port() const = 0;
    // Sends one datagram (at most 65507 bytes; IP fragments it when needed).
    virtual Status send_to(Endpoint to, std::span<const std::uint8_t> payload) = 0;
    // Waits for the next datagram until `until`; copies at most buf.size()
    // bytes of it (a longer one is truncated and `truncated` set) and returns
    // the copied length, or 0 on the deadline. The stack is polled meanwhile.
    struct Received {
        std::size_t length = 0;
        Endpoint from;
        bool truncated = false;
    };
    virtual Result<Received> receive(std::span<std::uint8_t> buf, Deadline until) = 0;

  protected:
    ~DatagramSocket() = default;
};

// One connected TCP stream.
class Stream {
  public:
    // Queues all of `data` (waits for send-window space until `until`).
    virtual Status write(std::span<const std::uint8_t> data, Deadline until) = 0;
    // Copies up to buf.size() received bytes; 0 means the peer closed (FIN).
    // Errors: timeout at `until` (Errc::timeout), reset by the peer.
    virtual Result<std::size_t> read(std::span<std::uint8_t> buf, Deadline until) = 0;

  protected:
    ~Stream() = default;
};

}  // namespace xb::net
