// A simulated PV network interface end to end: the XenStore nodes libxl and
// netback write (device/vif/<handle> for the guest, backend/vif/<domid>/<handle>
// for dom0), netback's side of the XenBus state machine as Linux 6.1 runs it
// (InitWait; on the frontend's Connected it reads the keys, maps both rings
// and goes Connected; Closing, Closed and back to InitWait, `online` being
// set), and the data path: TX requests are mapped read-only through SimXen,
// checked as netback checks them (a slot crossing its page disables the vif)
// and recorded (sent_frames()); frames given to deliver() are grant-copied
// into posted RX buffers, one slot each, and answered on the event channel.
// Work happens when the frontend notifies, yields or polls.
//
// Faults: a backend that never reaches InitWait or Connected, or never
// answers the close, or answers each close step only after a while (a
// loaded dom0); one left Connected (with stale keys) by a previous user;
// malformed RX responses (wrong id, offset/size past the page, zero or
// negative status, a producer index jump), extra_info / more_data packets,
// csum_blank, duplicated responses; TX responses withheld (pages kept mapped,
// even after Closed, until let_go()), a TX response for a request never
// made, TX frames dropped on the floor.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "drivers/pvnet/netif.h"
#include "tests/sim/sim_xen.h"
#include "tests/sim/sim_xenstore.h"

namespace xb::sim {

class SimNetback {
  public:
    struct Options {
        unsigned handle = 0;
        std::uint16_t domid = 0;  // the backend's domain
        std::string mac = "00:16:3e:12:34:56";
        bool never_init_wait = false;  // stays Initialising
        bool never_connect = false;    // stays InitWait after the frontend's Connected
        bool never_close = false;      // ignores Closing/Closed (dead at hand-off)
        // Each close step (Closing, Closed, InitWait) answered only this long
        // (virtual time) after the frontend's write: a loaded dom0 under TCG
        // (the lab saw up to 7.7 s at a load average of 20).
        std::uint64_t close_step_ms = 0;
        // A previous user left both ends Connected, with its keys in place.
        bool left_connected = false;
        // Offers feature-sg and feature-gso-tcpv4 (Linux 6.1 netback does);
        // false: neither (a backend without large receive).
        bool offer_large_receive = true;
    };

    // One malformed or unusual RX response, applied to the next delivered frame.
    enum class RxFault {
        none,
        bad_id,           // the response's id is not the request's
        bad_offset,       // offset + size beyond the page
        zero_status,      // status 0
        negative_status,  // NETIF_RSP_ERROR
        oversize,         // status 4096 at offset 0 (a valid slot, too long a frame)
        prod_jump,        // rsp_prod published 1000 ahead
        extra_info,       // flagged NETRXF_extra_info, followed by two extra slots (MORE on the first)
        more_data,        // the frame split over two slots with NETRXF_more_data
        csum_blank,       // NETRXF_csum_blank|data_validated (a checksum dom0 never filled in)
        duplicate,        // the response written twice (the copy in the next slot)
        // With large receive (the frontend wrote feature-sg/gso-tcpv4):
        data_validated,  // NETRXF_data_validated (the checksum vouched for)
        truncated,       // in 100-byte slots, the last still flagged more_data, and nothing follows
        too_many_slots,  // the frame in 20 slots, more than a frame may have (18)
        bad_gso_type,    // the GSO extra says TCPv6 (not negotiated)
        unknown_extra,   // a GSO extra with MORE, then one of an unknown type (hash)
    };

    SimNetback(SimXen& xen, SimXenstore& store, Options options);
    SimNetback(SimXen& xen, SimXenstore& store) : SimNetback(xen, store, Options{}) {}

    // --- test API ---------------------------------------------------------------------------------
    // Queues a frame for the frontend; it is copied into the next posted RX
    // buffer, or, when larger than a page (a GSO segment; the frontend must
    // have negotiated feature-sg), over as many as it needs, 4096 bytes each,
    // after a GSO extra-info slot when it is larger than 1514 bytes and the
    // frontend negotiated feature-gso-tcpv4 (flagged csum_blank|data_validated
    // as netback flags a GSO skb). All of a packet's slots are published
    // together, once enough requests are posted.
    void deliver(std::vector<std::uint8_t> frame, RxFault fault = RxFault::none);
    const std::vector<std::vector<std::uint8_t>>& sent_frames() const { return sent_; }
    std::size_t pending_rx() const { return rx_queue_.size(); }
    // Serves both rings now (also runs on the frontend's yields and polls).
    void service();

