#include "drivers/pvconsole/pv_console.h"

#include "arch/arch.h"
#include "drivers/xen/shared_memory.h"
#include "drivers/xen/wait.h"

namespace xb::pvconsole {

using xen::load_shared;
using xen::store_shared;

namespace {
constexpr std::uint32_t kOutSize = sizeof(xen::ConsoleInterface::out);
constexpr std::uint32_t kInSize = sizeof(xen::ConsoleInterface::in);
static_assert((kOutSize & (kOutSize - 1)) == 0 && (kInSize & (kInSize - 1)) == 0, "ring sizes are powers of two");
}  // namespace

PvConsole::PvConsole(xen::EventChannels& events, xen::ConsoleInterface* ring, EvtchnPort port, Config config)
    : events_(events), ring_(ring), port_(port), config_(config) {}

bool PvConsole::wait_for_space() {
    // The ring is full: make sure the backend knows there is work, then give
    // it a bounded time to drain. A dead backend must not hang the firmware.
    (void)events_.notify(port_);
    if (backend_stalled_) return false;
    std::uint32_t prod = load_shared(ring_->out_prod);
    Status waited = xen::wait_until(
        events_.xen(), Deadline::after_ms(config_.stall_timeout_ms),
        [&] { return prod - load_shared(ring_->out_cons) < kOutSize; }, "console output space");
    if (!waited.ok()) backend_stalled_ = true;
    return waited.ok();
}

void PvConsole::write(std::string_view text) {
    // Terminals expect CR LF; commands and messages use plain '\n'.
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        if (nl == std::string_view::npos) {
            write_raw(text);
            break;
        }
        write_raw(text.substr(0, nl));
        write_raw("\r\n");
        text.remove_prefix(nl + 1);
    }
    // One notification per write() call: callers batch by line or buffer.
    (void)events_.notify(port_);
}

void PvConsole::write_raw(std::string_view text) {
    std::size_t done = 0;
    while (done < text.size()) {
        std::uint32_t cons = load_shared(ring_->out_cons);
        std::uint32_t prod = load_shared(ring_->out_prod);
        std::uint32_t used = prod - cons;
        if (used > kOutSize) {
            // The backend published an impossible index: resynchronise rather
            // than write outside the ring.
            ++bad_indices_;
            used = kOutSize;
        }
        if (used == kOutSize) {
            if (!wait_for_space()) {
                dropped_ += text.size() - done;
                return;
            }
            continue;
        }
        backend_stalled_ = false;  // it moved (or never stopped)
        std::uint32_t room = kOutSize - used;
        std::size_t n = text.size() - done < room ? text.size() - done : room;
        for (std::size_t i = 0; i < n; ++i) ring_->out[(prod + i) & (kOutSize - 1)] = text[done + i];
        // The bytes must be visible before the index that publishes them (ring.h).
        arch::barrier_stores();
        store_shared(ring_->out_prod, prod + static_cast<std::uint32_t>(n));
        done += n;
    }
}

void PvConsole::pull_input() {
    if (pending_len_ != 0) return;
    std::uint32_t cons = load_shared(ring_->in_cons);
    std::uint32_t prod = load_shared(ring_->in_prod);
    // Read the index before the bytes it covers.
    arch::barrier_loads();
    std::uint32_t avail = prod - cons;
    if (avail == 0) return;
    if (avail > kInSize) {
        // Corrupt producer index: drop everything rather than read garbage.
        ++bad_indices_;
        arch::barrier_full();
        store_shared(ring_->in_cons, prod);
        return;
    }
    for (std::uint32_t i = 0; i < avail; ++i) pending_[i] = ring_->in[(cons + i) & (kInSize - 1)];
    pending_head_ = 0;
    pending_len_ = avail;
    // Finish reading the bytes before handing their slots back (ring.h).
    arch::barrier_full();
    store_shared(ring_->in_cons, prod);
    (void)events_.notify(port_);
}

int PvConsole::read_char() {
    pull_input();
    if (pending_len_ == 0) return -1;
    --pending_len_;
    return static_cast<unsigned char>(pending_[pending_head_++]);
}

bool PvConsole::input_ready() {
    pull_input();
    return pending_len_ != 0;
}

Status PvConsole::wait_input(Deadline until) {
    while (true) {
        // Clear the event first, then look: an event that arrives after the
        // look sets the bit again and ends the poll at once.
        events_.consume(port_);
        if (input_ready()) return ok();
        if (until.expired()) return ok();
        if (idle_ != nullptr && idle_->poll()) {
            // Work is left: sleep only a slice, then look at input and work again.
            Deadline slice = Deadline::after_ms(kIdleSliceMs);
            if (!until.is_never() && until.at() < slice.at()) slice = until;
            events_.consume(port_);
            if (input_ready()) return ok();
            if (!events_.block_on(port_, slice).ok()) TRY_CTX(xen::sched_yield(events_.xen()), "console wait");
            continue;
        }
        if (until.is_never()) {
            TRY_CTX(events_.block_on(port_), "console wait");
        } else if (!events_.block_on(port_, until).ok()) {
            // A timed sleep that cannot block still must not spin without end.
            TRY_CTX(xen::sched_yield(events_.xen()), "console wait");
        }
    }
}

void PvConsole::flush() {
    (void)events_.notify(port_);
    if (backend_stalled_) return;
    Status drained = xen::wait_until(
        events_.xen(), Deadline::after_ms(config_.stall_timeout_ms),
        [&] { return load_shared(ring_->out_cons) == load_shared(ring_->out_prod); }, "console output to drain");
    if (!drained.ok()) backend_stalled_ = true;
}

}  // namespace xb::pvconsole
