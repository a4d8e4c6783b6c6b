// One PV network interface (device/vif/<handle>): the netif frontend
// (public/io/netif.h) implementing net::Link. One queue, one event channel,
// 256-slot TX and RX rings, and only what a bootloader needs from netback
// (docs: netboot.md §0-§1): request-rx-copy, feature-rx-notify, receive
// checksum offload (feature-no-csum-offload=0: frames dom0's own stack sends
// come flagged csum_blank/data_validated and their TCP/UDP checksums are not
// verified again), and, when the backend offers them, feature-sg and
// feature-gso-tcpv4: dom0 then hands over whole TCP segments of up to 64 KiB
// (one frame over up to 16 RX pages plus a GSO extra-info slot) instead of
// segmenting them into 1514-byte frames in software; the stack takes them as
// they are. Without those backend features: single-slot frames of at most
// 1514 bytes, as before.
//
// Pages: every RX buffer is a whole page granted once at open and reposted
// after each copy-out (request id = buffer index); TX frames are copied into
// one of a small pool of pre-granted pages at offset 0, so no TX slot ever
// crosses a page (netback disables the vif for good on that), and a TX page
// is reused only after its response (netback maps TX pages, netboot.md §1.1).
//
// Responses come from another domain and are validated before use: the
// producer index (more responses than requests outstanding marks the vif
// broken), RX id against the buffer posted in that slot, status (< 0 error,
// 0 or past the end of the page invalid), flags that were not negotiated
// (more_data without feature-sg, extra_info without GSO: the packet is
// dropped and counted, its slots skipped by what they claim, never read beyond
// the page), a multi-slot frame's bounds (at most kMaxRxDataSlots pages and
// kMaxRxExtras extra-info slots, 65535 bytes, every slot of it published
// before any is used), GSO extras (type TCPv4, a size; other extra types
// are skipped by their MORE flag), TX ids against the requests in flight. Waits sleep on the event channel
// (SCHEDOP_poll) and every one of them has a deadline.
//
// Close (netboot.md §1.5), for the hand-off and `pvnet reset`: stop RX, wait
// (bounded) for every TX response, Closing -> Closed -> Initialising with the
// backend answering each, remove the keys, end every grant (a page the
// backend still maps goes to the grant quarantine, never back to the heap),
// close the event channel. Linux's netfront then finds the backend in
// InitWait and connects at once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "drivers/pvnet/netif.h"
#include "drivers/xen/event_channels.h"
#include "drivers/xen/front_ring.h"
#include "drivers/xen/grant_table.h"
#include "drivers/xen/xenbus.h"
#include "drivers/xen/xenbus_close.h"
#include "drivers/xen/xenstore.h"
#include "lib/heap.h"
#include "net/link.h"