    // TX faults.
    void set_withhold_tx(bool on) { withhold_tx_ = on; }  // no TX responses, pages kept mapped
    void let_go();                                        // answers and unmaps what was withheld
    void bogus_tx_response_once() { bogus_tx_ = true; }
    void duplicate_tx_response_once() { duplicate_tx_ = true; }
    // The next TX response carries the id of the one before it (a request
    // still in flight answered with an id already answered).
    void repeat_tx_id_once() { repeat_tx_id_ = true; }
    void drop_tx(unsigned frames) { drop_tx_ = frames; }  // answered OKAY, never sent on
    void set_stalled(bool on) { stalled_ = on; }

    // --- observations -------------------------------------------------------------------------------
    bool connected() const { return connected_; }
    bool disabled() const { return disabled_; }  // netback's xenvif_fatal_tx_err
    // Protocol mistakes of the frontend, as netback would log them.
    const std::vector<std::string>& errors() const { return errors_; }
    std::vector<std::string> state_log() const { return states_; }  // frontend states written
    std::string frontend() const { return frontend_; }
    std::string backend() const { return backend_; }
    unsigned rx_posted() const;  // RX requests the frontend has posted and we have not used
    unsigned withheld_tx() const { return static_cast<unsigned>(withheld_.size()); }
    unsigned connects() const { return connects_; }
    // What the frontend negotiated at the last connect.
    bool frontend_sg() const { return sg_; }
    bool frontend_gso() const { return gso_; }
    bool frontend_csum_offload() const { return csum_offload_; }

  private:
    void frontend_changed(const std::string& value);
    void answer_close(const std::string& value);
    void attach();
    void detach();
    void serve_tx();
    void serve_rx();
    void respond_tx(std::uint16_t id, std::int16_t status);
    void publish_tx();
    void publish_rx(std::uint32_t old);
    void write_rx(const pvnet::NetifRxResponse& r);
    // A frame over several slots (with extras); false if not enough requests are posted.
    bool serve_rx_slots(std::uint32_t prod);

    struct Withheld {
        std::uint16_t id;
        std::uint32_t gref;
    };
    struct Pending {
        std::vector<std::uint8_t> frame;
        RxFault fault;
    };

    SimXen& xen_;
    SimXenstore& store_;
    Options options_;
    std::string frontend_, backend_;
    std::vector<std::string> states_;
    std::vector<std::string> errors_;
    bool connected_ = false;
    bool disabled_ = false;
    bool stalled_ = false;
    unsigned connects_ = 0;
    bool sg_ = false, gso_ = false, csum_offload_ = false;
    std::uint32_t tx_ref_ = 0, rx_ref_ = 0;
    std::uint8_t* tx_ring_ = nullptr;
    std::uint8_t* rx_ring_ = nullptr;
    EvtchnPort port_{};
    std::uint32_t tx_req_cons_ = 0, tx_rsp_prod_ = 0;
    std::uint32_t rx_req_cons_ = 0, rx_rsp_prod_ = 0;
    std::vector<std::vector<std::uint8_t>> sent_;
    std::deque<Pending> rx_queue_;
    std::vector<Withheld> withheld_;
    bool withhold_tx_ = false;
    bool bogus_tx_ = false;
    bool duplicate_tx_ = false;
    bool repeat_tx_id_ = false;
    std::optional<std::uint16_t> last_tx_id_;
    unsigned drop_tx_ = 0;
    bool lingering_ = false;  // closed with TX pages still mapped
    // A close step waiting for close_step_ms to pass: the frontend state written, and when.
    std::optional<std::string> close_pending_;
    std::uint64_t close_due_ = 0;
};

}  // namespace xb::sim
