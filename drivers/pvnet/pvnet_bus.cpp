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
    std::size_t n = 0;
    for (unsigned i = 0; i < count_; ++i) {
        closing_[i] = false;
        if (n == out.size()) continue;  // no room: end_close() closes it on its own
        xen::CloseDevice part;
        if (!vifs_[i].close_part(part)) continue;
        out[n++] = part;
        closing_[i] = true;
    }
    return n;
}

Status PvNetBus::end_close(std::span<const xen::CloseDevice> parts) {
    Status first = ok();
    std::size_t k = 0;
    for (unsigned i = 0; i < count_; ++i) {
        Status s = closing_[i] && k < parts.size() ? vifs_[i].finish_close(parts[k++].result) : vifs_[i].close();
        closing_[i] = false;
        if (!s.ok() && first.ok()) first = s;
    }
    return first;
}

Status PvNetBus::close_all(xen::CloseStats* stats) {
    if (store_ == nullptr) return ok();  // never probed
    xen::CloseDevice parts[kMaxVifs];
    const std::size_t n = begin_close(parts);
    (void)xen::close_together(*store_, std::span<xen::CloseDevice>(parts, n), stats);
    return end_close(std::span<const xen::CloseDevice>(parts, n));
}

}  // namespace xb::pvnet
