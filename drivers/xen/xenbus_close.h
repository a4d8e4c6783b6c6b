// The XenBus reset dance (public/io/xenbus.h) of several frontends at once:
// the hand-off's close of every PV disk and vif, so that it costs about one
// device's backend round trips instead of the sum of all of them.
//
// Each device goes Closing -> Closed -> Initialising, and each step waits for
// its backend's answer (Closing or Closed; Closed; InitWait, or Initialising
// where `initialising_ends`), as Linux's xenbus_reset_frontend expects to find
// done. The devices move independently: a device whose backend has answered
// takes its next step while the others are still waiting, and the state writes
// due at the same moment go to XenStore in one transaction. One poll loop
// sleeps on a watch per device (or polls where no watch slot is left), with a
// deadline per step and device; a backend that does not answer fails its own
// device only, with an error naming it, and the others go on.
//
// The frontend's own nodes (ring references, event channel, features) are
// removed during the dance, right after the write of the step at which its
// backend does its long work (`remove_after`): Linux's blkback unmaps its
// whole persistent-grant pool before it answers Closed, netback stops its
// queues and unmaps the rings before it answers Closing. xenstored is one
// daemon: RM requests sent when the backend's answer is a mere state write
// sit in front of that write (in the lab, one disk's Closing answer took as
// long as its 21 removals); sent while the backend works in its kernel, they
// are served meanwhile. Devices due at the same moment share one pipelined
// batch. Safe because a backend watches only the frontend's `state` node (Linux
// xenbus_probe.c watch_otherend) and reads the other nodes only when the
// frontend says Initialised or Connected (blkback connect_ring, netback
// connect), which this dance never writes; what the backend mapped from
// them stays mapped until it says Closed, whatever the nodes say.
//
// The order that matters for memory is kept by the callers: nothing a backend
// may still map is ended or freed before its backend said Closed, and a
// failed dance leaves what it still maps to the grant quarantine.
#pragma once

#include <cstdint>
#include <span>

#include "drivers/xen/xenbus.h"
#include "drivers/xen/xenstore.h"

namespace xb::xen {

// One frontend in a close_together(): what to close and, filled in, how it went.
struct CloseDevice {
    const char* frontend = nullptr;         // "device/vbd/51712"
    const char* backend = nullptr;          // the backend's XenStore directory
    const char* name = nullptr;             // "vbd 51712", for messages
    std::uint64_t step_timeout_ms = 30000;  // each step's deadline
    bool initialising_ends = false;         // the last step may end in Initialising too (blkback)
    // The frontend's nodes to remove once the write of step `remove_after`
    // (0 Closing, 1 Closed) has gone out (remove_path writes the i-th of
    // remove_count paths, as XenStore::remove_each's); none when
    // remove_count is 0.
    XenStore::PathFn remove_path = nullptr;
    void* remove_context = nullptr;
    std::size_t remove_count = 0;
    unsigned remove_after = 0;
    // --- results ---
    Status result = ok();
    bool removals_sent = false;  // the removals went out; the first failure is in remove_result
    Status remove_result = ok();
    unsigned steps_done = 0;        // backend answers seen: 3 = Closing, Closed and InitWait
    std::uint64_t us_step[3] = {};  // from our write to the backend's answer, per step
};

struct CloseStats {
    std::uint64_t us_total = 0;
    std::uint64_t requests = 0;     // XenStore round trips
    unsigned write_batches = 0;     // state-write transactions (each for one or more devices)
    unsigned remove_batches = 0;    // pipelined removals (each for one or more devices)
    std::uint64_t removals = 0;     // nodes removed (RM requests)
    std::uint64_t us_removing = 0;  // spent in them, inside the dance
};

// Runs the dance of every device in `devices` together; returns the first
// failed device's error (each device's own is in its `result`).
Status close_together(XenStore& store, std::span<CloseDevice> devices, CloseStats* stats = nullptr);

// The bus side of a close_together(), the same for disks and vifs. A Device
// has `bool close_part(CloseDevice&)` (false: nothing to close) and
// `Status finish_close(const CloseDevice& part)` (the dance's outcome, and
// whether it removed the nodes already).
//
// begin_close_parts: puts the part of each device that has one into `out`, in
// device order, and marks it in `closing`; returns how many. A device that
// finds no room is left unmarked, for end_close_parts to close on its own.
template <class Device>
std::size_t begin_close_parts(std::span<Device> devices, std::span<bool> closing, std::span<CloseDevice> out) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < devices.size() && i < closing.size(); ++i) {
        closing[i] = false;
        if (n == out.size()) continue;
        CloseDevice part;
        if (!devices[i].close_part(part)) continue;
        out[n++] = part;
        closing[i] = true;
    }
    return n;
}

// end_close_parts: finishes each marked device with its part's outcome (parts
// are in device order, as begin_close_parts wrote them) and closes every
// unmarked one with `close_alone` (its own dance); returns the first error.
template <class Device>
Status end_close_parts(std::span<Device> devices, std::span<bool> closing, std::span<const CloseDevice> parts,
                       Status (Device::*close_alone)()) {
    Status first = ok();
    std::size_t k = 0;
    for (std::size_t i = 0; i < devices.size() && i < closing.size(); ++i) {
        Status s = closing[i] && k < parts.size() ? devices[i].finish_close(parts[k++]) : (devices[i].*close_alone)();
        closing[i] = false;
        if (!s.ok() && first.ok()) first = s;
    }
    return first;
}

}  // namespace xb::xen
