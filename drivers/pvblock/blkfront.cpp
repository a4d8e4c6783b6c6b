#include "drivers/pvblock/blkfront.h"
#include "drivers/pvblock/pvblock_bus.h"

#include <cstring>

#include "arch/arch.h"
#include "lib/format.h"
#include "lib/scope_guard.h"

namespace xb::pvblock {
namespace {
using xen::XenbusState;
constexpr std::uint64_t kBounceBytes = 1u << 20;
constexpr std::uint64_t kVdiskReadonly = 4;  // "info" bit (blkif.h VDISK_READONLY)
// How long a wait for one disk sleeps before it takes the other disks' steps.
constexpr std::uint64_t kSettleSliceMs = 10;
// Requests per warm() call (16 x ~15 pages): the console looks at its input in
// between, so a key pressed during the warm-up is not kept waiting.
constexpr unsigned kWarmRequestsPerStep = 16;
}  // namespace

void vdev_name(unsigned vdev, char* out, unsigned size) {
    // docs/misc/vbd-interface.txt: (202 << 8) | (disk << 4) | partition for
    // xvd[a-p]; (1 << 28) | (disk << 8) | partition for the extended scheme.
    unsigned disk;
    if ((vdev >> 8) == 202 && (vdev & 15) == 0) disk = (vdev >> 4) & 15;
    else if ((vdev >> 28) == 1 && (vdev & 255) == 0) disk = (vdev >> 8) & 0xfffff;
    else {
        if (size != 0) out[0] = '\0';
        return;
    }
    if (disk < 26) format_to(out, size, "xvd%c", 'a' + disk);
    else if (disk < 26 * 27) format_to(out, size, "xvd%c%c", 'a' + disk / 26 - 1, 'a' + disk % 26);
    else if (size != 0) out[0] = '\0';
}

Status BlkfrontDevice::negotiate(const BlkfrontOptions& options, bool& published) {
    char path[160];
    // What the backend offers (blkif.h "Backend Device Properties"); absent = not offered.
    format_to(path, sizeof path, "%s/max-ring-page-order", info_.backend);
    info_.backend_max_ring_order = static_cast<unsigned>(store_->read_u64(path).value_or(0));
    format_to(path, sizeof path, "%s/feature-max-indirect-segments", info_.backend);
    info_.backend_max_segments = static_cast<unsigned>(store_->read_u64(path).value_or(0));
    format_to(path, sizeof path, "%s/feature-flush-cache", info_.backend);
    info_.flush = store_->read_u64(path).value_or(0) != 0;

    QueueConfig q;
    q.ring_order =
        info_.backend_max_ring_order < options.max_ring_order ? info_.backend_max_ring_order : options.max_ring_order;
    if (q.ring_order > BlkQueue::kMaxRingOrder) q.ring_order = BlkQueue::kMaxRingOrder;
    q.max_segments = xen::kBlkifMaxSegmentsPerRequest;
    if (info_.backend_max_segments > xen::kBlkifMaxSegmentsPerRequest && options.max_segments > q.max_segments) {
        q.max_segments =
            info_.backend_max_segments < options.max_segments ? info_.backend_max_segments : options.max_segments;
    }
    q.stall_timeout_ms = options.stall_timeout_ms;
    // Offer persistent grants with the pool ready; blkback says whether it
    // takes them up only once Connected (it writes feature-persistent then).
    q.persistent_pages = options.persistent_pages;
    Status queued =
        queue_.init(*xen_, *events_, *grants_, *heap_, DomId(static_cast<std::uint16_t>(info_.backend_id)), q, name_);
    if (!queued.ok() && q.persistent_pages != 0 && queued.error().code() == Errc::no_memory) {
        // Not enough memory for the pool: direct grants still work (a failed
        // init has already given back what it took).
        q.persistent_pages = 0;
        queued = queue_.init(*xen_, *events_, *grants_, *heap_, DomId(static_cast<std::uint16_t>(info_.backend_id)), q,
                             name_);
    }
    TRY(queued);
    info_.ring_order = queue_.config().ring_order;
    info_.segments = queue_.config().max_segments;

    // Publish the ring in one transaction (retried on EAGAIN), then say
    // Initialised. From the first attempt on, the backend may have seen it: a
    // commit can take effect even when its reply is lost.
    published = true;
    Status sent = store_->transact([&](xen::Tx tx) -> Status {
        char p[160];
        if (info_.ring_order == 0) {
            format_to(p, sizeof p, "%s/ring-ref", frontend_);
            TRY(store_->writef(tx, p, "%u", queue_.ring_ref(0).value()));
        } else {
            format_to(p, sizeof p, "%s/ring-page-order", frontend_);
            TRY(store_->writef(tx, p, "%u", info_.ring_order));
            for (unsigned i = 0; i < queue_.ring_pages(); ++i) {
                format_to(p, sizeof p, "%s/ring-ref%u", frontend_, i);
                TRY(store_->writef(tx, p, "%u", queue_.ring_ref(i).value()));
            }
        }
        format_to(p, sizeof p, "%s/event-channel", frontend_);
        TRY(store_->writef(tx, p, "%u", queue_.port().value()));
        if (queue_.persistent_pages() != 0) {
            format_to(p, sizeof p, "%s/feature-persistent", frontend_);
            TRY(store_->write(p, "1", tx));
        }
        format_to(p, sizeof p, "%s/protocol", frontend_);
        TRY(store_->write(p, "arm-abi", tx));  // XEN_IO_PROTO_ABI_ARM
        format_to(p, sizeof p, "%s/state", frontend_);
        TRY(store_->writef(tx, p, "%d", static_cast<int>(XenbusState::initialised)));
        return ok();
    });
    TRY_CTX(sent, "%s: publishing the ring", name_);
    return ok();
}

const char* link_state_name(LinkState state) {
    switch (state) {
        case LinkState::closed: return "closed";
        case LinkState::wait_init_wait: return "waiting for the backend (InitWait)";
        case LinkState::wait_connected: return "waiting for the backend (Connected)";
        case LinkState::connected: return "connected";
        case LinkState::failed: return "failed";
    }
    return "?";
}

Status BlkfrontDevice::start(const Env& env, unsigned vdev, const BlkfrontOptions& options, PvBlockBus* bus) {
    if (state_ == LinkState::connected || pending()) return Error::make(Errc::busy, "%s is already connected", name_);
    xen_ = &env.xen;
    events_ = &env.events;
    grants_ = &env.grants;
    store_ = &env.store;
    heap_ = &env.heap;
    bus_ = bus;
    options_ = options;
    connect_timeout_ms_ = options.connect_timeout_ms;
    info_ = BlkfrontInfo{};
    info_.vdev = vdev;
    state_ = LinkState::closed;
    last_seen_ = "no state node";
    warmed_ = false;
    error_ = Error::make(Errc::io, "vbd %u: connecting", vdev);
    vdev_name(vdev, info_.vdev_name, sizeof info_.vdev_name);
    format_to(name_, sizeof name_, "vbd %u", vdev);
    format_to(frontend_, sizeof frontend_, "device/vbd/%u", vdev);

    t_start_ = t_step_ = arch::counter();
    char path[160];
    format_to(path, sizeof path, "%s/backend", frontend_);
    TRY_CTX(store_->read(path, info_.backend, sizeof info_.backend), "%s", name_);
    format_to(path, sizeof path, "%s/backend-id", frontend_);
    std::uint64_t backend_id = TRY_CTX(store_->read_u64(path), "%s", name_);
    if (backend_id >= xen::kDomidSelf) {
        return Error::make(Errc::bad_data, "%s: backend-id %lu is not a domain", name_, backend_id);
    }
    info_.backend_id = static_cast<unsigned>(backend_id);

    // blkback announces InitWait once its hotplug script has run; until
    // then its feature nodes (ring order, indirect segments) are not there
    // to size the ring by, so publishing waits for it. Even when it is there
    // already, the first step() publishes, not start(): setting up and
    // publishing a ring costs ~30 ms of XenStore round trips per disk under
    // the lab's QEMU, which board init would otherwise spend before the
    // prompt; the console's first idle poll, right after the prompt, does it.
    state_ = LinkState::wait_init_wait;
    step_deadline_ = Deadline::after_ms(options.connect_timeout_ms);
    return ok();
}

void BlkfrontDevice::fail(const Error& e) {
    error_ = e;
    state_ = LinkState::failed;
    info_.ms_total = arch::ticks_to_ms(arch::counter() - t_start_);
}

Status BlkfrontDevice::publish_ring() {
    // From here on the handshake takes resources: the queue (ring, grants,
    // event channel), then the nodes it publishes and the state blkback acts
    // on (it maps the ring once it sees Initialised). Any failure gives all
    // of them back as disconnect() does, so nothing of a failed handshake
    // outlives it (a ring and ~1,100 grants left here would survive into Linux).
    bool published = false;
    ScopeGuard undo([&] { (void)release(published); });
    BlkfrontOptions options = options_;
    if (options.pool_at_most_half_free) {
        std::uint64_t affordable = heap_->stats().largest_free / 2 / 4096;
        if (options.persistent_pages > affordable) options.persistent_pages = static_cast<unsigned>(affordable) & ~63u;
    }
    std::uint64_t t1 = arch::counter();
    Status negotiated = negotiate(options, published);
    info_.ms_negotiate = arch::ticks_to_ms(arch::counter() - t1);
    TRY(negotiated);
    undo.cancel();
    return ok();
}

Status BlkfrontDevice::finish_connect() {
    ScopeGuard undo([&] { (void)release(true); });
    char path[160];
    format_to(path, sizeof path, "%s/feature-persistent", info_.backend);
    info_.backend_persistent = store_->read_u64(path).value_or(0) != 0;
    if (!info_.backend_persistent && queue_.persistent_pages() != 0) {
        TRY_CTX(queue_.drop_persistent(), "%s: giving back the unused persistent pool", name_);
    }
    info_.persistent_pages = queue_.persistent_pages();

    format_to(path, sizeof path, "%s/sectors", info_.backend);
    info_.sectors = TRY_CTX(store_->read_u64(path), "%s", name_);
    format_to(path, sizeof path, "%s/sector-size", info_.backend);
    std::uint64_t sector_size = store_->read_u64(path).value_or(512);
    if (sector_size < 512 || sector_size > 65536 || (sector_size & (sector_size - 1)) != 0) {
        return Error::make(Errc::bad_data, "%s: backend sector-size %lu is not a power of two in 512..65536", name_,
                           sector_size);
    }
    info_.sector_size = static_cast<std::uint32_t>(sector_size);
    format_to(path, sizeof path, "%s/info", info_.backend);
    info_.read_only = (store_->read_u64(path).value_or(0) & kVdiskReadonly) != 0;
    TRY_CTX(xen::switch_state(*store_, frontend_, XenbusState::connected), "%s", name_);
    undo.cancel();
    return ok();
}

bool BlkfrontDevice::step() {
    if (!pending()) return false;
    const XenbusState wanted = state_ == LinkState::wait_init_wait ? XenbusState::init_wait : XenbusState::connected;
    Result<XenbusState> seen = xen::read_state(*store_, info_.backend);
    if (seen.ok()) {
        last_seen_ = xen::xenbus_state_name(seen.value());
    } else if (seen.error().code() == Errc::not_found) {
        last_seen_ = "no state node";  // the backend has not written it (yet)
    } else if (seen.error().code() == Errc::bad_data) {
        last_seen_ = "an invalid value";
    } else {
        // XenStore itself failed: the handshake cannot go on. What was
        // published is taken back (the backend may have seen it).
        if (state_ == LinkState::wait_connected) (void)release(true);
        fail(seen.error().prefix("%s: reading backend state", name_));
        return true;
    }
    auto ms_since = [](std::uint64_t t) { return arch::ticks_to_ms(arch::counter() - t); };
    if (seen.ok() && seen.value() == wanted) {
        if (state_ == LinkState::wait_init_wait) {
            info_.ms_init_wait = ms_since(t_start_);
            Status published = publish_ring();
            if (!published.ok()) {
                fail(published.error());
                return true;
            }
            state_ = LinkState::wait_connected;
            t_step_ = arch::counter();
            step_deadline_ = Deadline::after_ms(connect_timeout_ms_);
            return true;
        }
        info_.ms_connected = ms_since(t_step_);
        Status finished = finish_connect();
        if (!finished.ok()) {
            fail(finished.error());
            return true;
        }
        state_ = LinkState::connected;
        info_.ms_total = ms_since(t_start_);
        return true;
    }
    if (!step_deadline_.expired()) return false;
    // The message xen::wait_backend_state gives for the same wait.
    Error e = Error::make(Errc::timeout, "%s: backend %s did not reach %s within %lu ms (last seen: %s)", name_,
                          info_.backend, xen::xenbus_state_name(wanted), step_deadline_.budget_ms(), last_seen_);
    if (state_ == LinkState::wait_connected) {
        info_.ms_connected = ms_since(t_step_);
        (void)release(true);
    }
    fail(e);
    return true;
}

Status BlkfrontDevice::settle() {
    while (pending()) {
        if (bus_ != nullptr) bus_->step_all();
        else step();
        if (!pending()) break;
        // Sleep until the backend's state changes (a watch) or a short slice
        // passes, so the other disks' steps are taken too.
        const XenbusState wanted[] = {state_ == LinkState::wait_init_wait ? XenbusState::init_wait
                                                                          : XenbusState::connected};
        (void)xen::wait_backend_state(*store_, info_.backend, wanted, 1, Deadline::after_ms(kSettleSliceMs), name_);
    }
    if (state_ == LinkState::failed) return error_;
    if (state_ != LinkState::connected)
        return Error::make(Errc::io, "%s: not connected; `pvblock reconnect` connects it again", name_);
    return ok();
}

Status BlkfrontDevice::connect(const Env& env, unsigned vdev, const BlkfrontOptions& options) {
    TRY(start(env, vdev, options, bus_));
    return settle();
}

Status BlkfrontDevice::disconnect() {
    // Not connected: a failed connect or an earlier disconnect (a refused
    // hand-off) has already given everything back. Still waiting for
    // InitWait: nothing was published or taken.
    xen::CloseDevice d;
    if (!close_part(d)) return ok();
    return release(true);
}

Status BlkfrontDevice::warm() {
    if (!needs_warming()) return ok();
    Result<bool> done = queue_.warm_pool(info_.sectors, kWarmRequestsPerStep);
    // A failed warm-up is not retried: the first read maps what it did not,
    // and an error of the ring shows on that read.
    warmed_ = !done.ok() || done.value();
    if (!done.ok()) return done.error();
    return ok();
}

std::uint32_t BlkfrontDevice::block_size() const {
    settle_quietly();
    return info_.sector_size;
}

std::uint64_t BlkfrontDevice::block_count() const {
    settle_quietly();
    return state_ == LinkState::connected ? info_.sectors / (info_.sector_size / 512) : 0;
}

bool BlkfrontDevice::read_only() const {
    settle_quietly();
    return info_.read_only;
}

bool BlkfrontDevice::close_part(xen::CloseDevice& out) {
    const bool published = state_ == LinkState::connected || state_ == LinkState::wait_connected;
    out.frontend = frontend_;
    out.backend = info_.backend;
    out.name = name_;
    out.step_timeout_ms = connect_timeout_ms_;
    out.initialising_ends = true;
    out.remove_path = &published_path;
    out.remove_context = this;
    out.remove_count = kPublishedFixed + queue_.ring_pages();
    // After the Closed write: blkback answers Closing with a mere state
    // write, and Closed only after xen_blkif_disconnect has unmapped the
    // ring and the persistent grants (xen-blkback/xenbus.c frontend_changed).
    out.remove_after = 1;
    if (store_ == nullptr || !published) {
        if (pending()) state_ = LinkState::closed;
        return false;
    }
    return true;
}

Status BlkfrontDevice::finish_close(const xen::CloseDevice& part) { return release_after(part, true); }

// Every node negotiate() may have written (RM of a missing node is not an
// error): the fixed ones, then ring-ref0.. for a multi-page ring.
constexpr const char* kPublishedNodes[] = {"ring-ref", "ring-page-order", "event-channel", "protocol",
                                           "feature-persistent"};
static_assert(sizeof kPublishedNodes / sizeof kPublishedNodes[0] == BlkfrontDevice::kPublishedFixed);

void BlkfrontDevice::published_path(void* self, std::size_t i, char (&out)[xen::XenStore::kMaxPath]) {
    const char* dir = static_cast<BlkfrontDevice*>(self)->frontend_;
    if (i < kPublishedFixed) format_to(out, sizeof out, "%s/%s", dir, kPublishedNodes[i]);
    else format_to(out, sizeof out, "%s/ring-ref%zu", dir, i - kPublishedFixed);
}

Status BlkfrontDevice::remove_published() {
    // Pipelined requests: one round trip through xenstored, not one per node.
    return store_->remove_each(kPublishedFixed + queue_.ring_pages(), &published_path, this);
}

Status BlkfrontDevice::release(bool published) {
    // The reset dance Linux's blkfront expects to find done (no 5 s waits):
    // Closing -> Closed -> Initialising, each answered by the backend (after
    // Closed blkback has unmapped the ring and every grant); the nodes are
    // removed during it (xen::close_together).
    xen::CloseDevice d;
    if (published) {
        (void)close_part(d);
        d.result = xen::close_together(*store_, std::span<xen::CloseDevice>(&d, 1));
    }
    return release_after(d, published);
}

Status BlkfrontDevice::release_after(const xen::CloseDevice& part, bool published) {
    // Backend first (it lets go of the ring), then what we published, then
    // the grants, the event channel and the memory. Each part runs even if an
    // earlier one failed: a grant blkback still maps is left granted and its
    // page leaked (BlkQueue::teardown), never freed. Nothing published, nothing
    // for the backend to let go of: the queue alone is given back.
    Status s = part.result;
    // What the dance did not remove (it stopped before Closed was written).
    Status removed = !published ? ok() : part.removals_sent ? part.remove_result : remove_published();
    Status torn = queue_.teardown();
    // A request still in flight may have granted the bounce buffer's pages
    // (they are then in the grant quarantine, with no owner to free them):
    // the buffer is leaked rather than handed out again while the backend
    // may write it.
    if (bounce_ != nullptr && !queue_.left_caller_pages_granted()) heap_->free(bounce_);
    bounce_ = nullptr;
    state_ = LinkState::closed;
    if (!s.ok()) return s;
    return removed.ok() ? torn : removed;
}

Status BlkfrontDevice::check_range(std::uint64_t block, std::uint64_t count) const {
    std::uint64_t total = block_count();
    if (block > total || count > total - block) {
        return Error::make(Errc::invalid_argument, "%s: blocks %lu+%lu are beyond its %lu blocks", name_, block, count,
                           total);
    }
    return ok();
}

Status BlkfrontDevice::explain_stall(Status s) {
    // A stalled ring is often a backend that went away: say so if XenStore knows.
    if (s.ok() || s.error().code() != Errc::timeout) return s;
    Result<XenbusState> state = xen::read_state(*store_, info_.backend);
    if (state.ok() && state.value() != XenbusState::connected) {
        s.error().prefix("backend is %s", xen::xenbus_state_name(state.value()));
    }
    return s;
}

Status BlkfrontDevice::transfer(bool write, std::uint64_t block, std::uint64_t count, void* buf, Progress* progress) {
    TRY(settle());  // the handshake's own error as it is (not a stalled ring)
    return explain_stall(transfer_blocks(write, block, count, buf, progress));
}

Status BlkfrontDevice::transfer_blocks(bool write, std::uint64_t block, std::uint64_t count, void* buf,
                                       Progress* progress) {
    TRY(settle());
    TRY(check_range(block, count));
    if (write && info_.read_only) return Error::make(Errc::unsupported, "%s: the disk is read-only", name_);
    const std::uint64_t ss = info_.sector_size;
    const std::uint64_t bytes = count * ss;
    const std::uint64_t sector = block * (ss / 512);
    auto* p = static_cast<std::uint8_t*>(buf);
    if (reinterpret_cast<std::uintptr_t>(p) % ss == 0) return queue_.transfer(write, sector, p, bytes, progress);

    // Misaligned buffer: bounce through an aligned one, 1 MiB at a time.
    if (bounce_ == nullptr) {
        bounce_ = static_cast<std::uint8_t*>(heap_->alloc(kBounceBytes, 4096));
        if (bounce_ == nullptr) return Error::make(Errc::no_memory, "%s: no memory for a bounce buffer", name_);
    }
    for (std::uint64_t done = 0; done < bytes;) {
        std::uint64_t n = bytes - done < kBounceBytes ? bytes - done : kBounceBytes;
        if (write) std::memcpy(bounce_, p + done, n);
        TRY(queue_.transfer(write, sector + done / 512, bounce_, n, nullptr));
        if (!write) std::memcpy(p + done, bounce_, n);
        done += n;
        if (progress != nullptr && !progress->update(done, bytes) && done < bytes) {
            return Error::make(Errc::interrupted, "%s: interrupted after %lu of %lu bytes", name_, done, bytes);
        }
    }
    return ok();
}

Status BlkfrontDevice::read(std::uint64_t block, std::uint64_t count, void* buf) {
    return transfer(false, block, count, buf, nullptr);
}

Status BlkfrontDevice::write(std::uint64_t block, std::uint64_t count, const void* buf) {
    return transfer(true, block, count, const_cast<void*>(buf), nullptr);
}

}  // namespace xb::pvblock
