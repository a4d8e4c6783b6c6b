// XenBus state helpers (public/io/xenbus.h) over XenStore.
#include "drivers/xen/xenbus.h"

#include <cstring>

#include "drivers/xen/hypercall.h"
#include "lib/format.h"
#include "lib/scope_guard.h"

namespace xb::xen {
namespace {

// With a watch, the state is re-read this often only to survive a lost event
// (a full event queue); without one it is the polling period. A wait ends at
// most one period after its deadline.
constexpr std::uint64_t kRecheckMs = 100;
constexpr std::uint64_t kPollMs = 10;
constexpr unsigned kMaxWanted = 4;

// Watch tokens must be unique per wait, so a late event from an earlier wait
// can never be taken for one of this wait's.
std::uint32_t g_next_token = 0;

Status state_path(const char* dir, char (&path)[XenStore::kMaxPath]) {
    if (dir == nullptr || dir[0] == '\0') return Error::make(Errc::invalid_argument, "xenbus: empty device directory");
    if (format_to(path, sizeof path, "%s/state", dir) >= sizeof path) {
        return Error::make(Errc::invalid_argument, "xenbus: %s/state is longer than %zu bytes", dir, sizeof path - 1);
    }
    return ok();
}

bool is_wanted(XenbusState state, const XenbusState* wanted, unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
        if (wanted[i] == state) return true;
    }
    return false;
}

// "Connected", "Connected or Closed", "InitWait, Connected or Closed".
void describe_wanted(char* out, std::size_t size, const XenbusState* wanted, unsigned count) {
    std::size_t at = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < count && at < size; ++i) {
        const char* sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
        at += format_to(out + at, size - at, "%s%s", sep, xenbus_state_name(wanted[i]));
    }
}

}  // namespace

const char* xenbus_state_name(XenbusState state) {
    static constexpr const char* kNames[] = {"Unknown", "Initialising", "InitWait",      "Initialised", "Connected",
                                             "Closing", "Closed",       "Reconfiguring", "Reconfigured"};
    auto index = static_cast<unsigned>(state);
    return index < sizeof kNames / sizeof kNames[0] ? kNames[index] : "invalid";
}

Result<XenbusState> read_state(XenStore& store, const char* dir) {
    char path[XenStore::kMaxPath];
    TRY(state_path(dir, path));
    std::uint64_t value = TRY(store.read_u64(path));
    if (value > static_cast<std::uint64_t>(XenbusState::reconfigured)) {
        return Error::make(Errc::bad_data, "xenbus: %s is %lu, not a XenbusState", path, value);
    }
    return static_cast<XenbusState>(value);
}

Status switch_state(XenStore& store, const char* dir, XenbusState state) {
    char path[XenStore::kMaxPath];
    TRY(state_path(dir, path));
    // As Linux's xenbus_switch_state does, in a transaction: no write (and so
    // no watch firing at the other end) when the state is already that, and
    // no re-creating a state node someone removed (the device is going away).
    Status switched = store.transact([&](Tx tx) -> Status {
        Result<std::uint64_t> current = store.read_u64(path, tx);
        if (!current.ok() && current.error().code() != Errc::bad_data) return current.error();
        if (current.ok() && current.value() == static_cast<std::uint64_t>(state)) return ok();
        return store.writef(tx, path, "%d", static_cast<int>(state));
    });
    TRY_CTX(switched, "xenbus: switching %s to %s", dir, xenbus_state_name(state));
    return ok();
}

Result<XenbusState> wait_backend_state(XenStore& store, const char* backend_dir, const XenbusState* wanted,
                                       unsigned wanted_count, Deadline until, const char* device) {
    if (device == nullptr) device = "device";
    if (wanted == nullptr || wanted_count == 0 || wanted_count > kMaxWanted) {
        return Error::make(Errc::invalid_argument, "%s: can wait for 1 to %u backend states, not %u", device,
                           kMaxWanted, wanted_count);
    }
    char path[XenStore::kMaxPath];
    TRY_CTX(state_path(backend_dir, path), "%s", device);
    char token[XenStore::kMaxToken];
    format_to(token, sizeof token, "xenboot-state-%u", ++g_next_token);
    // The watch wakes us on every change of the node (and once at once); if it
    // cannot be set, bounded polling still gets there.
    bool watching = store.watch(path, token).ok();
    // Every way out drops the watch (a leaked one would take a slot and
    // collect events for good).
    ScopeGuard unwatch([&] {
        if (watching) (void)store.unwatch(path, token);
    });
    const std::uint64_t slice_ms = until.budget_ms() < kRecheckMs ? until.budget_ms() : kRecheckMs;
    const char* last_seen = "no state node";
    while (true) {
        Result<XenbusState> state = read_state(store, backend_dir);
        if (state.ok()) {
            last_seen = xenbus_state_name(state.value());
            if (is_wanted(state.value(), wanted, wanted_count)) return state.value();
        } else if (state.error().code() == Errc::not_found) {
            last_seen = "no state node";  // the backend has not written it (yet)
        } else if (state.error().code() == Errc::bad_data) {
            last_seen = "an invalid value";
        } else {
            Error e = state.error();
            e.prefix("%s: reading backend state", device);
            return e;
        }
        if (until.expired()) {
            char names[80];
            describe_wanted(names, sizeof names, wanted, wanted_count);
            return Error::make(Errc::timeout, "%s: backend %s did not reach %s within %lu ms (last seen: %s)", device,
                               backend_dir, names, until.budget_ms(), last_seen);
        }
        if (watching) {
            Status fired = store.wait_watch(token, Deadline::after_ms(slice_ms), nullptr, 0);
            if (!fired.ok() && fired.error().code() != Errc::timeout) {
                // The watch broke (xenstored misbehaved): poll from here on.
                (void)store.unwatch(path, token);
                watching = false;
            }
        } else {
            Deadline pause = Deadline::after_ms(kPollMs);
            while (!pause.expired() && !until.expired()) (void)sched_yield(store.xen());
        }
    }
}

std::size_t numeric_device_ids(const char* names, std::size_t count, unsigned long max_id, std::span<unsigned> ids,
                               Console* log, const char* ignored) {
    std::size_t found = 0;
    const char* p = names;
    for (std::size_t i = 0; i < count; ++i, p += std::strlen(p) + 1) {
        unsigned long id = 0;
        bool numeric = *p != '\0';
        for (const char* c = p; *c != '\0'; ++c) {
            if (*c < '0' || *c > '9' || id > max_id) {
                numeric = false;
                break;
            }
            id = id * 10 + static_cast<unsigned long>(*c - '0');
        }
        if (!numeric) {
            if (log != nullptr) log->printf(ignored, p);
            continue;
        }
        if (found == ids.size()) break;
        ids[found++] = static_cast<unsigned>(id);
    }
    for (std::size_t i = 1; i < found; ++i) {  // insertion sort: a handful of devices
        for (std::size_t j = i; j > 0 && ids[j] < ids[j - 1]; --j) {
            const unsigned t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    }
    return found;
}

}  // namespace xb::xen
