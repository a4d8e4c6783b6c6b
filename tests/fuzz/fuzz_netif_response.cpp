// Fuzzes the netfront against a hostile netback: once the vif is connected
// (through the simulated XenStore and netback, which then stops serving),
// the fuzzer writes RX and TX responses of its choosing (ids, offsets, flags,
// statuses, extra-info slots) and producer indices into the shared rings,
// between the frontend's transmits, receives and waits. Every call must end
// (error or success) in bounded virtual time, a received frame must fit the
// caller's buffer (an exact-size heap buffer: ASan sees any overrun), its
// pieces must add up to the length announced and come from inside RX pages.
// The vif negotiates feature-sg and feature-gso-tcpv4 (the simulated backend
// offers them) unless the first byte says otherwise, so multi-slot frames,
// GSO and other extra-info slots and their bounds are all reachable.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "drivers/pvnet/netfront.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/sim_netback.h"

namespace {

using namespace xb;

struct Input {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos = 0;
    std::uint8_t byte() { return pos < size ? data[pos++] : 0; }
    std::uint64_t u64(unsigned bytes) {
        std::uint64_t v = 0;
        for (unsigned i = 0; i < bytes; ++i) v |= std::uint64_t{byte()} << (8 * i);
        return v;
    }
    bool done() const { return pos >= size; }
};

// The backend's view of one ring: its slots and the producer it publishes.
struct BackRing {
    std::uint8_t* page = nullptr;
    std::size_t slot_size = 0;
    std::uint32_t prod = 0;
    void write(const void* rsp, std::size_t n) {
        std::memcpy(page + sizeof(xen::SringHeader) + (prod & (pvnet::kRingSlots - 1)) * slot_size, rsp, n);
        ++prod;
    }
    void publish(std::uint32_t index) {
        __atomic_store_n(&reinterpret_cast<xen::SringHeader*>(page)->rsp_prod, index, __ATOMIC_RELEASE);
    }
};

void hostile_responses(Input& in, BackRing& rx, BackRing& tx, sim::SimXen& xen, EvtchnPort port) {
    const unsigned n = in.byte() % 6;
    for (unsigned i = 0; i < n && !in.done(); ++i) {
        const std::uint8_t what = in.byte();
        if (what & 1) {
            pvnet::NetifRxResponse r{
                static_cast<std::uint16_t>(in.u64(2) % 300), static_cast<std::uint16_t>(in.u64(2) % 4200),
                static_cast<std::uint16_t>(in.byte() & 0x1f), static_cast<std::int16_t>(in.u64(2))};
            if (what & 2) {
                // A run of well-formed-looking slots: the ids the frontend
                // posted (buffer = slot for a fresh ring), full pages chained
                // by more_data, so large frames and their limits are reached.
                const unsigned run = 1 + in.byte() % 24;
                for (unsigned k = 0; k < run; ++k) {
                    pvnet::NetifRxResponse d{static_cast<std::uint16_t>(rx.prod % 256), 0,
                                             static_cast<std::uint16_t>(k + 1 < run ? pvnet::kNetrxfMoreData : 0),
                                             static_cast<std::int16_t>(k + 1 < run ? 4096 : 1 + in.byte() * 16)};
                    if (k == 0) d.flags = static_cast<std::uint16_t>(d.flags | (r.flags & 0x1b));
                    rx.write(&d, sizeof d);
                    if (k == 0 && (r.flags & pvnet::kNetrxfExtraInfo) != 0) {
                        pvnet::NetifExtraInfo e{
                            static_cast<std::uint8_t>(in.byte() % 6),
                            static_cast<std::uint8_t>(in.byte() & 1),
                            {in.byte(), in.byte(), static_cast<std::uint8_t>(in.byte() % 3), 0, 0, 0}};
                        rx.write(&e, sizeof e);
                    }
                }
                continue;
            }
            rx.write(&r, sizeof r);
        } else {
            pvnet::NetifTxResponse r{static_cast<std::uint16_t>(in.u64(1) % 40),
                                     static_cast<std::int16_t>(static_cast<std::int8_t>(in.byte()) % 3)};
            tx.write(&r, sizeof r);
        }
    }
    const std::uint8_t how = in.byte();
    rx.publish((how & 7) == 0 ? static_cast<std::uint32_t>(in.u64(4)) : rx.prod);
    tx.publish((how & 0x38) == 0 ? static_cast<std::uint32_t>(in.u64(4)) : tx.prod);
    xen.raise(port);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    sim::SimGuest g(
        sim::SimGuest::Options{}.with_fresh_ram().with_xenstore(xen::XenStore::Config{100}).with_grant_table());
    sim::SimNetback::Options nbo;
    nbo.offer_large_receive = (data[0] & 2) == 0;
    sim::SimNetback nb(g.xen, *g.daemon, nbo);
    pvnet::NetFront::Env env{g.xen, g.events, g.grants, *g.store, g.heap};
    pvnet::NetFront vif;
    pvnet::NetfrontOptions o;
    o.connect_timeout_ms = o.close_timeout_ms = 50;
    o.tx_timeout_ms = 5;
    o.rx_buffers = (data[0] & 1) ? 256 : 16;
    o.tx_buffers = 1 + data[1] % 40;
    if (!vif.init(env, 0, o).ok() || !vif.open().ok()) __builtin_trap();
    nb.set_stalled(true);  // from here on the fuzzer answers

    auto ref = [&](const char* key) {
        return static_cast<std::uint32_t>(std::stoul(g.daemon->get(nb.frontend() + "/" + key).value()));
    };
    const EvtchnPort port(ref("event-channel"));
    BackRing rx{static_cast<std::uint8_t*>(g.xen.map_grant(ref("rx-ring-ref"), 0, true)), pvnet::kRxSlotSize};
    BackRing tx{static_cast<std::uint8_t*>(g.xen.map_grant(ref("tx-ring-ref"), 0, true)), pvnet::kTxSlotSize};
    if (rx.page == nullptr || tx.page == nullptr) __builtin_trap();

    // Pieces handed to a sink: announced length and the sum must agree.
    struct CheckingSink final : net::FrameSink {
        std::size_t announced = 0, got = 0;
        bool begin(const net::RxFrameInfo& info) override {
            if (info.length < net::Link::kMinFrame || info.length > net::Link::kMaxReceiveFrame) __builtin_trap();
            announced = info.length;
            got = 0;
            return true;
        }
        void append(std::span<const std::uint8_t> piece) override {
            if (piece.size() == 0 || piece.size() > 4096) __builtin_trap();
            volatile std::uint8_t sink = piece.front() ^ piece.back();  // ASan: inside a live page
            (void)sink;
            got += piece.size();
            if (got > announced) __builtin_trap();
        }
    };

    Input in{data + 2, size - 2};
    g.xen.on_idle([&] {
        if (!in.done()) hostile_responses(in, rx, tx, g.xen, port);
    });
    std::vector<std::uint8_t> frame(60, 0x5a);
    for (int round = 0; round < 64 && !in.done(); ++round) {
        switch (in.byte() % 4) {
            case 0: (void)vif.transmit(frame); break;
            case 1: {
                if (in.byte() & 1) {
                    CheckingSink sink;
                    Result<std::size_t> n = vif.receive(sink);
                    if (n.ok() && n.value() != 0 && (n.value() != sink.announced || sink.got != sink.announced))
                        __builtin_trap();
                    break;
                }
                std::vector<std::uint8_t> buf((in.byte() & 1) ? net::Link::kMaxReceiveFrame
                                                              : net::Link::kMaxFrame - in.byte() % 64);
                Result<std::size_t> n = vif.receive(buf);
                if (n.ok() && (n.value() > buf.size() || (n.value() != 0 && n.value() < net::Link::kMinFrame)))
                    __builtin_trap();
                break;
            }
            case 2: (void)vif.wait_for_frames(Deadline::after_ms(in.byte() % 4)); break;
            default: hostile_responses(in, rx, tx, g.xen, port); break;
        }
    }
    nb.set_stalled(false);
    (void)vif.close();
    return 0;
}
