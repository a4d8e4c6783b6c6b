#include "drivers/pvblock/pvblock_bus.h"

#include <cstring>

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
    // Collect the numeric ids and sort them (XenStore lists in any order).
    unsigned ids[kMaxDisks * 2];
    unsigned found = 0;
    const char* p = names;
    for (std::size_t i = 0; i < n.value(); ++i, p += strlen(p) + 1) {
        unsigned long id = 0;
        bool numeric = *p != '\0';
        for (const char* c = p; *c != '\0'; ++c) {
            if (*c < '0' || *c > '9' || id > 0xfffffffUL) {
                numeric = false;
                break;
            }
            id = id * 10 + static_cast<unsigned long>(*c - '0');
        }
        if (!numeric) {
            if (log != nullptr) log->printf("pvblock: ignoring device/vbd/%s (not a device number)\n", p);
            continue;
        }
        if (found == sizeof ids / sizeof ids[0]) break;
        ids[found++] = static_cast<unsigned>(id);
    }
    for (unsigned i = 1; i < found; ++i) {
        for (unsigned j = i; j > 0 && ids[j] < ids[j - 1]; --j) {
            unsigned t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    }
    count_ = 0;
    for (unsigned i = 0; i < found; ++i) {
        if (count_ == kMaxDisks) {
            if (log != nullptr)
                log->printf("pvblock: more than %u disks; ignoring vbd %u and later\n", kMaxDisks, ids[i]);
            break;
        }
        // The persistent pool comes from the heap, shared by every disk: give
        // each at most half of what is left, so later disks still get one.
        BlkfrontOptions per_disk = options;
        std::uint64_t affordable = env.heap.stats().largest_free / 2 / 4096;
        if (per_disk.persistent_pages > affordable)
            per_disk.persistent_pages = static_cast<unsigned>(affordable) & ~63u;
        Status s = disks_[count_].connect(env, ids[i], per_disk);
        if (!s.ok()) {
            if (log != nullptr) log->printf("pvblock: vbd %u: %s\n", ids[i], s.error().message());
            continue;
        }
        ++count_;
    }
    return ok();
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

Status PvBlockBus::disconnect_all() {
    Status first = ok();
    for (unsigned i = 0; i < count_; ++i) {
        Status s = disks_[i].disconnect();
        if (!s.ok() && first.ok()) first = s;
    }
    return first;
}

}  // namespace xb::pvblock
