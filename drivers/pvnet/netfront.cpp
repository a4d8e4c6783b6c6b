#include "drivers/pvnet/netfront.h"

#include <cstring>

#include "arch/arch.h"
#include "drivers/xen/hypercall.h"
#include "lib/format.h"
#include "lib/scope_guard.h"

namespace xb::pvnet {
namespace {
using xen::XenbusState;

// What this frontend writes besides `state` (netboot.md §1.3); all removed at close.
// Linux's netfront, connecting after the hand-off, writes only what it
// negotiates: a stale feature key of ours would promise it features it did
// not ask for.
constexpr const char* kKeys[] = {"tx-ring-ref",     "rx-ring-ref",       "event-channel",
                                 "request-rx-copy", "feature-rx-notify", "feature-no-csum-offload",
                                 "feature-sg",      "feature-gso-tcpv4"};

std::uint64_t ms_since(std::uint64_t t) { return arch::ticks_to_ms(arch::counter() - t); }
}  // namespace

Status NetFront::init(const Env& env, unsigned handle, const NetfrontOptions& options) {
    if (connected_) return Error::make(Errc::busy, "%s is connected", name_);
    xen_ = &env.xen;
    events_ = &env.events;
    grants_ = &env.grants;
    store_ = &env.store;
    heap_ = &env.heap;
    options_ = options;
    if (options_.tx_buffers == 0) options_.tx_buffers = 1;
    if (options_.tx_buffers > kMaxTxBuffers) options_.tx_buffers = kMaxTxBuffers;
    if (options_.rx_buffers > kRingSlots) options_.rx_buffers = kRingSlots;
    if (options_.rx_buffers < kMinRxBuffers) options_.rx_buffers = kMinRxBuffers;
    info_ = NetfrontInfo{};
    stats_ = NetfrontStats{};
    broken_[0] = '\0';
    connect_failed_[0] = '\0';
    info_.handle = handle;
    format_to(name_, sizeof name_, "vif %u", handle);
    format_to(info_.frontend, sizeof info_.frontend, "device/vif/%u", handle);

    char path[160];
    format_to(path, sizeof path, "%s/backend", info_.frontend);
    TRY_CTX(store_->read(path, info_.backend, sizeof info_.backend), "%s", name_);
    format_to(path, sizeof path, "%s/backend-id", info_.frontend);
    std::uint64_t backend_id = TRY_CTX(store_->read_u64(path), "%s", name_);
    if (backend_id >= xen::kDomidSelf) {
        return Error::make(Errc::bad_data, "%s: backend-id %lu is not a domain", name_, backend_id);
    }
    info_.backend_id = static_cast<unsigned>(backend_id);
    // The MAC is the frontend's own node (libxl writes it; netif.h "mac"),
    // not the backend's.
    char mac[32];
    format_to(path, sizeof path, "%s/mac", info_.frontend);
    TRY_CTX(store_->read(path, mac, sizeof mac), "%s", name_);
    info_.mac = TRY_CTX(net::parse_mac(mac), "%s: %s", name_, path);
    net::format_mac(info_.mac, info_.mac_text);
    return ok();
}

Status NetFront::wait_backend(const XenbusState* wanted, unsigned count, std::uint64_t timeout_ms,
                              XenbusState* reached) {
    Result<XenbusState> r =
        xen::wait_backend_state(*store_, info_.backend, wanted, count, Deadline::after_ms(timeout_ms), name_);
    if (r.ok()) {
        if (reached != nullptr) *reached = r.value();
        return ok();
    }
    if (r.error().code() != Errc::timeout) return r.error();
    // Say where the backend got stuck, by number and name (what `xenstore-ls` shows).
    char names[64] = "";
    std::size_t at = 0;
    for (unsigned i = 0; i < count; ++i)
        at += format_to(names + at, sizeof names - at, "%s%s", i == 0 ? "" : " or ", xen::xenbus_state_name(wanted[i]));
    Result<XenbusState> now = xen::read_state(*store_, info_.backend);
    if (!now.ok()) {
        return Error::make(Errc::timeout, "%s: backend %s has no valid state after %lu ms (waiting for %s)", name_,
                           info_.backend, timeout_ms, names);
    }
    return Error::make(Errc::timeout, "%s: backend %s stayed in state %d (%s) for %lu ms (waiting for %s)", name_,
                       info_.backend, static_cast<int>(now.value()), xen::xenbus_state_name(now.value()), timeout_ms,
                       names);
}

Status NetFront::reset_backend_for_open() {
    // A backend in InitWait is ready. One still starting (Initialising, or no
    // state yet) is waited for. Anything else is what a previous user left
    // (Connected after a crash or an earlier xenboot, Closed after a close
    // without the last step): Closed, then Initialising until InitWait, as
    // iPXE's netfront_reset does. netback goes InitWait from Closed because
    // the toolstack set `online` (netboot.md §1.2).
    Result<XenbusState> state = xen::read_state(*store_, info_.backend);
    const XenbusState init_wait[] = {XenbusState::init_wait};
    if (state.ok() && state.value() == XenbusState::init_wait) return ok();
    if (!state.ok() || state.value() == XenbusState::initialising || state.value() == XenbusState::unknown) {
        if (!state.ok() && state.error().code() != Errc::not_found && state.error().code() != Errc::bad_data)
            return state.error().prefix("%s", name_);
        return wait_backend(init_wait, 1, options_.connect_timeout_ms);
    }
    const XenbusState closed[] = {XenbusState::closed};
    TRY_CTX(xen::switch_state(*store_, info_.frontend, XenbusState::closed), "%s", name_);
    TRY(wait_backend(closed, 1, options_.connect_timeout_ms));
    TRY_CTX(xen::switch_state(*store_, info_.frontend, XenbusState::initialising), "%s", name_);
    return wait_backend(init_wait, 1, options_.connect_timeout_ms);
}

Status NetFront::setup_rings() {
    const DomId backend(static_cast<std::uint16_t>(info_.backend_id));
    ring_mem_ = static_cast<std::uint8_t*>(heap_->alloc(2 * 4096, 4096));
    if (ring_mem_ == nullptr) return Error::make(Errc::no_memory, "%s: no memory for the rings", name_);
    tx_ring_.init(ring_mem_, 1, kTxSlotSize);
    rx_ring_.init(ring_mem_ + 4096, 1, kRxSlotSize);
    for (unsigned i = 0; i < 2; ++i) {
        ring_refs_[i] = TRY_CTX(grants_->grant(backend, xen_->gfn_of(ring_mem_ + i * 4096u), false),
                                "%s: granting the %s ring", name_, i == 0 ? "TX" : "RX");
        ring_granted_ = i + 1;
    }

    // RX pages: one block, as many as memory allows down to kMinRxBuffers
    // (fewer buffers only mean fewer frames in flight towards us).
    for (unsigned n = options_.rx_buffers; n >= kMinRxBuffers; n /= 2) {
        rx_mem_ = static_cast<std::uint8_t*>(heap_->alloc(std::size_t{n} * 4096, 4096));
        if (rx_mem_ != nullptr) {
            rx_count_ = n;
            break;
        }
    }
    if (rx_mem_ == nullptr)
        return Error::make(Errc::no_memory, "%s: no memory for %u RX pages", name_,
                           static_cast<unsigned>(kMinRxBuffers));
    for (unsigned i = 0; i < rx_count_; ++i) {
        rx_refs_[i] =
            TRY_CTX(grants_->grant(backend, xen_->gfn_of(rx_page(i)), false), "%s: granting RX page %u", name_, i);
        rx_granted_ = i + 1;
    }
    tx_count_ = options_.tx_buffers;
    tx_mem_ = static_cast<std::uint8_t*>(heap_->alloc(std::size_t{tx_count_} * 4096, 4096));
    if (tx_mem_ == nullptr) return Error::make(Errc::no_memory, "%s: no memory for %u TX pages", name_, tx_count_);
    for (unsigned i = 0; i < tx_count_; ++i) {
        // Read-only: netback only reads (maps) TX pages.
        tx_refs_[i] =
            TRY_CTX(grants_->grant(backend, xen_->gfn_of(tx_page(i)), true), "%s: granting TX page %u", name_, i);
        tx_granted_ = i + 1;
    }
    tx_free_count_ = 0;
    for (unsigned i = tx_count_; i-- > 0;) tx_free_[tx_free_count_++] = static_cast<std::uint16_t>(i);
    for (bool& f : tx_in_flight_) f = false;
    tx_in_flight_count_ = 0;

    port_ = TRY_CTX(xen::evtchn_alloc_unbound(*xen_, backend), "%s", name_);
    TRY_CTX(events_->bind_polled(port_), "%s", name_);

    // Every RX buffer posted before the backend connects (it reads the ring
    // at connect); request id = buffer index.
    rx_skip_extras_ = rx_skip_fragments_ = false;
    rx_stopped_ = false;
    rx_unpushed_ = 0;
    for (unsigned i = 0; i < rx_count_; ++i) post_rx(static_cast<std::uint16_t>(i));
    (void)rx_ring_.push();
    rx_unpushed_ = 0;
    info_.rx_buffers = rx_count_;
    info_.tx_buffers = tx_count_;
    return ok();
}

Status NetFront::publish() {
    // One transaction: netback sees the keys and Connected together (as
    // Mini-OS and Unikraft write them); retried on EAGAIN.
    Status sent = store_->transact([&](xen::Tx tx) -> Status {
        char p[160];
        format_to(p, sizeof p, "%s/tx-ring-ref", info_.frontend);
        TRY(store_->writef(tx, p, "%u", ring_refs_[0].value()));
        format_to(p, sizeof p, "%s/rx-ring-ref", info_.frontend);
        TRY(store_->writef(tx, p, "%u", ring_refs_[1].value()));
        format_to(p, sizeof p, "%s/event-channel", info_.frontend);
        TRY(store_->writef(tx, p, "%u", port_.value()));
        // request-rx-copy is mandatory: without it netback silently keeps
        // sg=1 and csum=1 (netboot.md §0.2). feature-no-csum-offload=0
        // (netif.h: absent means 0, "checksum offload on"; written so a stale
        // 1 left by a crashed user cannot override it): netback flags frames
        // whose checksum dom0 never filled in NETRXF_csum_blank, others it
        // vouched for NETRXF_data_validated (rx.c xenvif_rx_data_slot), and
        // the stack skips checking exactly those (net/stack.cpp). sg and
        // gso-tcpv4 only where the backend offers them (read at connect):
        // netback then passes dom0's TCP segments of up to 64 KiB unsplit.
        struct Key {
            const char* name;
            const char* value;
            bool wanted;
        };
        const Key keys[] = {{"request-rx-copy", "1", true},
                            {"feature-rx-notify", "1", true},
                            {"feature-no-csum-offload", "0", true},
                            {"feature-sg", "1", info_.rx_sg},
                            {"feature-gso-tcpv4", "1", info_.rx_gso}};
        for (const Key& key : keys) {
            if (!key.wanted) continue;
            format_to(p, sizeof p, "%s/%s", info_.frontend, key.name);
            TRY(store_->write(p, key.value, tx));
        }
        format_to(p, sizeof p, "%s/state", info_.frontend);
        TRY(store_->writef(tx, p, "%d", static_cast<int>(XenbusState::connected)));
        return ok();
    });
    TRY_CTX(sent, "%s: publishing the rings", name_);
    return ok();
}

bool NetFront::backend_offers(const char* feature) {
    char path[160];
    format_to(path, sizeof path, "%s/%s", info_.backend, feature);
    Result<std::uint64_t> v = store_->read_u64(path);
    return v.ok() && v.value() == 1;  // absent or anything else: not offered (netif.h)
}

Status NetFront::connect() {
    if (store_ == nullptr) return Error::make(Errc::invalid_argument, "pvnet: vif not initialised");
    const std::uint64_t t0 = arch::counter();
    TRY(reset_backend_for_open());
    // Large receive needs both: GSO frames span pages (netback's
    // xenvif_fix_features drops TSO without SG).
    info_.rx_sg = options_.large_receive && backend_offers("feature-sg");
    info_.rx_gso = info_.rx_sg && backend_offers("feature-gso-tcpv4");
    bool published = false;
    ScopeGuard undo([&] { (void)release(published); });
    TRY(setup_rings());
    published = true;  // a commit may take effect even when its reply is lost
    TRY(publish());
    const XenbusState outcome[] = {XenbusState::connected, XenbusState::closing, XenbusState::closed};
    XenbusState reached = XenbusState::unknown;
    TRY(wait_backend(outcome, 3, options_.connect_timeout_ms, &reached));
    if (reached != XenbusState::connected) {
        return Error::make(Errc::io, "%s: backend %s went to %s instead of Connected", name_, info_.backend,
                           xen::xenbus_state_name(reached));
    }
    undo.cancel();
    connected_ = true;
    broken_[0] = '\0';
    info_.ms_connect = ms_since(t0);
    // A first kick: the backend may have looked at the RX ring before our
    // requests were there (harmless otherwise).
    ++stats_.notifications;
    (void)events_->notify(port_);
    return ok();
}

Status NetFront::open() {
    if (connected_) return ok();
    connect_failed_[0] = '\0';
    Status s = connect();
    if (!s.ok()) format_to(connect_failed_, sizeof connect_failed_, "%s", s.error().message());
    return s;
}

Status NetFront::ready_for_io() {
    if (broken_[0] != '\0') {
        return Error::make(Errc::io, "%s: unusable after a backend error (%s); `pvnet reset` connects it again", name_,
                           broken_);
    }
    if (connected_) return ok();
    // The first use connects; after a failed connect, the Link's calls fail
    // at once (a stack polling in a loop would otherwise pay the connect
    // timeout on every call) until open() or `pvnet reset` tries again.
    if (connect_failed_[0] != '\0') return Error::make(Errc::io, "%s: not connected: %s", name_, connect_failed_);
    return open();
}

Error NetFront::mark_broken(const Error& e) {
    format_to(broken_, sizeof broken_, "%s", e.message());
    ++stats_.errors;
    return Error::make(Errc::bad_data, "%s: %s; the vif is not used again until `pvnet reset`", name_, e.message());
}

void NetFront::post_rx(std::uint16_t buffer) {
    const unsigned slot = rx_ring_.slot_index(rx_ring_.req_prod_pvt());
    NetifRxRequest req{buffer, 0, rx_refs_[buffer].value()};
    std::memcpy(rx_ring_.next_request(), &req, sizeof req);
    rx_slot_buffer_[slot] = buffer;
    ++rx_unpushed_;
}

void NetFront::push_rx() {
    if (rx_unpushed_ == 0) return;
    rx_unpushed_ = 0;
    // feature-rx-notify: netback waits for this notification when it has run
    // out of RX requests (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY).
    if (rx_ring_.push()) {
        ++stats_.notifications;
        (void)events_->notify(port_);
    }
}

NetFront::RxVerdict NetFront::scan_rx_frame(unsigned avail, RxFrame& f) {
    NetifRxResponse first;
    rx_ring_.peek_response(0, &first);
    f.slots = 1;
    f.flags = first.flags;
    const bool extras = (first.flags & kNetrxfExtraInfo) != 0;
    const bool more = (first.flags & kNetrxfMoreData) != 0;
    if ((more && !info_.rx_sg) || (extras && !info_.rx_gso)) {
        // Not negotiated: the rest of the packet is skipped by its own
        // flags, slot by slot, and never read.
        rx_skip_extras_ = extras;
        rx_skip_fragments_ = more;
        return RxVerdict::drop;
    }
    bool bad = false;  // malformed: counted in errors
    // Where the packet's unseen rest goes when it cannot all be looked at
    // (more slots than a frame may have, or than the ring can ever hold).
    auto give_up = [&](bool in_extras, bool extra_more, bool frag_more) {
        rx_skip_extras_ = in_extras && extra_more;
        rx_skip_fragments_ = frag_more;
        return RxVerdict::error;
    };
    // All our buffers answered and the packet still goes on: it never ends.
    const bool ring_exhausted = avail >= rx_ring_.outstanding();

    // Extra-info slots come right after the first (netif.h), chained by MORE.
    if (extras) {
        bool chained = true;
        for (unsigned n = 0; chained; ++n) {
            if (n == kMaxRxExtras) return give_up(true, true, more);
            if (f.slots >= avail) return ring_exhausted ? give_up(true, true, more) : RxVerdict::incomplete;
            NetifExtraInfo e;
            rx_ring_.peek_response(f.slots++, &e);
            chained = (e.flags & kNetifExtraFlagMore) != 0;
            if (e.type != kNetifExtraTypeGso) continue;  // another type: nothing we use, skipped
            const unsigned size = e.body[0] | (unsigned{e.body[1]} << 8);
            if (f.gso || size == 0 || e.body[2] != kNetifGsoTypeTcpv4) bad = true;
            f.gso = true;
        }
    }
    // The data: the first slot, then one page per more_data.
    NetifRxResponse r = first;
    unsigned at = 0;  // r's place past rsp_cons
    for (;;) {
        // netback answers request i in slot i with the request's id
        // (netif.h): anything else is a confused backend.
        if (r.id != rx_slot_buffer_[rx_ring_.slot_index(rx_ring_.rsp_cons() + at)] || r.status <= 0 ||
            r.offset >= 4096 || static_cast<unsigned>(r.status) > 4096u - r.offset) {
            bad = true;  // a wrong id, an error status, no data, or data past the page
        } else {
            f.length += static_cast<std::size_t>(r.status);
            if (f.length > kMaxReceiveFrame) bad = true;
        }
        if (f.data == kMaxRxDataSlots) return give_up(false, false, (r.flags & kNetrxfMoreData) != 0);
        f.data_rsp[f.data] = r;
        f.data_at[f.data++] = at;
        if ((r.flags & kNetrxfMoreData) == 0) break;
        if (f.slots >= avail) return ring_exhausted ? give_up(false, false, true) : RxVerdict::incomplete;
        at = f.slots++;
        rx_ring_.peek_response(at, &r);
        // Flags other than more_data in a later slot mean nothing (netif.h:
        // only the first slot's csum and extra flags count).
    }
    if (bad) return RxVerdict::error;
    return f.length < kMinFrame ? RxVerdict::drop : RxVerdict::deliver;
}

void NetFront::consume_rx(unsigned n) {
    std::uint16_t buffers[kMaxRxDataSlots + kMaxRxExtras + 1];
    const unsigned take = n < sizeof buffers / sizeof buffers[0] ? n : sizeof buffers / sizeof buffers[0];
    for (unsigned i = 0; i < take; ++i) buffers[i] = rx_slot_buffer_[rx_ring_.slot_index(rx_ring_.rsp_cons() + i)];
    rx_ring_.consume_responses(take);
    stats_.rx_slots += take;
    // Each slot's buffer goes back (an extra-info slot used a request too).
    if (!rx_stopped_)
        for (unsigned i = 0; i < take; ++i) post_rx(buffers[i]);
}

bool NetFront::skip_rx_remains() {
    NetifRxResponse r;
    rx_ring_.peek_response(0, &r);
    if (rx_skip_extras_) {
        // An extra-info slot (netif_extra_info overlays the response): only
        // its MORE flag matters, to know where the packet goes on.
        NetifExtraInfo extra;
        static_assert(sizeof extra == sizeof r);
        std::memcpy(&extra, &r, sizeof extra);
        rx_skip_extras_ = (extra.flags & kNetifExtraFlagMore) != 0;
    } else {
        rx_skip_fragments_ = (r.flags & kNetrxfMoreData) != 0;
    }
    consume_rx(1);
    return true;
}

Result<std::size_t> NetFront::receive(net::FrameSink& sink) {
    TRY(ready_for_io());
    ScopeGuard push([&] { push_rx(); });
    // Bounded: a backend publishing as fast as we consume cannot keep us here.
    for (unsigned round = 0; round < 2 * kRingSlots; ++round) {
        Result<unsigned> avail = rx_ring_.available();
        if (!avail.ok()) return mark_broken(avail.error().prefix("RX ring"));
        rx_partial_ = 0;
        if (avail.value() == 0) return std::size_t{0};
        if (rx_skip_extras_ || rx_skip_fragments_) {
            (void)skip_rx_remains();
            continue;
        }
        RxFrame f;
        switch (scan_rx_frame(avail.value(), f)) {
            case RxVerdict::incomplete:
                // netback publishes a packet's slots together; until the
                // rest is there, wait_for_frames waits for it.
                rx_partial_ = f.slots;
                return std::size_t{0};
            case RxVerdict::error:
                ++stats_.errors;
                consume_rx(f.slots);
                continue;
            case RxVerdict::drop:
                ++stats_.dropped;
                consume_rx(f.slots);
                continue;
            case RxVerdict::deliver: break;
        }
        // Copied out of the pages before they go back; the responses used are
        // the copies scan_rx_frame validated, not the shared slots again.
        const bool trusted = (f.flags & (kNetrxfDataValidated | kNetrxfCsumBlank)) != 0;
        const bool taken = sink.begin(net::RxFrameInfo{f.length, trusted});
        if (taken) {
            for (unsigned i = 0; i < f.data; ++i) {
                const NetifRxResponse& d = f.data_rsp[i];
                const std::uint16_t buffer = rx_slot_buffer_[rx_ring_.slot_index(rx_ring_.rsp_cons() + f.data_at[i])];
                sink.append(
                    std::span<const std::uint8_t>(rx_page(buffer) + d.offset, static_cast<std::size_t>(d.status)));
            }
        }
        consume_rx(f.slots);
        if (!taken) {
            ++stats_.dropped;
            continue;
        }
        ++stats_.rx;
        stats_.rx_bytes += f.length;
        if (f.data > 1 || f.gso) ++stats_.rx_large;
        if (trusted) ++stats_.rx_csum_trusted;
        return f.length;
    }
    return std::size_t{0};
}

Status NetFront::reap_tx() {
    NetifTxResponse rsp[16];
    for (;;) {
        Result<unsigned> n = tx_ring_.take_responses(rsp, 16);
        if (!n.ok()) return mark_broken(n.error().prefix("TX ring"));
        for (unsigned i = 0; i < n.value(); ++i) {
            const NetifTxResponse& r = rsp[i];
            if (r.id >= tx_count_ || !tx_in_flight_[r.id]) {
                return mark_broken(Error::make(Errc::bad_data, "TX response for request %u, which is not in flight",
                                               static_cast<unsigned>(r.id)));
            }
            tx_in_flight_[r.id] = false;
            --tx_in_flight_count_;
            tx_free_[tx_free_count_++] = r.id;
            if (r.status == kNetifRspDropped) ++stats_.dropped;
            else if (r.status != kNetifRspOkay) ++stats_.errors;
        }
        if (n.value() < 16) return ok();
    }
}

Status NetFront::wait_tx_buffer(Deadline until) {
    for (;;) {
        TRY(reap_tx());
        if (tx_free_count_ != 0) return ok();
        events_->consume(port_);
        if (tx_ring_.arm_response_event()) continue;
        if (until.expired()) {
            return Error::make(Errc::timeout, "%s: backend %s answered none of %u frames in flight for %lu ms", name_,
                               info_.backend, tx_in_flight_count_, until.budget_ms());
        }
        if (!events_->block_on(port_, until).ok()) (void)xen::sched_yield(*xen_);
    }
}

Status NetFront::transmit(std::span<const std::uint8_t> frame) {
    if (frame.size() < kMinFrame || frame.size() > kMaxFrame) {
        return Error::make(Errc::invalid_argument, "%s: a frame of %zu bytes (an Ethernet frame is %zu to %zu)", name_,
                           frame.size(), kMinFrame, kMaxFrame);
    }
    TRY(ready_for_io());
    TRY(wait_tx_buffer(Deadline::after_ms(options_.tx_timeout_ms)));
    const std::uint16_t b = tx_free_[--tx_free_count_];
    // At offset 0 of its own page: a frame of at most 1514 bytes never
    // crosses a page (netback's "Cross page boundary" disables the vif).
    std::memcpy(tx_page(b), frame.data(), frame.size());
    // flags 0: the stack computes full checksums (no csum_blank, no data_validated).
    NetifTxRequest req{tx_refs_[b].value(), 0, 0, b, static_cast<std::uint16_t>(frame.size())};
    std::memcpy(tx_ring_.next_request(), &req, sizeof req);
    tx_in_flight_[b] = true;
    ++tx_in_flight_count_;
    ++stats_.tx;
    stats_.tx_bytes += frame.size();
    if (tx_ring_.push()) {
        ++stats_.notifications;
        TRY_CTX(events_->notify(port_), "%s: notifying the backend", name_);
    }
    return ok();
}

bool NetFront::wait_for_frames(Deadline until) {
    if (!ready_for_io().ok()) return false;
    for (;;) {
        events_->consume(port_);
        // A response, or an impossible index (receive() reports it); past
        // the start of a packet whose rest is still to come.
        if (rx_ring_.arm_response_event(rx_partial_)) return true;
        if (until.expired()) return false;
        // The arch wake-up rule lives in block_on: the alarm is armed and
        // checked before SCHEDOP_poll, so a silent backend costs `until`.
        ++stats_.waits;
        const std::uint64_t slept_from = arch::counter();
        if (!events_->block_on(port_, until).ok()) (void)xen::sched_yield(*xen_);
        stats_.wait_us += arch::ticks_to_us(arch::counter() - slept_from);
    }
}

Status NetFront::close_backend(xen::CloseDevice& d) {
    // netback: Connected -> Closing disconnects (stops its threads, unmaps
    // the rings); after Closed it touches none of our pages; Initialising
    // brings it to InitWait for the next frontend (netboot.md §1.5). The keys
    // are removed during it (xen::close_together).
    d.result = xen::close_together(*store_, std::span<xen::CloseDevice>(&d, 1));
    return d.result;
}

void NetFront::describe_close(xen::CloseDevice& out) {
    out.frontend = info_.frontend;
    out.backend = info_.backend;
    out.name = name_;
    out.step_timeout_ms = options_.close_timeout_ms;
    out.initialising_ends = false;  // netback answers Initialising with InitWait (`online` is set)
    out.remove_path = &key_path;
    out.remove_context = this;
    out.remove_count = sizeof kKeys / sizeof kKeys[0];
    // After the Closing write: netback disconnects then (set_backend_state:
    // backend_disconnect before it switches to Closing), Closed is quick.
    out.remove_after = 0;
}

void NetFront::key_path(void* self, std::size_t i, char (&out)[xen::XenStore::kMaxPath]) {
    format_to(out, sizeof out, "%s/%s", static_cast<NetFront*>(self)->info_.frontend, kKeys[i]);
}

Status NetFront::remove_keys() {
    // Pipelined: one round trip through xenstored for all of them (RM of a
    // missing node is not an error).
    TRY_CTX(store_->remove_each(sizeof kKeys / sizeof kKeys[0], &key_path, this), "%s", name_);
    return ok();
}

Status NetFront::release(bool published) {
    xen::CloseDevice d;
    if (published) {
        describe_close(d);
        (void)close_backend(d);
    }
    return release_after(d, published);
}

Status NetFront::release_after(const xen::CloseDevice& part, bool published) {
    // Each part runs even if an earlier one failed: a page the backend still
    // maps is held in the quarantine with its grant, never freed.
    Status first = part.result;
    if (published) {
        // What the dance did not remove (it stopped before Closing was written).
        Status removed = part.removals_sent ? part.remove_result : remove_keys();
        if (!removed.ok() && first.ok()) first = removed;
    }
    xen::GrantQuarantine& q = grants_->quarantine();
    if (rx_mem_ != nullptr) {
        q.end_or_hold(*grants_, std::span<const GrantRef>(rx_refs_, rx_granted_), rx_mem_, heap_, name_, first);
        rx_mem_ = nullptr;
    }
    if (tx_mem_ != nullptr) {
        q.end_or_hold(*grants_, std::span<const GrantRef>(tx_refs_, tx_granted_), tx_mem_, heap_, name_, first);
        tx_mem_ = nullptr;
    }
    if (ring_mem_ != nullptr) {
        q.end_or_hold(*grants_, std::span<const GrantRef>(ring_refs_, ring_granted_), ring_mem_, heap_, name_, first);
        ring_mem_ = nullptr;
    }
    rx_granted_ = tx_granted_ = ring_granted_ = 0;
    rx_count_ = tx_count_ = 0;
    tx_free_count_ = tx_in_flight_count_ = 0;
    if (port_.value() != 0) {
        Status closed = xen::evtchn_close(*xen_, port_);
        if (!closed.ok() && first.ok()) first = closed;
        port_ = EvtchnPort(0);
    }
    connected_ = false;
    return first;
}

Status NetFront::close() {
    xen::CloseDevice d;
    if (!close_part(d)) return ok();
    (void)close_backend(d);
    return finish_close(d);
}

bool NetFront::close_part(xen::CloseDevice& out) {
    describe_close(out);
    if (!connected_) return false;
    // 1. No more RX buffers; every TX page back from the backend, which maps
    //    them until the skb is freed (bounded: dom0's bridge frees quickly).
    rx_stopped_ = true;
    drained_ = ok();
    if (broken_[0] == '\0') {
        Deadline until = Deadline::after_ms(options_.tx_timeout_ms);
        for (;;) {
            drained_ = reap_tx();
            if (!drained_.ok() || tx_in_flight_count_ == 0) break;
            events_->consume(port_);
            if (tx_ring_.arm_response_event()) continue;
            if (until.expired()) {
                drained_ = Error::make(Errc::timeout, "%s: %u frames still unanswered after %lu ms", name_,
                                       tx_in_flight_count_, until.budget_ms());
                break;
            }
            if (!events_->block_on(port_, until).ok()) (void)xen::sched_yield(*xen_);
        }
    }
    return true;
}

Status NetFront::finish_close(const xen::CloseDevice& part) {
    if (!connected_) return ok();
    // 2-6. Even when the drain failed: after Closed the backend has unmapped
    //      everything, and a page it still holds is caught by the grant ends.
    Status released = release_after(part, true);
    Status drained = drained_;
    drained_ = ok();
    return drained.ok() ? released : drained;  // the cause first: a backend that kept TX pages
}

Status NetFront::reset() {
    Status closed = close();
    // A ring the backend broke is closed all the same (release ends what it can).
    if (!closed.ok()) return closed;
    broken_[0] = '\0';
    return open();
}

}  // namespace xb::pvnet