namespace xb::pvnet {

struct NetfrontOptions {
    // Each XenBus step of the connect (as blkfront: 10 s proved too short for
    // a loaded dom0 under QEMU TCG).
    std::uint64_t connect_timeout_ms = 30000;
    // Each XenBus step of the close (as the connect, and as blkfront's close):
    // at a load average of 20-25 the lab's hand-off took 14-19 s, and dom0
    // saw up to 7.7 s between two of netback's states, against the 5 s a
    // step of Linux's xenbus_reset_frontend. A step that runs out leaves the
    // rings mapped and the hand-off refused; the bound costs time only with
    // a dead backend.
    std::uint64_t close_timeout_ms = 30000;
    // A TX buffer to come back (transmit with all in flight), and the TX drain at close.
    std::uint64_t tx_timeout_ms = 2000;
    unsigned rx_buffers = 256;  // RX pages posted; halved while memory is short, down to kMinRxBuffers
    unsigned tx_buffers = 32;   // pre-granted TX pages (at most kMaxTxBuffers)
    // Offer feature-sg and feature-gso-tcpv4 when the backend has them.
    bool large_receive = true;
};

struct NetfrontStats {
    std::uint64_t rx = 0, rx_bytes = 0;  // frames handed to the stack
    std::uint64_t tx = 0, tx_bytes = 0;  // frames queued to the backend
    // Frames not delivered: flags not negotiated (more_data, extra_info,
    // csum_blank), too long or short for a frame, TX responses NETIF_RSP_DROPPED.
    std::uint64_t dropped = 0;
    // Malformed RX responses (id, status, offset/length) and TX responses
    // with an error status.
    std::uint64_t errors = 0;
    std::uint64_t notifications = 0;    // event-channel sends (EVTCHNOP_send hypercalls)
    std::uint64_t rx_slots = 0;         // RX responses consumed (pages, extra-info slots)
    std::uint64_t rx_large = 0;         // frames over several pages or with a GSO extra
    std::uint64_t rx_csum_trusted = 0;  // frames whose TCP/UDP checksum the backend vouched for
    std::uint64_t waits = 0;            // sleeps on the event channel waiting for frames
    std::uint64_t wait_us = 0;          // time spent in those sleeps (is a transfer waiting or working?)
};

struct NetfrontInfo {
    unsigned handle = 0;
    char frontend[32] = {};  // "device/vif/0"
    char backend[96] = {};   // the backend's XenStore directory
    unsigned backend_id = 0;
    net::MacAddress mac{};
    char mac_text[18] = {};
    unsigned rx_buffers = 0;  // posted while connected
    unsigned tx_buffers = 0;
    // Negotiated at the last connect: the backend's feature-sg and
    // feature-gso-tcpv4 (both written only when the backend offers them).
    bool rx_sg = false;
    bool rx_gso = false;
    std::uint64_t ms_connect = 0;  // the last connect, reset dance included
};

class NetFront final : public net::Link {
  public:
    static constexpr unsigned kMaxTxBuffers = 64;
    static constexpr unsigned kMinRxBuffers = 16;
    // One received frame: at most this many pages of data (netif.h
    // XEN_NETIF_NR_SLOTS_MIN, the fewest a backend may rely on; 65535 bytes
    // filled page by page, as netback's rx.c does, need 16, 17 after a headroom) and extra-info
    // slots (one of each type netif.h defines: GSO, mcast add/del, hash, XDP).
    static constexpr unsigned kMaxRxDataSlots = 18;
    static constexpr unsigned kMaxRxExtras = 5;

    struct Env {
        xen::XenPort& xen;
        xen::EventChannels& events;
        xen::GrantTable& grants;
        xen::XenStore& store;
        Heap& heap;
    };

    NetFront() = default;
    NetFront(const NetFront&) = delete;
    NetFront& operator=(const NetFront&) = delete;
    ~NetFront() = default;

    // Reads backend, backend-id and mac from device/vif/<handle>; connects
    // nothing (the prompt comes first; open() or the first use connects).
    Status init(const Env& env, unsigned handle, const NetfrontOptions& options);
    // Connects (again, also after a failed attempt): resets a backend a previous user left behind (not InitWait:
    // Closed, then Initialising until InitWait, as iPXE does), grants the
    // rings and buffers, publishes the keys and Connected in one transaction,
    // and waits for the backend's Connected. Nothing is left on failure.
    Status open();
    // The clean close (see the header comment). Safe when not connected.
    Status close();
    // close() in two parts, so PvNetBus (and the hand-off) can run the reset
    // dance of every vif and disk together (xen::close_together):
    // close_part() stops RX, drains TX (bounded) and describes this vif's
    // part of the dance (false: not connected, nothing to do); finish_close()
    // takes the dance's outcome, removes the keys, ends the grants (a page
    // netback still maps goes to the grant quarantine) and closes the port.
    bool close_part(xen::CloseDevice& out);
    Status finish_close(const xen::CloseDevice& part);
    // close() then open(): what `pvnet reset` does, also after a broken ring.
    Status reset();

    bool initialised() const { return store_ != nullptr; }
    bool connected() const { return connected_; }
    // The backend broke the protocol (an impossible producer index, a TX
    // response for nothing in flight): the rings are not used again until a
    // reset. "" when not broken.
    const char* broken_reason() const { return broken_; }
    const NetfrontInfo& info() const { return info_; }
    const NetfrontStats& stats() const { return stats_; }
    const char* name() const { return name_; }
    // TX requests without a response yet.
    unsigned tx_in_flight() const { return tx_in_flight_count_; }

    // --- net::Link --- The first call connects (open()); after a failed
    // connect or a backend error they fail at once with the reason, and
    // wait_for_frames returns false at once, until open() or reset().
    net::MacAddress mac() const override { return info_.mac; }
    Status transmit(std::span<const std::uint8_t> frame) override;
    using net::Link::receive;
    Result<std::size_t> receive(net::FrameSink& sink) override;
    bool wait_for_frames(Deadline until) override;

