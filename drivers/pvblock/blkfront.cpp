#include "drivers/pvblock/blkfront.h"

#include <cstring>

#include "arch/arch.h"
#include "lib/format.h"
#include "lib/scope_guard.h"

namespace xb::pvblock {
namespace {
using xen::XenbusState;
constexpr std::uint64_t kBounceBytes = 1u << 20;
constexpr std::uint64_t kVdiskReadonly = 4;  // "info" bit (blkif.h VDISK_READONLY)
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

Status BlkfrontDevice::wait_backend(const XenbusState* wanted, unsigned count, std::uint64_t timeout_ms) {
    char what[32];
    format_to(what, sizeof what, "vbd %u", info_.vdev);
    TRY(xen::wait_backend_state(*store_, info_.backend, wanted, count, Deadline::after_ms(timeout_ms), what));
    return ok();
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

Status BlkfrontDevice::connect(const Env& env, unsigned vdev, const BlkfrontOptions& options) {
    if (connected_) return Error::make(Errc::busy, "%s is already connected", name_);
    xen_ = &env.xen;
    events_ = &env.events;
    grants_ = &env.grants;
    store_ = &env.store;
    heap_ = &env.heap;
    connect_timeout_ms_ = options.connect_timeout_ms;
    info_ = BlkfrontInfo{};
    info_.vdev = vdev;
    vdev_name(vdev, info_.vdev_name, sizeof info_.vdev_name);
    format_to(name_, sizeof name_, "vbd %u", vdev);
    format_to(frontend_, sizeof frontend_, "device/vbd/%u", vdev);

    const std::uint64_t t0 = arch::counter();
    auto ms_since = [](std::uint64_t t) { return arch::ticks_to_ms(arch::counter() - t); };
    char path[160];
    format_to(path, sizeof path, "%s/backend", frontend_);
    TRY_CTX(store_->read(path, info_.backend, sizeof info_.backend), "%s", name_);
    format_to(path, sizeof path, "%s/backend-id", frontend_);
    std::uint64_t backend_id = TRY_CTX(store_->read_u64(path), "%s", name_);
    if (backend_id >= xen::kDomidSelf) {
        return Error::make(Errc::bad_data, "%s: backend-id %lu is not a domain", name_, backend_id);
    }
    info_.backend_id = static_cast<unsigned>(backend_id);

    // blkback announces InitWait once its hotplug script has run.
    const XenbusState init_wait[] = {XenbusState::init_wait};
    TRY(wait_backend(init_wait, 1, options.connect_timeout_ms));
    info_.ms_init_wait = ms_since(t0);

    // From here on connect takes resources: the queue (ring, grants, event
    // channel), then the nodes it publishes and the state blkback acts on (it
    // maps the ring once it sees Initialised). Any failure gives all of them
    // back as disconnect() does, so nothing of a failed connect outlives it
    // (a ring and ~1,100 grants left here would survive into Linux).
    bool published = false;
    ScopeGuard undo([&] { (void)release(published); });
    std::uint64_t t1 = arch::counter();
    Status negotiated = negotiate(options, published);
    info_.ms_negotiate = ms_since(t1);
    TRY(negotiated);
    std::uint64_t t2 = arch::counter();
    const XenbusState connected_state[] = {XenbusState::connected};
    Status reached = wait_backend(connected_state, 1, options.connect_timeout_ms);
    info_.ms_connected = ms_since(t2);
    TRY(reached);

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
    connected_ = true;
    info_.ms_total = ms_since(t0);
    return ok();
}

Status BlkfrontDevice::disconnect() {
    // Not connected: a failed connect or an earlier disconnect (a refused
    // hand-off) has already given everything back.
    if (store_ == nullptr || !connected_) return ok();
    return release(true);
}

Status BlkfrontDevice::reset_backend() {
    // The reset dance Linux's blkfront expects to find done (no 5 s waits):
    // Closing -> Closed -> Initialising, each answered by the backend. After
    // Closed blkback has unmapped the ring and every grant.
    const XenbusState closing[] = {XenbusState::closing, XenbusState::closed};
    const XenbusState closed[] = {XenbusState::closed};
    const XenbusState init_wait[] = {XenbusState::init_wait, XenbusState::initialising};
    TRY(xen::switch_state(*store_, frontend_, XenbusState::closing));
    TRY(wait_backend(closing, 2, connect_timeout_ms_));
    TRY(xen::switch_state(*store_, frontend_, XenbusState::closed));
    TRY(wait_backend(closed, 1, connect_timeout_ms_));
    TRY(xen::switch_state(*store_, frontend_, XenbusState::initialising));
    TRY(wait_backend(init_wait, 2, connect_timeout_ms_));
    return ok();
}

Status BlkfrontDevice::remove_published() {
    // A XenStore that fails one removal will likely fail the rest, each after
    // its timeout: stop at the first (RM of a missing node is not an error).
    char path[160];
    for (const char* node : {"ring-ref", "ring-page-order", "event-channel", "protocol", "feature-persistent"}) {
        format_to(path, sizeof path, "%s/%s", frontend_, node);
        TRY(store_->remove(path));
    }
    for (unsigned i = 0; i < queue_.ring_pages(); ++i) {
        format_to(path, sizeof path, "%s/ring-ref%u", frontend_, i);
        TRY(store_->remove(path));
    }
    return ok();
}

Status BlkfrontDevice::release(bool published) {
    // Backend first (it lets go of the ring), then what we published, then
    // the grants, the event channel and the memory. Each part runs even if an
    // earlier one failed: a grant blkback still maps is left granted and its
    // page leaked (BlkQueue::teardown), never freed. Nothing published, nothing
    // for the backend to let go of: the queue alone is given back.
    Status s = published ? reset_backend() : ok();
    Status removed = published ? remove_published() : ok();
    Status torn = queue_.teardown();
    // A request still in flight may have granted the bounce buffer's pages
    // (they are then in the grant quarantine, with no owner to free them):
    // the buffer is leaked rather than handed out again while the backend
    // may write it.
    if (bounce_ != nullptr && !queue_.left_caller_pages_granted()) heap_->free(bounce_);
    bounce_ = nullptr;
    connected_ = false;
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
    return explain_stall(transfer_blocks(write, block, count, buf, progress));
}

Status BlkfrontDevice::transfer_blocks(bool write, std::uint64_t block, std::uint64_t count, void* buf,
                                       Progress* progress) {
    if (!connected_) return Error::make(Errc::io, "%s: not connected; `pvblock reconnect` connects it again", name_);
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
