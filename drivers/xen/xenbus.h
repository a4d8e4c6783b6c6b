// XenBus frontend state machine helpers (public/io/xenbus.h) over XenStore:
// read and switch a device's state, and wait for its backend to reach a state
// with a deadline. A backend that never gets there yields an error naming the
// device, the state awaited and the state last seen.
#pragma once

#include <cstddef>
#include <span>

#include "drivers/xen/xenstore.h"
#include "lib/console.h"

namespace xb::xen {

enum class XenbusState : int {
    unknown = 0,
    initialising = 1,
    init_wait = 2,
    initialised = 3,
    connected = 4,
    closing = 5,
    closed = 6,
    reconfiguring = 7,
    reconfigured = 8,
};
const char* xenbus_state_name(XenbusState state);

// "<dir>/state" as a XenbusState; a missing or malformed node is an error.
Result<XenbusState> read_state(XenStore& store, const char* dir);
Status switch_state(XenStore& store, const char* dir, XenbusState state);

// Waits until "<backend_dir>/state" is one of `wanted` (up to 4 states), using
// a watch on the state node (falling back to bounded polling). `device` names
// the device in errors ("vbd 51712"). Returns the state reached.
Result<XenbusState> wait_backend_state(XenStore& store, const char* backend_dir, const XenbusState* wanted,
                                       unsigned wanted_count, Deadline until, const char* device);

// The numeric device ids in a XenStore directory listing (`count` NUL-separated
// names, as XenStore::directory returns them), sorted ascending (XenStore
// lists in any order), at most ids.size() of them. A name that is not a
// decimal number up to `max_id` is skipped and reported on `log` (may be
// nullptr) as `ignored` says, with the name as its one %s argument.
std::size_t numeric_device_ids(const char* names, std::size_t count, unsigned long max_id, std::span<unsigned> ids,
                               Console* log, const char* ignored);

}  // namespace xb::xen
