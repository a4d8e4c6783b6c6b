#include "tests/sim/sim_vbd.h"

#include <cstdlib>

#include "arch/arch.h"

namespace xb::sim {

SimVbd::SimVbd(SimXen& xen, SimXenstore& store, std::vector<std::uint8_t> disk, Options options)
    : xen_(xen), store_(store), options_(options), back_(xen, std::move(disk), options.blkback) {
    const std::string id = std::to_string(options.vdev);
    frontend_ = std::string(SimXenstore::kHome) + "/device/vbd/" + id;
    backend_ = "/local/domain/0/backend/vbd/1/" + id;
    // What libxl writes for the frontend...
    store_.set(frontend_ + "/backend", backend_);
    store_.set(frontend_ + "/backend-id", std::to_string(options.blkback.domid));
    store_.set(frontend_ + "/virtual-device", id);
    store_.set(frontend_ + "/state", "1");
    // ...and what blkback publishes on probe (blkif.h "Backend Device Properties").
    store_.set(backend_ + "/frontend", frontend_);
    store_.set(backend_ + "/frontend-id", "1");
    store_.set(backend_ + "/sectors", std::to_string(back_.disk().size() / 512));
    store_.set(backend_ + "/sector-size", std::to_string(options.blkback.sector_size));
    store_.set(backend_ + "/info", options.blkback.read_only ? "4" : "0");
    store_.set(backend_ + "/mode", options.blkback.read_only ? "r" : "w");
    store_.set(backend_ + "/feature-flush-cache", "1");
    if (options.offer_ring_order)
        store_.set(backend_ + "/max-ring-page-order", std::to_string(options.blkback.max_ring_order));
    if (options.blkback.max_indirect_segments != 0) {
        store_.set(backend_ + "/feature-max-indirect-segments", std::to_string(options.blkback.max_indirect_segments));
    }
    if (options.init_wait_after_ms != 0 && !options.never_init_wait) {
        store_.set(backend_ + "/state", "1");
        init_wait_due_ = arch::counter() + options.init_wait_after_ms * arch::counter_hz() / 1000;
    } else {
        store_.set(backend_ + "/state", options.never_init_wait ? "1" : "2");
    }
    xen_.on_idle([this] { tick(); });
    store_.on_write(frontend_ + "/state",
                    [this](const std::string&, const std::string& value) { frontend_changed(value); });
}

void SimVbd::tick() {
    const std::uint64_t now = arch::counter();
    if (init_wait_due_ != 0 && now >= init_wait_due_) {
        init_wait_due_ = 0;
        store_.set(backend_ + "/state", "2");
    }
    if (connect_due_ != 0 && now >= connect_due_) {
        connect_due_ = 0;
        // Only if the frontend still wants it (not closed meanwhile).
        if (store_.get(frontend_ + "/state") == "3") connect_ring();
    }
    if (close_due_ != 0 && now >= close_due_) {
        close_due_ = 0;
        const std::string value = close_pending_;
        close_pending_.clear();
        answer_close(value);
    }
}

void SimVbd::frontend_changed(const std::string& value) {
    states_.push_back(value);
    if (value == "3" && !options_.never_connect) {  // Initialised: connect the ring
        if (options_.connect_after_ms != 0) {
            connect_due_ = arch::counter() + options_.connect_after_ms * arch::counter_hz() / 1000;
            return;
        }
        connect_ring();
    } else if (options_.never_close) {
        return;
    } else if (options_.close_step_ms != 0 && (value == "5" || value == "6" || value == "1")) {
        // One step at a time, as the frontend waits for each answer.
        close_pending_ = value;
        close_due_ = arch::counter() + options_.close_step_ms * arch::counter_hz() / 1000;
    } else {
        answer_close(value);
    }
}

void SimVbd::answer_close(const std::string& value) {
    if (value == "5") {
        connect_due_ = 0;
        store_.set(backend_ + "/state", "5");
    } else if (value == "6") {
        back_.detach();
        store_.set(backend_ + "/state", "6");
    } else if (value == "1" && store_.get(backend_ + "/state") == "6") {
        store_.set(backend_ + "/state", "2");  // "prepare for reconnect"
    }
}

void SimVbd::connect_ring() {
    std::vector<std::uint32_t> refs;
    if (auto order = store_.get(frontend_ + "/ring-page-order")) {
        for (unsigned i = 0; i < (1u << std::stoul(*order)); ++i) {
            refs.push_back(
                static_cast<std::uint32_t>(std::stoul(*store_.get(frontend_ + "/ring-ref" + std::to_string(i)))));
        }
    } else {
        refs.push_back(static_cast<std::uint32_t>(std::stoul(store_.get(frontend_ + "/ring-ref").value_or("0"))));
    }
    auto port = std::stoul(store_.get(frontend_ + "/event-channel").value_or("0"));
    if (xen_.unbound_remote(EvtchnPort(static_cast<std::uint32_t>(port))) != options_.blkback.domid) std::abort();
    back_.attach(refs.data(), static_cast<unsigned>(refs.size()), EvtchnPort(static_cast<std::uint32_t>(port)));
    bool persistent = options_.persistent && store_.get(frontend_ + "/feature-persistent").value_or("0") == "1";
    back_.set_persistent(persistent);
    store_.set(backend_ + "/feature-persistent", persistent ? "1" : "0");
    store_.set(backend_ + "/state", "4");
}

}  // namespace xb::sim