  private:
    // Connects if not connected (the Link's first use); errors if broken.
    Status ready_for_io();
    Status connect();
    Status reset_backend_for_open();
    Status setup_rings();
    Status publish();
    // Backend first (when published), then the keys, grants, port, memory.
    Status release(bool published);
    // release() after a dance done elsewhere (`part`: its outcome, and
    // whether it removed the keys already).
    Status release_after(const xen::CloseDevice& part, bool published);
    // The dance of this vif alone (d as describe_close() fills it); d.result too.
    Status close_backend(xen::CloseDevice& d);
    void describe_close(xen::CloseDevice& out);
    // The i-th key publish() writes (xen::XenStore::PathFn).
    static void key_path(void* self, std::size_t i, char (&out)[xen::XenStore::kMaxPath]);
    Status remove_keys();
    Status wait_backend(const xen::XenbusState* wanted, unsigned count, std::uint64_t timeout_ms,
                        xen::XenbusState* reached = nullptr);
    // Takes the TX responses that have arrived; frees their buffers.
    Status reap_tx();
    Status wait_tx_buffer(Deadline until);
    enum class RxVerdict { deliver, error, drop, incomplete };
    struct RxFrame {
        unsigned slots = 0;                              // responses it takes in the ring (data and extra-info)
        unsigned data = 0;                               // of which data pages, in data_rsp[]
        NetifRxResponse data_rsp[kMaxRxDataSlots] = {};  // copies, validated
        std::uint32_t data_at[kMaxRxDataSlots] = {};     // their places past rsp_cons
        std::size_t length = 0;
        std::uint16_t flags = 0;  // the first slot's
        bool gso = false;
    };
    // Looks at the packet at the head of the RX ring without taking it: its
    // slots, bounds and flags (sets the skip state when the rest of a
    // dropped packet is not there yet to be counted).
    RxVerdict scan_rx_frame(unsigned avail, RxFrame& f);
    // Takes `n` responses from the RX ring, reposting their buffers.
    void consume_rx(unsigned n);
    // Takes one response of a dropped packet's remains; false when none is left.
    bool skip_rx_remains();
    bool backend_offers(const char* feature);
    void post_rx(std::uint16_t buffer);
    void push_rx();
    Error mark_broken(const Error& e);
    std::uint8_t* rx_page(unsigned i) const { return rx_mem_ + std::size_t{i} * 4096; }
    std::uint8_t* tx_page(unsigned i) const { return tx_mem_ + std::size_t{i} * 4096; }

    xen::XenPort* xen_ = nullptr;
    xen::EventChannels* events_ = nullptr;
    xen::GrantTable* grants_ = nullptr;
    xen::XenStore* store_ = nullptr;
    Heap* heap_ = nullptr;
    NetfrontOptions options_{};
    NetfrontInfo info_{};
    NetfrontStats stats_{};
    char name_[16] = {};
    char broken_[Error::kMaxMessage] = {};
    char connect_failed_[Error::kMaxMessage] = {};  // the last open()'s error, "" once connected or retried
    bool connected_ = false;
    bool rx_stopped_ = false;
    Status drained_ = ok();  // close_part()'s TX drain, for finish_close()

    xen::FrontRing tx_ring_;
    xen::FrontRing rx_ring_;
    std::uint8_t* ring_mem_ = nullptr;  // two pages: TX ring, RX ring
    GrantRef ring_refs_[2] = {};
    unsigned ring_granted_ = 0;
    EvtchnPort port_{};

    std::uint8_t* rx_mem_ = nullptr;
    GrantRef rx_refs_[kRingSlots] = {};
    unsigned rx_count_ = 0;
    unsigned rx_granted_ = 0;
    std::uint16_t rx_slot_buffer_[kRingSlots] = {};  // the buffer posted in each RX slot
    // Skipping the rest of a dropped packet: extra-info slots, then more_data fragments.
    bool rx_skip_extras_ = false;
    bool rx_skip_fragments_ = false;
    unsigned rx_unpushed_ = 0;
    unsigned rx_partial_ = 0;  // slots of a packet at the head of the ring whose rest is not published yet

    std::uint8_t* tx_mem_ = nullptr;
    GrantRef tx_refs_[kMaxTxBuffers] = {};
    unsigned tx_count_ = 0;
    unsigned tx_granted_ = 0;
    bool tx_in_flight_[kMaxTxBuffers] = {};
    std::uint16_t tx_free_[kMaxTxBuffers] = {};
    unsigned tx_free_count_ = 0;
    unsigned tx_in_flight_count_ = 0;
};

}  // namespace xb::pvnet
