// The parts of Xen's netif protocol (xen/include/public/io/netif.h) that
// xenboot's frontend uses, written from the header's documented layout, with
// compile-time checks of sizes and ring geometry.
#pragma once

#include <cstddef>
#include <cstdint>

#include "drivers/xen/front_ring.h"

namespace xb::pvnet {

// netif_tx_request: in the first slot of a packet `size` is the whole packet.
struct NetifTxRequest {
    std::uint32_t gref;
    std::uint16_t offset;
    std::uint16_t flags;  // NETTXF_*
    std::uint16_t id;
    std::uint16_t size;
};
static_assert(sizeof(NetifTxRequest) == 12);

struct NetifTxResponse {
    std::uint16_t id;
    std::int16_t status;  // NETIF_RSP_*
};
static_assert(sizeof(NetifTxResponse) == 4);

struct NetifRxRequest {
    std::uint16_t id;
    std::uint16_t pad;
    std::uint32_t gref;
};
static_assert(sizeof(NetifRxRequest) == 8);

// status > 0: bytes of this fragment at `offset` in the page; < 0: error.
struct NetifRxResponse {
    std::uint16_t id;
    std::uint16_t offset;
    std::uint16_t flags;  // NETRXF_*
    std::int16_t status;
};
static_assert(sizeof(NetifRxResponse) == 8);

// netif_extra_info: what follows a slot flagged NETRXF_extra_info.
struct NetifExtraInfo {
    std::uint8_t type;
    std::uint8_t flags;  // XEN_NETIF_EXTRA_FLAG_MORE: another extra follows
    std::uint8_t body[6];
};
static_assert(sizeof(NetifExtraInfo) == 8);

inline constexpr std::int16_t kNetifRspDropped = -2;
inline constexpr std::int16_t kNetifRspError = -1;
inline constexpr std::int16_t kNetifRspOkay = 0;
inline constexpr std::int16_t kNetifRspNull = 1;  // extra-info slots only

// TX flags (NETTXF_*).
inline constexpr std::uint16_t kNettxfCsumBlank = 1u << 0;
inline constexpr std::uint16_t kNettxfDataValidated = 1u << 1;
inline constexpr std::uint16_t kNettxfMoreData = 1u << 2;
inline constexpr std::uint16_t kNettxfExtraInfo = 1u << 3;
// RX flags (NETRXF_*): the first two are swapped against TX's.
inline constexpr std::uint16_t kNetrxfDataValidated = 1u << 0;
inline constexpr std::uint16_t kNetrxfCsumBlank = 1u << 1;
inline constexpr std::uint16_t kNetrxfMoreData = 1u << 2;
inline constexpr std::uint16_t kNetrxfExtraInfo = 1u << 3;
inline constexpr std::uint8_t kNetifExtraFlagMore = 1u << 0;
// Extra-info types (XEN_NETIF_EXTRA_TYPE_*) and the GSO extra's body:
// u16 size (the MSS the segment was made for), u8 type, u8 pad, u16 features.
inline constexpr std::uint8_t kNetifExtraTypeGso = 1;
inline constexpr std::uint8_t kNetifGsoTypeTcpv4 = 1;  // XEN_NETIF_GSO_TYPE_TCPV4

// A slot holds a request or its response: the larger of the two.
inline constexpr std::size_t kTxSlotSize = sizeof(NetifTxRequest);
inline constexpr std::size_t kRxSlotSize = sizeof(NetifRxRequest);
inline constexpr unsigned kRingSlots = 256;
static_assert(xen::ring_slots(1, kTxSlotSize) == kRingSlots && xen::ring_slots(1, kRxSlotSize) == kRingSlots);

}  // namespace xb::pvnet
