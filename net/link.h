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

class Link {
  public:
    // An Ethernet frame without FCS: 14-byte header + at most 1500 bytes
    // (Xen's netif without feature-sg never carries more; netif.h).
    static constexpr std::size_t kMinFrame = 14;
    static constexpr std::size_t kMaxFrame = 1514;

    virtual MacAddress mac() const = 0;
    // Queues one frame of kMinFrame..kMaxFrame bytes, copied: the caller's
    // buffer is free again on return. An error means the frame was not sent.
    virtual Status transmit(std::span<const std::uint8_t> frame) = 0;
    // Copies the next received frame into `buf` (at least kMaxFrame bytes)
    // and returns its length; 0 when no frame is waiting. Never blocks.
    virtual Result<std::size_t> receive(std::span<std::uint8_t> buf) = 0;
    // Sleeps until a frame may have arrived or `until` passes; returns false
    // on the deadline. Spurious wake-ups are allowed: callers re-check receive().
    virtual bool wait_for_frames(Deadline until) = 0;

  protected:
    ~Link() = default;
};

}  // namespace xb::net
