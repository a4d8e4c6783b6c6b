#include "drivers/pvnet/pvnet_bus.h"

#include <cstring>

namespace xb::pvnet {

Status PvNetBus::probe(const NetFront::Env& env, const NetfrontOptions& options, Console* log) {
    count_ = 0;
    store_ = &env.store;
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

std::size_t PvNetBus::begin_close(std::span<xen::CloseDevice> out) {
    return xen::begin_close_parts(std::span(vifs_, count_), std::span(closing_, count_), out);
}

Status PvNetBus::end_close(std::span<const xen::CloseDevice> parts) {
    // A vif that found no room in begin_close() runs its own dance.
    return xen::end_close_parts(std::span(vifs_, count_), std::span(closing_, count_), parts, &NetFront::close);
}

Status PvNetBus::close_all(xen::CloseStats* stats) {
    if (store_ == nullptr) return ok();  // never probed
    xen::CloseDevice parts[kMaxVifs];
    const std::size_t n = begin_close(parts);
    (void)xen::close_together(*store_, std::span<xen::CloseDevice>(parts, n), stats);
    return end_close(std::span<const xen::CloseDevice>(parts, n));
}

}  // namespace xb::pvnet
