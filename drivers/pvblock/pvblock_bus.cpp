#include "drivers/pvblock/pvblock_bus.h"

#include <cstring>
#include <new>

#include "lib/format.h"

namespace xb::pvblock {

Status PvBlockBus::probe(const BlkfrontDevice::Env& env, const BlkfrontOptions& options, Console* log) {
    env_ = &env;
    char names[1024];
    Result<std::size_t> n = env.store.directory("device/vbd", names, sizeof names);
    if (!n.ok()) {
        if (n.error().code() == Errc::not_found) return ok();  // a guest without disks
        return n.error().prefix("pvblock: listing device/vbd");
    }
    // The numeric ids, sorted.
    unsigned ids[kMaxDisks * 2];
    const std::size_t found = xen::numeric_device_ids(names, n.value(), 0xfffffffUL, ids, log,
                                                      "pvblock: ignoring device/vbd/%s (not a device number)\n");
    count_ = 0;
    for (unsigned i = 0; i < found; ++i) {
        if (count_ == kMaxDisks) {
            if (log != nullptr)
                log->printf("pvblock: more than %u disks; ignoring vbd %u and later\n", kMaxDisks, ids[i]);
            break;
        }
        // The persistent pool comes from the heap, shared by every disk: each
        // takes at most half of what is left when it allocates its pool.
        BlkfrontOptions per_disk = options;
        per_disk.pool_at_most_half_free = true;
        Status s = disks_[count_].start(env, ids[i], per_disk, this);
        if (!s.ok()) {
            if (log != nullptr) log->printf("pvblock: vbd %u: %s\n", ids[i], s.error().message());
            continue;
        }
        ++count_;
    }
    return ok();
}

void PvBlockBus::step_all() {
    for (unsigned i = 0; i < count_; ++i) disks_[i].step();
}

bool PvBlockBus::poll() {
    bool left = false;
    bool moved = false;
    for (unsigned i = 0; i < count_; ++i) {
        if (!moved && disks_[i].step()) moved = true;
        if (disks_[i].pending()) left = true;
    }
    if (moved) return true;
    for (unsigned i = 0; i < count_; ++i) {
        if (!disks_[i].needs_warming()) continue;
        (void)disks_[i].warm();  // a failure costs only speed (see warm())
        return true;
    }
    return left;
}

void PvBlockBus::settle_all() {
    for (unsigned i = 0; i < count_; ++i) (void)disks_[i].settle();
}

Status PvBlockBus::reconnect_all(const BlkfrontOptions& options, Console* log) {
    if (env_ == nullptr) return Error::make(Errc::invalid_argument, "pvblock: not probed");
    Status first = ok();
    for (unsigned i = 0; i < count_; ++i) {
        unsigned vdev = disks_[i].info().vdev;
        // A disk whose close went wrong (a backend holding a page, a failed
        // transfer's requests) is still given back: what the backend holds
        // stays in the grant quarantine, and the new ring gets new memory.
        Status closed = disks_[i].disconnect();
        if (!closed.ok() && log != nullptr)
            log->printf("pvblock: vbd %u: closing: %s\n", vdev, closed.error().message());
        // Grants that a backend held on to earlier (a failed transfer, a
        // refused hand-off) may have been let go by now: their pages go
        // back to the heap before the new ring takes memory.
        env_->grants.quarantine().retry(env_->grants);
        Status s = disks_[i].connect(*env_, vdev, options);
        if (!s.ok()) {
            if (log != nullptr) log->printf("pvblock: vbd %u: %s\n", vdev, s.error().message());
            if (first.ok()) first = s;
        }
    }
    return first;
}

std::size_t PvBlockBus::begin_close(std::span<xen::CloseDevice> out) {
    return xen::begin_close_parts(std::span(disks_, count_), std::span(closing_, count_), out);
}

Status PvBlockBus::end_close(std::span<const xen::CloseDevice> parts) {
    // A disk that found no room in begin_close() runs its own dance.
    return xen::end_close_parts(std::span(disks_, count_), std::span(closing_, count_), parts,
                                &BlkfrontDevice::disconnect);
}

Status PvBlockBus::disconnect_all(xen::CloseStats* stats) {
    if (env_ == nullptr) return ok();  // never probed: nothing connected
    // On the heap, not on this frame: 16 parts with their results are about
    // 7 KB, and a disconnect can be the end of the deepest chain of calls
    // (scripts/check-stack.py).
    struct HeapParts {
        xen::CloseDevice* p;
        ~HeapParts() { delete[] p; }
    } parts{new (std::nothrow) xen::CloseDevice[kMaxDisks]};
    if (parts.p == nullptr) return Error::make(Errc::no_memory, "no memory to close the PV disks");
    const std::size_t n = begin_close(std::span<xen::CloseDevice>(parts.p, kMaxDisks));
    (void)xen::close_together(env_->store, std::span<xen::CloseDevice>(parts.p, n), stats);
    return end_close(std::span<const xen::CloseDevice>(parts.p, n));
}

}  // namespace xb::pvblock
