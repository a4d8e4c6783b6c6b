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
    // Numeric handles, sorted (XenStore lists in any order).
    unsigned ids[kMaxVifs * 2];
    unsigned found = 0;
    const char* p = names;
    for (std::size_t i = 0; i < n.value(); ++i, p += std::strlen(p) + 1) {
        unsigned long id = 0;
        bool numeric = *p != '\0';
        for (const char* c = p; *c != '\0'; ++c) {
            if (*c < '0' || *c > '9' || id > 0xffffUL) {
                numeric = false;
                break;
            }
            id = id * 10 + static_cast<unsigned long>(*c - '0');
        }
        if (!numeric) {
            if (log != nullptr) log->printf("pvnet: ignoring device/vif/%s (not a handle)\n", p);
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
