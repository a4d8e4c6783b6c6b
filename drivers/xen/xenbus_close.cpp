// Several frontends' XenBus reset dance at once (see xenbus_close.h).
#include "drivers/xen/xenbus_close.h"

#include <cstring>

#include "lib/clock.h"
#include "lib/format.h"

namespace xb::xen {
namespace {

// What we write at each step, and what answers it (public/io/xenbus.h; a
// backend may skip Closing). Linux's blkback goes Initialising -> InitWait
// only when its hotplug state allows, so blkfront's last step accepts both.
constexpr XenbusState kWrite[3] = {XenbusState::closing, XenbusState::closed, XenbusState::initialising};

// A device is looked at again when its watch fires and right after its own
// state write. Every device is looked at again when an event was lost (the
// client's queue was full) and in any case this often: under a loaded dom0
// each XenStore request costs ~0.2 s in the lab, so no needless reads. One
// without a watch (no slot left) is polled at kPollMs. The sleep never
// outlasts the nearest step deadline, so a step fails right at its deadline.
constexpr std::uint64_t kRecheckMs = 1000;
constexpr std::uint64_t kPollMs = 10;
// Devices run together at most; more are closed in groups of this many.
constexpr std::size_t kGroup = 32;

std::uint32_t g_next_close = 0;  // watch tokens unique per call, as in xenbus.cpp

struct Run {
    Deadline deadline = Deadline::never();
    std::uint64_t t_step = 0;  // clock at our write of the current step
    const char* last_seen = "no state node";
    bool seen_valid = false;  // `seen` holds the backend's state as last read
    XenbusState seen = XenbusState::unknown;
    bool active = true;
    bool watching = false;
    bool dirty = false;  // look at the backend's state in the next round
    bool write_due = true;
};

std::uint64_t us_since(std::uint64_t t) {
    const std::uint64_t hz = clock_hz();
    return hz == 0 ? 0 : (clock_ticks() - t) * 1000000 / hz;
}

bool answers(const CloseDevice& d, unsigned step, XenbusState s) {
    switch (step) {
        case 0: return s == XenbusState::closing || s == XenbusState::closed;
        case 1: return s == XenbusState::closed;
        default: return s == XenbusState::init_wait || (d.initialising_ends && s == XenbusState::initialising);
    }
}

const char* wanted_name(const CloseDevice& d, unsigned step) {
    switch (step) {
        case 0: return "Closing or Closed";
        case 1: return "Closed";
        default: return d.initialising_ends ? "InitWait or Initialising" : "InitWait";
    }
}

class Group {
  public:
    Group(XenStore& store, std::span<CloseDevice> devices, CloseStats* stats)
        : store_(store), devs_(devices), stats_(stats) {}
    Status run();

  private:
    void fail(std::size_t i, Error e);
    void write_states();
    void remove_nodes();                            // of every device whose remove_after step has been written
    std::size_t batch_owner(std::size_t k) const {  // which of batch_ path k belongs to
        std::size_t j = 0;
        while (j + 1 < batch_size_ && first_[j + 1] <= k) ++j;
        return j;
    }
    bool look(std::size_t i);  // true if the device moved on
    void on_event(const char* token);
    Status state_path(std::size_t i, char (&path)[XenStore::kMaxPath]) const;
    void token(std::size_t i, char (&out)[XenStore::kMaxToken]) const {
        format_to(out, sizeof out, "%s%zu", prefix_, i);
    }

    XenStore& store_;
    std::span<CloseDevice> devs_;
    CloseStats* stats_;
    // Sleep until the nearest step deadline, at most `slice_ms`.
    std::uint64_t sleep_ms(std::uint64_t slice_ms) const;

