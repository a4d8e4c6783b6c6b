// One Ethernet port, as the network stack sees it: whole frames in and out,
// polled. drivers/pvnet implements it over a Xen vif; tests implement it over
// a simulated wire. Nothing here knows about Xen or about IP.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/deadline.h"
#include "lib/result.h"

namespace xb::net {

struct MacAddress {
    std::array<std::uint8_t, 6> bytes{};

    friend bool operator==(const MacAddress&, const MacAddress&) = default;
    bool is_multicast() const { return (bytes[0] & 1U) != 0; }
    bool is_zero() const {
        for (std::uint8_t b : bytes)
            if (b != 0) return false;
        return true;
    }
};

// "00:16:3e:12:34:56" (the form XenStore's `mac` node and U-Boot's `ethaddr`
// use); upper or lower case hex, exactly six pairs.
Result<MacAddress> parse_mac(const char* text);
// Lower-case, colon-separated, NUL-terminated into `out` (18 bytes).
void format_mac(const MacAddress& mac, std::span<char, 18> out);

// What the link knows about a received frame besides its bytes.
struct RxFrameInfo {
    std::size_t length = 0;
    // The sender vouched for the frame's TCP/UDP checksum (Xen: netback's
    // NETRXF_data_validated or NETRXF_csum_blank, when the checksum was never
    // filled in because the frame never left the host): the stack need not
    // verify it. The IP header checksum is still there and checked.
    bool checksum_trusted = false;
};

// Where Link::receive puts a frame: first its length, then its bytes in
// order, in as many pieces as the link holds it in (one per RX page).
class FrameSink {
  public:
    // Room for a frame of info.length bytes; false drops it (no memory, too
    // long for the caller's buffer) and the link counts it and moves on.
    virtual bool begin(const RxFrameInfo& info) = 0;
    // The next piece; the pieces add up to exactly info.length bytes.
    virtual void append(std::span<const std::uint8_t> piece) = 0;

  protected:
    ~FrameSink() = default;
};

class Link {
  public:
    // An Ethernet frame without FCS: 14-byte header + at most 1500 bytes
    // (what the stack sends, and what a link without large receive hands in).
    static constexpr std::size_t kMinFrame = 14;
    static constexpr std::size_t kMaxFrame = 1514;
    // A received frame may be larger when the link takes segmentation
    // offload (Xen: feature-gso-tcpv4): one TCP segment of up to an IPv4
    // datagram's 64 KiB, as the peer's stack made it before segmenting
    // (netif.h XEN_NETIF_MAX_TX_SIZE 0xFFFF; a pbuf chain's 16-bit tot_len).
    static constexpr std::size_t kMaxReceiveFrame = 0xFFFF;

    virtual MacAddress mac() const = 0;
    // Queues one frame of kMinFrame..kMaxFrame bytes, copied: the caller's
    // buffer is free again on return. An error means the frame was not sent.
    virtual Status transmit(std::span<const std::uint8_t> frame) = 0;
    // Hands the next received frame (kMinFrame..kMaxReceiveFrame bytes) to
    // `sink` and returns its length; 0 when no whole frame is waiting. A frame
    // the sink refuses is dropped and the next one tried. Never blocks.
    virtual Result<std::size_t> receive(FrameSink& sink) = 0;
    // The same into one buffer: a frame longer than `buf` is dropped.
    Result<std::size_t> receive(std::span<std::uint8_t> buf);
    // Sleeps until a frame may have arrived or `until` passes; returns false
    // on the deadline. Spurious wake-ups are allowed: callers re-check receive().
    virtual bool wait_for_frames(Deadline until) = 0;

  protected:
    ~Link() = default;
};

}  // namespace xb::net
