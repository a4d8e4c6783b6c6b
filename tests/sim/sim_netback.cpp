#include "tests/sim/sim_netback.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arch/host/virtual_clock.h"

namespace xb::sim {

using pvnet::NetifRxRequest;
using pvnet::NetifRxResponse;
using pvnet::NetifTxRequest;
using pvnet::NetifTxResponse;
using xen::SringHeader;

namespace {
constexpr unsigned kSlots = pvnet::kRingSlots;

std::uint8_t* slot(std::uint8_t* ring, std::size_t slot_size, std::uint32_t index) {
    return ring + sizeof(SringHeader) + (index & (kSlots - 1)) * slot_size;
}
SringHeader* header(std::uint8_t* ring) { return reinterpret_cast<SringHeader*>(ring); }
}  // namespace

SimNetback::SimNetback(SimXen& xen, SimXenstore& store, Options options)
    : xen_(xen), store_(store), options_(std::move(options)) {
    const std::string id = std::to_string(options_.handle);
    frontend_ = std::string(SimXenstore::kHome) + "/device/vif/" + id;
    backend_ = "/local/domain/" + std::to_string(options_.domid) + "/backend/vif/1/" + id;
    // What libxl writes for the frontend (libxl_nic.c)...
    store_.set(frontend_ + "/backend", backend_);
    store_.set(frontend_ + "/backend-id", std::to_string(options_.domid));
    store_.set(frontend_ + "/handle", id);
    store_.set(frontend_ + "/mac", options_.mac);
    store_.set(frontend_ + "/mtu", "1500");
    store_.set(frontend_ + "/trusted", "1");
    store_.set(frontend_ + "/state", options_.left_connected ? "4" : "1");
    // ...and for the backend, plus what netback adds at probe (netboot.md §1.2).
    store_.set(backend_ + "/frontend", frontend_);
    store_.set(backend_ + "/frontend-id", "1");
    store_.set(backend_ + "/online", "1");
    store_.set(backend_ + "/mac", options_.mac);
    store_.set(backend_ + "/handle", id);
    store_.set(backend_ + "/bridge", "xenbr0");
    store_.set(backend_ + "/hotplug-status", "connected");
    if (options_.offer_large_receive) {
        store_.set(backend_ + "/feature-sg", "1");
        store_.set(backend_ + "/feature-gso-tcpv4", "1");
    }
    store_.set(backend_ + "/feature-rx-copy", "1");
    store_.set(backend_ + "/feature-rx-flip", "0");
    store_.set(backend_ + "/feature-split-event-channels", "1");
    store_.set(backend_ + "/multi-queue-max-queues", "2");
    if (options_.left_connected) {
        // Stale keys of a previous user, whose grants are long gone.
        store_.set(frontend_ + "/tx-ring-ref", "4000");
        store_.set(frontend_ + "/rx-ring-ref", "4001");
        store_.set(frontend_ + "/event-channel", "77");
        store_.set(frontend_ + "/request-rx-copy", "1");
        store_.set(backend_ + "/state", "4");
    } else {
        store_.set(backend_ + "/state", options_.never_init_wait ? "1" : "2");
    }
    store_.on_write(frontend_ + "/state",
                    [this](const std::string&, const std::string& value) { frontend_changed(value); });
    xen_.on_idle([this] { service(); });
}

void SimNetback::frontend_changed(const std::string& value) {
    states_.push_back(value);
    const std::string state = store_.get(backend_ + "/state").value_or("");
    if (value == "4") {
        if (options_.never_connect || connected_ || state != "2") return;
        attach();
        return;
    }
    if (options_.never_close) return;
    if (options_.close_step_ms != 0 && (value == "5" || value == "6" || value == "1")) {
        close_pending_ = value;
        close_due_ = arch::virtual_clock::now() + options_.close_step_ms * 1000;  // 1 tick = 1 us
        return;
    }
    answer_close(value);
}

void SimNetback::answer_close(const std::string& value) {
    const std::string state = store_.get(backend_ + "/state").value_or("");
    if (value == "5") {
        // Connected -> Closing: netback's backend_disconnect unmaps the rings.
        detach();
        store_.set(backend_ + "/state", "5");
    } else if (value == "6") {
        detach();
        store_.set(backend_ + "/state", "6");
    } else if (value == "1" && state == "6") {
        store_.set(backend_ + "/state", "2");  // `online`: "prepare for reconnect"
    }
}

void SimNetback::attach() {
    // netback's connect(): read_xenbus_vif_flags, then connect_data_rings.
    auto key = [&](const char* k) { return store_.get(frontend_ + "/" + k); };
    if (key("request-rx-copy").value_or("0") != "1")
        errors_.push_back("request-rx-copy missing: netback keeps sg=1 and csum=1");
    csum_offload_ = key("feature-no-csum-offload").value_or("0") != "1";
    sg_ = key("feature-sg").value_or("0") == "1";
    gso_ = key("feature-gso-tcpv4").value_or("0") == "1";
    if ((sg_ || gso_) && !options_.offer_large_receive)
        errors_.push_back("feature-sg/gso-tcpv4 written but not offered");
    if (gso_ && !sg_) errors_.push_back("feature-gso-tcpv4 without feature-sg");
    if (key("feature-rx-notify").value_or("0") != "1") errors_.push_back("feature-rx-notify missing");
    auto tx = key("tx-ring-ref"), rx = key("rx-ring-ref"), ev = key("event-channel");
    if (!tx || !rx || !ev) {
        errors_.push_back("ring keys missing");
        return;
    }
    tx_ref_ = static_cast<std::uint32_t>(std::stoul(*tx));
    rx_ref_ = static_cast<std::uint32_t>(std::stoul(*rx));
    port_ = EvtchnPort(static_cast<std::uint32_t>(std::stoul(*ev)));
    if (xen_.unbound_remote(port_) != options_.domid) {
        errors_.push_back("event-channel is not bound to the backend");
        return;
    }
    tx_ring_ = static_cast<std::uint8_t*>(xen_.map_grant(tx_ref_, options_.domid, true));
    rx_ring_ = static_cast<std::uint8_t*>(xen_.map_grant(rx_ref_, options_.domid, true));
    if (tx_ring_ == nullptr || rx_ring_ == nullptr) {
        std::fprintf(stderr, "sim netback: ring grants not mappable\n");
        std::abort();
    }
    tx_req_cons_ = tx_rsp_prod_ = rx_req_cons_ = rx_rsp_prod_ = 0;
    xen_.connect(port_, [] {});
    connected_ = true;
    disabled_ = false;
    ++connects_;
    store_.set(backend_ + "/state", "4");
}

void SimNetback::detach() {
    if (!connected_) return;
    connected_ = false;
    if (!withheld_.empty()) {
        lingering_ = true;  // the TX pages stay mapped until let_go()
    }
    xen_.unmap_grant(tx_ref_, true);
    xen_.unmap_grant(rx_ref_, true);
    tx_ring_ = rx_ring_ = nullptr;
}

void SimNetback::let_go() {
    withhold_tx_ = false;
    if (connected_) {
        for (const Withheld& w : withheld_) {
            xen_.unmap_grant(w.gref, false);
            respond_tx(w.id, pvnet::kNetifRspOkay);
        }
        withheld_.clear();
        publish_tx();
        return;
    }
    for (const Withheld& w : withheld_) xen_.unmap_grant(w.gref, false);
    withheld_.clear();
    lingering_ = false;
}

unsigned SimNetback::rx_posted() const {
    if (rx_ring_ == nullptr) return 0;
    return __atomic_load_n(&header(rx_ring_)->req_prod, __ATOMIC_ACQUIRE) - rx_req_cons_;
}

void SimNetback::deliver(std::vector<std::uint8_t> frame, RxFault fault) {
    rx_queue_.push_back(Pending{std::move(frame), fault});
}

void SimNetback::service() {
    if (close_pending_ && arch::virtual_clock::now() >= close_due_) {
        const std::string value = *close_pending_;
        close_pending_.reset();
        answer_close(value);
    }
    if (!connected_ || stalled_ || disabled_) return;
    serve_tx();
    serve_rx();
}

void SimNetback::respond_tx(std::uint16_t id, std::int16_t status) {
    NetifTxResponse r{id, status};
    std::memcpy(slot(tx_ring_, pvnet::kTxSlotSize, tx_rsp_prod_), &r, sizeof r);
    ++tx_rsp_prod_;
}

void SimNetback::publish_tx() {
    SringHeader* h = header(tx_ring_);
    const std::uint32_t old = __atomic_load_n(&h->rsp_prod, __ATOMIC_RELAXED);
    __atomic_store_n(&h->rsp_prod, tx_rsp_prod_, __ATOMIC_RELEASE);
    const std::uint32_t event = __atomic_load_n(&h->rsp_event, __ATOMIC_SEQ_CST);
    if (static_cast<std::uint32_t>(tx_rsp_prod_ - event) < static_cast<std::uint32_t>(tx_rsp_prod_ - old))
        xen_.raise(port_);
}

void SimNetback::serve_tx() {
    SringHeader* h = header(tx_ring_);
    const std::uint32_t prod = __atomic_load_n(&h->req_prod, __ATOMIC_ACQUIRE);
    if (prod - tx_req_cons_ > kSlots) {
        errors_.push_back("impossible TX req_prod");  // xenvif_fatal_tx_err
        disabled_ = true;
        return;
    }
    bool any = false;
    for (; tx_req_cons_ != prod; ++tx_req_cons_) {
        NetifTxRequest req;
        std::memcpy(&req, slot(tx_ring_, pvnet::kTxSlotSize, tx_req_cons_), sizeof req);
        if ((req.flags & (pvnet::kNettxfMoreData | pvnet::kNettxfExtraInfo)) != 0) {
            errors_.push_back("TX request with more_data/extra_info");
        }
        if (req.offset + req.size > 4096u) {
            errors_.push_back("Cross page boundary");  // netback disables the vif for good
            disabled_ = true;
            return;
        }
        if (req.size < 14) {
            respond_tx(req.id, pvnet::kNetifRspError);
            any = true;
            continue;
        }
        auto* page = static_cast<const std::uint8_t*>(xen_.map_grant(req.gref, options_.domid, false));
        if (page == nullptr) {
            errors_.push_back("TX grant not mappable");
            respond_tx(req.id, pvnet::kNetifRspError);
            any = true;
            continue;
        }
        if (drop_tx_ != 0) --drop_tx_;
        else sent_.emplace_back(page + req.offset, page + req.offset + req.size);
        if (withhold_tx_) {
            withheld_.push_back(Withheld{req.id, req.gref});  // still mapped, no response
            continue;
        }
        xen_.unmap_grant(req.gref, false);
        std::uint16_t id = req.id;
        if (bogus_tx_) {
            id = static_cast<std::uint16_t>(id + 1000);
            bogus_tx_ = false;
        } else if (repeat_tx_id_ && last_tx_id_) {
            id = *last_tx_id_;
            repeat_tx_id_ = false;
        }
        last_tx_id_ = id;
        respond_tx(id, pvnet::kNetifRspOkay);
        if (duplicate_tx_) {
            respond_tx(id, pvnet::kNetifRspOkay);
            duplicate_tx_ = false;
        }
        any = true;
    }
    if (any) publish_tx();
}

void SimNetback::write_rx(const NetifRxResponse& r) {
    std::memcpy(slot(rx_ring_, pvnet::kRxSlotSize, rx_rsp_prod_), &r, sizeof r);
    ++rx_rsp_prod_;
}

void SimNetback::publish_rx(std::uint32_t old) {
    SringHeader* h = header(rx_ring_);
    __atomic_store_n(&h->rsp_prod, rx_rsp_prod_, __ATOMIC_RELEASE);
    const std::uint32_t event = __atomic_load_n(&h->rsp_event, __ATOMIC_SEQ_CST);
    if (static_cast<std::uint32_t>(rx_rsp_prod_ - event) < static_cast<std::uint32_t>(rx_rsp_prod_ - old))
        xen_.raise(port_);
}

bool SimNetback::serve_rx_slots(std::uint32_t prod) {
    const Pending& p = rx_queue_.front();
    struct Slot {
        std::size_t at = 0, len = 0;  // data
        bool extra = false;
        pvnet::NetifExtraInfo info{};
    };
    std::vector<Slot> slots;
    // too_many_slots: 20 slots whatever the size (a frame may have 18); truncated: 100 bytes each.
    const std::size_t chunk = p.fault == RxFault::too_many_slots ? (p.frame.size() + 19) / 20
                              : p.fault == RxFault::truncated    ? 100
                                                                 : 4096;
    for (std::size_t at = 0; at < p.frame.size(); at += chunk)
        slots.push_back(Slot{at, std::min(chunk, p.frame.size() - at), false, {}});
    std::uint16_t flags = 0;
    if (p.fault == RxFault::data_validated) flags = pvnet::kNetrxfDataValidated;
    const bool gso =
        (gso_ && p.frame.size() > 1514) || p.fault == RxFault::bad_gso_type || p.fault == RxFault::unknown_extra;
    if (gso || p.fault == RxFault::csum_blank) flags = pvnet::kNetrxfCsumBlank | pvnet::kNetrxfDataValidated;
    if (gso) {
        // netif_extra_info GSO: u16 size (1460), u8 type, u8 pad, u16 features.
        pvnet::NetifExtraInfo e{pvnet::kNetifExtraTypeGso, 0, {0xb4, 0x05, pvnet::kNetifGsoTypeTcpv4, 0, 0, 0}};
        if (p.fault == RxFault::bad_gso_type) e.body[2] = 2;  // XEN_NETIF_GSO_TYPE_TCPV6
        std::vector<Slot> extras{Slot{0, 0, true, e}};
        if (p.fault == RxFault::unknown_extra) {
            extras[0].info.flags = pvnet::kNetifExtraFlagMore;
            extras.push_back(Slot{0, 0, true, pvnet::NetifExtraInfo{4, 0, {1, 2, 3, 4, 5, 6}}});  // HASH
        }
        slots.insert(slots.begin() + 1, extras.begin(), extras.end());
        flags |= pvnet::kNetrxfExtraInfo;
    }
    if (prod - rx_req_cons_ < slots.size()) {
        // netback waits for room for the whole packet; a truncated one is
        // published as far as it goes (a backend that lost the rest).
        if (p.fault != RxFault::truncated || prod == rx_req_cons_) return false;
        slots.resize(prod - rx_req_cons_);
    }
    const std::size_t last_data = [&] {
        std::size_t i = slots.size();
        while (i-- > 0)
            if (!slots[i].extra) return i;
        return std::size_t{0};
    }();
    for (std::size_t i = 0; i < slots.size(); ++i) {
        NetifRxRequest req;
        std::memcpy(&req, slot(rx_ring_, pvnet::kRxSlotSize, rx_req_cons_), sizeof req);
        ++rx_req_cons_;
        if (slots[i].extra) {
            NetifRxResponse raw;
            std::memcpy(&raw, &slots[i].info, sizeof raw);
            write_rx(raw);
            continue;
        }
        if (auto* page = static_cast<std::uint8_t*>(xen_.map_grant(req.gref, options_.domid, true))) {
            std::memcpy(page, p.frame.data() + slots[i].at, slots[i].len);
            xen_.unmap_grant(req.gref, true);
        } else {
            errors_.push_back("RX grant not mappable");
        }
        std::uint16_t f = i == 0 ? flags : 0;
        if (i != last_data || p.fault == RxFault::truncated) f |= pvnet::kNetrxfMoreData;
        write_rx(NetifRxResponse{req.id, 0, f, static_cast<std::int16_t>(slots[i].len)});
    }
    return true;
}

void SimNetback::serve_rx() {
    SringHeader* h = header(rx_ring_);
    const std::uint32_t old = __atomic_load_n(&h->rsp_prod, __ATOMIC_RELAXED);
    bool any = false;
    bool jump = false;
    while (!rx_queue_.empty()) {
        const Pending& p = rx_queue_.front();
        const std::uint32_t prod = __atomic_load_n(&h->req_prod, __ATOMIC_ACQUIRE);
        const bool slots = p.frame.size() > 4096 || p.fault >= RxFault::data_validated ||
                           (p.fault == RxFault::csum_blank && p.frame.size() > 1514);
        if (slots || p.fault == RxFault::data_validated) {
            if (!serve_rx_slots(prod)) break;
            rx_queue_.pop_front();
            any = true;
            continue;
        }
        // Slots this packet needs: a split frame two, extra-info three.
        const unsigned need = p.fault == RxFault::more_data    ? 2
                              : p.fault == RxFault::extra_info ? 3
                              : p.fault == RxFault::duplicate  ? 2
                                                               : 1;
        if (prod - rx_req_cons_ < need) break;  // no buffers: netback queues (and later drops)
        NetifRxRequest req;
        std::memcpy(&req, slot(rx_ring_, pvnet::kRxSlotSize, rx_req_cons_), sizeof req);
        auto* page = static_cast<std::uint8_t*>(xen_.map_grant(req.gref, options_.domid, true));
        if (page == nullptr) {
            errors_.push_back("RX grant not mappable");
            write_rx(NetifRxResponse{req.id, 0, 0, pvnet::kNetifRspError});
            ++rx_req_cons_;
            rx_queue_.pop_front();
            any = true;
            continue;
        }
        const std::size_t len = p.frame.size() < 4096 ? p.frame.size() : 4096;
        const std::size_t first = p.fault == RxFault::more_data ? len / 2 : len;
        std::memcpy(page, p.frame.data(), first);
        xen_.unmap_grant(req.gref, true);
        ++rx_req_cons_;
        NetifRxResponse r{req.id, 0, 0, static_cast<std::int16_t>(first)};
        switch (p.fault) {
            case RxFault::none: break;
            case RxFault::bad_id: r.id = static_cast<std::uint16_t>(r.id + 1); break;
            case RxFault::bad_offset: r.offset = static_cast<std::uint16_t>(4096 - first / 2); break;
            case RxFault::zero_status: r.status = 0; break;
            case RxFault::negative_status: r.status = pvnet::kNetifRspError; break;
            case RxFault::oversize: r.status = 4096; break;
            case RxFault::prod_jump: jump = true; break;
            case RxFault::extra_info: r.flags = pvnet::kNetrxfExtraInfo; break;
            case RxFault::more_data: r.flags = pvnet::kNetrxfMoreData; break;
            case RxFault::csum_blank: r.flags = pvnet::kNetrxfCsumBlank | pvnet::kNetrxfDataValidated; break;
            default: break;
        }
        write_rx(r);
        if (p.fault == RxFault::duplicate) {
            ++rx_req_cons_;  // the next request is used up by the copy
            write_rx(r);
        } else if (p.fault == RxFault::extra_info) {
            // Two extra-info slots (GSO then hash, say): MORE on the first only.
            for (int i = 0; i < 2; ++i) {
                pvnet::NetifExtraInfo extra{1, static_cast<std::uint8_t>(i == 0 ? pvnet::kNetifExtraFlagMore : 0), {}};
                NetifRxResponse raw;
                std::memcpy(&raw, &extra, sizeof raw);
                ++rx_req_cons_;
                write_rx(raw);
            }
        } else if (p.fault == RxFault::more_data) {
            NetifRxRequest req2;
            std::memcpy(&req2, slot(rx_ring_, pvnet::kRxSlotSize, rx_req_cons_), sizeof req2);
            if (auto* page2 = static_cast<std::uint8_t*>(xen_.map_grant(req2.gref, options_.domid, true))) {
                std::memcpy(page2, p.frame.data() + first, len - first);
                xen_.unmap_grant(req2.gref, true);
            }
            ++rx_req_cons_;
            write_rx(NetifRxResponse{req2.id, 0, 0, static_cast<std::int16_t>(len - first)});
        }
        rx_queue_.pop_front();
        any = true;
    }
    if (!any) return;
    if (jump) rx_rsp_prod_ += 1000;
    publish_rx(old);
}

}  // namespace xb::sim