    Run runs_[kGroup];
    char prefix_[32] = {};
    // remove_nodes(): the devices in the batch, and where each one's paths
    // begin in the batch's numbering (first_[k] .. first_[k + 1]).
    std::size_t batch_[kGroup] = {};
    std::size_t first_[kGroup + 1] = {};
    std::size_t batch_size_ = 0;
};

void Group::fail(std::size_t i, Error e) {
    devs_[i].result = e;
    runs_[i].active = false;
}

Status Group::state_path(std::size_t i, char (&path)[XenStore::kMaxPath]) const {
    if (format_to(path, sizeof path, "%s/state", devs_[i].backend) >= sizeof path) {
        return Error::make(Errc::invalid_argument, "%s: %s/state is longer than %zu bytes", devs_[i].name,
                           devs_[i].backend, sizeof path - 1);
    }
    return ok();
}

void Group::on_event(const char* tok) {
    // "xenboot-close-<call>-<index>": the prefix matched, the index follows.
    std::size_t i = 0;
    for (const char* c = tok + std::strlen(prefix_); *c >= '0' && *c <= '9' && i <= kGroup; ++c)
        i = i * 10 + static_cast<std::size_t>(*c - '0');
    if (i < devs_.size()) runs_[i].dirty = true;
}

void Group::write_states() {
    // Every device whose next step is due gets its state in one transaction
    // (a commit fires all their backends' watches at once). As Linux's
    // xenbus_switch_state: no write when the state is already that, and no
    // re-creating a state node that was removed. On any failure each device
    // is switched on its own, so an error is the device's own.
    std::size_t due[kGroup];
    std::size_t n = 0;
    for (std::size_t i = 0; i < devs_.size(); ++i) {
        if (runs_[i].active && runs_[i].write_due) due[n++] = i;
    }
    if (n == 0) return;
    bool batched = false;
    if (n > 1) {
        Status s = store_.transact([&](Tx tx) -> Status {
            for (std::size_t k = 0; k < n; ++k) {
                const std::size_t i = due[k];
                const auto state = kWrite[devs_[i].steps_done];
                char path[XenStore::kMaxPath];
                if (format_to(path, sizeof path, "%s/state", devs_[i].frontend) >= sizeof path)
                    return Error::make(Errc::invalid_argument, "path too long");
                Result<std::uint64_t> current = store_.read_u64(path, tx);
                if (!current.ok()) return current.error();  // each on its own says which and why
                if (current.value() == static_cast<std::uint64_t>(state)) continue;
                TRY(store_.writef(tx, path, "%d", static_cast<int>(state)));
            }
            return ok();
        });
        batched = s.ok();
    }
    if (stats_ != nullptr) stats_->write_batches += batched ? 1 : static_cast<unsigned>(n);
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = due[k];
        Run& r = runs_[i];
        if (!batched) {
            Status s = switch_state(store_, devs_[i].frontend, kWrite[devs_[i].steps_done]);
            if (!s.ok()) {
                fail(i, s.error().prefix("%s", devs_[i].name));
                continue;
            }
        }
        r.write_due = false;
        // Read the backend's state again at once only if what we saw last
        // already answers this step (a backend that skipped Closing is
        // Closed already): otherwise the answer is a change, which the
        // watch reports, and a read now would only find the old state (one
        // XenStore round trip per step and device saved). Before the first
        // read, the event every watch fires when it is set brings one.
        r.dirty = !r.watching || (r.seen_valid && answers(devs_[i], devs_[i].steps_done, r.seen));
        r.t_step = clock_ticks();
        r.deadline = Deadline::after_ms(devs_[i].step_timeout_ms);
    }
}

void Group::remove_nodes() {
    // The devices whose remove_after write has gone out (and that still
    // have nodes to remove) share one pipelined removal: path k of the batch is
    // device batch_[j]'s path k - first_[j].
    batch_size_ = 0;
    std::size_t total = 0;
    for (std::size_t i = 0; i < devs_.size(); ++i) {
        const CloseDevice& d = devs_[i];
        const Run& r = runs_[i];
        const bool written = d.steps_done > d.remove_after || (d.steps_done == d.remove_after && !r.write_due);
        if (!r.active || !written || d.removals_sent || d.remove_count == 0 || d.remove_path == nullptr) continue;
        first_[batch_size_] = total;
        batch_[batch_size_++] = i;
        total += d.remove_count;
    }
    if (batch_size_ == 0) return;
    first_[batch_size_] = total;
    auto path = [](void* self, std::size_t k, char(&out)[XenStore::kMaxPath]) {
        auto& g = *static_cast<Group*>(self);
        const std::size_t j = g.batch_owner(k);
        const CloseDevice& d = g.devs_[g.batch_[j]];
        d.remove_path(d.remove_context, k - g.first_[j], out);
    };
    auto result = [](void* self, std::size_t k, const Status& s) {
        auto& g = *static_cast<Group*>(self);
        CloseDevice& d = g.devs_[g.batch_[g.batch_owner(k)]];
        if (s.ok() || !d.remove_result.ok()) return;
        Error e = s.error();
        d.remove_result = e.prefix("%s", d.name);
    };
    for (std::size_t j = 0; j < batch_size_; ++j) {
        devs_[batch_[j]].removals_sent = true;
        devs_[batch_[j]].remove_result = ok();
    }
    const std::uint64_t t = clock_ticks();
    (void)store_.remove_each(total, path, this, result);
    if (stats_ != nullptr) {
        stats_->us_removing += us_since(t);
        stats_->removals += total;
        ++stats_->remove_batches;
    }
}

bool Group::look(std::size_t i) {
    Run& r = runs_[i];
    CloseDevice& d = devs_[i];
    r.dirty = false;
    Result<XenbusState> state = read_state(store_, d.backend);
    r.seen_valid = state.ok();
    if (state.ok()) {
        r.seen = state.value();
        r.last_seen = xenbus_state_name(state.value());
        if (answers(d, d.steps_done, state.value())) {
            d.us_step[d.steps_done] = us_since(r.t_step);
            if (++d.steps_done == 3) r.active = false;
            else r.write_due = true;
            return true;
        }
    } else if (state.error().code() == Errc::not_found) {
        r.last_seen = "no state node";
    } else if (state.error().code() == Errc::bad_data) {
        r.last_seen = "an invalid value";
    } else {
        Error e = state.error();
        fail(i, e.prefix("%s: reading backend state", d.name));
        return true;
    }
    if (r.deadline.expired()) {
        fail(i, Error::make(Errc::timeout, "%s: backend %s did not reach %s within %lu ms (last seen: %s)", d.name,
                            d.backend, wanted_name(d, d.steps_done), r.deadline.budget_ms(), r.last_seen));
        return true;
    }
    return false;
}

std::uint64_t Group::sleep_ms(std::uint64_t slice_ms) const {
    const std::uint64_t now = clock_ticks(), hz = clock_hz();
    std::uint64_t ms = slice_ms;
    if (hz == 0) return ms;
    for (std::size_t i = 0; i < devs_.size(); ++i) {
        const Run& r = runs_[i];
        if (!r.active || r.deadline.is_never()) continue;
        const std::uint64_t left = r.deadline.at() > now ? (r.deadline.at() - now) * 1000 / hz + 1 : 1;
        if (left < ms) ms = left;
    }
    return ms;
}

Status Group::run() {
    format_to(prefix_, sizeof prefix_, "xenboot-close-%u-", ++g_next_close);
    for (std::size_t i = 0; i < devs_.size(); ++i) {
        devs_[i].result = ok();
        devs_[i].steps_done = 0;
        devs_[i].removals_sent = false;
        devs_[i].remove_result = ok();
        runs_[i] = Run{};
        char path[XenStore::kMaxPath];
        Status p = state_path(i, path);
        if (!p.ok()) {
            fail(i, p.error());
            continue;
        }
        // One watch per device for the whole dance (not one per step): it
        // fires once at once and on every change of the backend's state.
        char tok[XenStore::kMaxToken];
        token(i, tok);
        runs_[i].watching = store_.watch(path, tok).ok();
    }
    for (;;) {  // bounded: every device either moves on or runs into its step deadline
        write_states();
        remove_nodes();
        bool moved = false, active = false, polling = false;
        for (std::size_t i = 0; i < devs_.size(); ++i) {
            Run& r = runs_[i];
            if (!r.active) continue;
            if (r.dirty || !r.watching || r.deadline.expired()) moved |= look(i);
            if (!r.active) continue;
            active = true;
            polling |= !r.watching;
        }
        if (!active) break;
        if (moved) continue;
        // Sleep until a watch fires (its device is looked at again), or a
        // deadline or the recheck period comes (every device is).
        const std::uint64_t dropped = store_.dropped_events();
        Result<bool> fired = store_.take_watch_events(
            prefix_, Deadline::after_ms(sleep_ms(polling ? kPollMs : kRecheckMs)),
            [](void* self, const char* tok) { static_cast<Group*>(self)->on_event(tok); }, this);
        if (fired.ok() && fired.value() && store_.dropped_events() == dropped) continue;
        for (std::size_t i = 0; i < devs_.size(); ++i) runs_[i].dirty = true;
    }
    Status first = ok();
    for (std::size_t i = 0; i < devs_.size(); ++i) {
        if (runs_[i].watching) {
            char path[XenStore::kMaxPath];
            char tok[XenStore::kMaxToken];
            (void)state_path(i, path);
            token(i, tok);
            (void)store_.unwatch(path, tok);
        }
        if (!devs_[i].result.ok() && first.ok()) first = devs_[i].result;
    }
    return first;
}

}  // namespace

Status close_together(XenStore& store, std::span<CloseDevice> devices, CloseStats* stats) {
    const std::uint64_t t0 = clock_ticks();
    const std::uint64_t requests0 = store.requests();
    Status first = ok();
    for (std::size_t at = 0; at < devices.size(); at += kGroup) {
        const std::size_t n = devices.size() - at < kGroup ? devices.size() - at : kGroup;
        Group group(store, devices.subspan(at, n), stats);
        Status s = group.run();
        if (!s.ok() && first.ok()) first = s;
    }
    if (stats != nullptr) {
        stats->us_total = us_since(t0);
        stats->requests = store.requests() - requests0;
    }
    return first;
}

}  // namespace xb::xen
