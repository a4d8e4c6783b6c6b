// XenStore client over the shared ring page (public/io/xs_wire.h). One request
// in flight at a time; replies are matched by request id, watch events that
// arrive meanwhile are queued. Every wait has a deadline; errors name the
// operation, the path and XenStore's error string ("xenstore read
// device/vbd/51712/state: ENOENT").
//
// Replies come from another domain: they are copied out of the ring and
// validated (length within XENSTORE_PAYLOAD_MAX, type, request id, NUL
// termination where the protocol promises it) before use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/xen/abi.h"
#include "drivers/xen/deadline.h"
#include "drivers/xen/event_channels.h"
#include "lib/result.h"

namespace xb::xen {

// A transaction id; Tx{} (0) means "no transaction".
struct Tx {
    std::uint32_t id = 0;
};

class XenStore {
  public:
    struct Config {
        std::uint64_t timeout_ms = 5000;  // per request: send, then the reply
    };
    static constexpr std::size_t kMaxPath = 256;
    static constexpr std::size_t kMaxWatches = 8;
    static constexpr std::size_t kQueuedEvents = 16;

    XenStore(EventChannels& events, XenstoreInterface* ring, EvtchnPort port, Config config);
    XenStore(EventChannels& events, XenstoreInterface* ring, EvtchnPort port)
        : XenStore(events, ring, port, Config{}) {}

    // Reads a value into out (NUL-terminated); returns its length. A value
    // that does not fit is an error (never truncated silently).
    Result<std::size_t> read(const char* path, char* out, std::size_t size, Tx tx = {});
    // Reads an unsigned decimal integer value ("sectors", "state", ...).
    Result<std::uint64_t> read_u64(const char* path, Tx tx = {});
    Status write(const char* path, std::string_view value, Tx tx = {});
    [[gnu::format(printf, 3, 4)]] Status writef(Tx tx, const char* path, const char* fmt, ...);
    // Lists the children of path into out as consecutive NUL-terminated names;
    // returns how many names there are.
    Result<std::size_t> directory(const char* path, char* out, std::size_t size, Tx tx = {});
    Status remove(const char* path, Tx tx = {});

    Result<Tx> transaction_start();
    // commit=false aborts. A commit that conflicts fails with Errc::busy and
    // xen_errno() == EAGAIN: use transact() to retry.
    Status transaction_end(Tx tx, bool commit);
    // Runs body(tx) in a transaction, retrying on EAGAIN up to max_attempts.
    template <typename Body>
    Status transact(Body body, int max_attempts = 8);

    Status watch(const char* path, const char* token);
    Status unwatch(const char* path, const char* token);
    // Waits for the next event on `token` (Xen sends one at once when a watch is
    // set). Returns the path that fired (in path_out). Timeout -> Errc::timeout.
    Status wait_watch(const char* token, Deadline until, char* path_out, std::size_t size);

    // Hand-off: asks xenstored to reset the ring (XENSTORE_RECONNECT) when it
    // supports that, and waits for it. A no-op without the feature.
    Status reconnect(Deadline until);

  private:
    // ... implementation details (request/response framing, watch queue) ...
    EventChannels& events_;
    XenstoreInterface* ring_;
    EvtchnPort port_;
    Config config_;
    std::uint32_t next_req_id_ = 1;
};

}  // namespace xb::xen
