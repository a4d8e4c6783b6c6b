#include "drivers/pvnet/pvnet_bus.h"

#include <cstring>

namespace xb::pvnet {

Status PvNetBus::probe(const NetFront::Env& env, const NetfrontOptions& options, Console* log) {
    count_ = 0;
    char names[512];
    Result<std::size_t> n = env.store.directory("device/vif", names, sizeof names);
    if (!n.ok()) {
        if (n.error().code() == Errc::not_found) return ok();  // a guest without vifs
        return n.error().prefix("pvnet: listing device/vif");
    }
    // Numeric handles, sorted.
    unsigned ids[kMaxVifs * 2];
    const std::size_t found =
        xen::numeric_device_ids(names, n.value(), 0xffffUL, ids, log, "pvnet: ignoring device/vif/%s (not a handle)\n");
    for (unsigned i = 0; i < found; ++i) {
        if (count_ == kMaxVifs) {
            if (log != nullptr) log->printf("pvnet: more than %u vifs; ignoring vif %u and later\n", kMaxVifs, ids[i]);
            break;
        }
        Status s = vifs_[count_].init(env, ids[i], options);
        if (!s.ok()) {
            if (log != nullptr) log->printf("pvnet: %s\n", s.error().message());
            continue;
        }
        ++count_;
    }
    return ok();
}

Result<net::Link*> PvNetBus::open(unsigned i) {
    if (i >= count_) {
        return Error::make(Errc::not_found, "pvnet: no vif %u (the guest has %u network interface%s)", i, count_,
                           count_ == 1 ? "" : "s");
    }
    TRY(vifs_[i].open());
    return static_cast<net::Link*>(&vifs_[i]);
}

Status PvNetBus::close_all() {
    Status first = ok();
    for (unsigned i = 0; i < count_; ++i) {
        Status s = vifs_[i].close();
        if (!s.ok() && first.ok()) first = s;
    }
    return first;
}

}  // namespace xb::pvnet
