// XenStore client over the shared ring page (public/io/xs_wire.h). One request
// in flight at a time, except remove_each(), which pipelines its removals;
// replies are matched by request id, watch events that arrive meanwhile are
// queued. Every wait has a deadline; errors name the
// operation, the path and XenStore's error string ("xenstore read
// device/vbd/51712/state: ENOENT").
//
// Replies come from another domain: they are copied out of the ring and
// validated (length within XENSTORE_PAYLOAD_MAX, type, request id, NUL
// termination where the protocol promises it) before use.
//
// Policies for a misbehaving xenstored (tested in tests/unit/xenstore_test.cpp):
// - a reply whose req_id is not one in flight (or one already answered) is a
//   late answer to a request that timed out earlier: it is discarded (counted)
//   and the wait goes on; if the right reply never comes, the timeout error
//   says how many were dropped;
// - a reply with the right req_id but a type other than the request's or
//   ERROR fails the request (Errc::bad_data); the framing is intact, so the
//   connection goes on;
// - a header claiming more than XENSTORE_PAYLOAD_MAX bytes, or ring indices
//   more than a ring apart, fail the request (Errc::bad_data) and drop what is
//   in the response ring (the stream cannot be trusted up to there);
// - a request cut short by a timeout is finished before the next one starts,
//   so the byte stream to xenstored always stays message-aligned.
//
// A XenStore holds a whole request and a whole reply (2 x 4 KiB) and the
// watch-event queue (~5 KiB): about 14 KiB, so keep it off small stacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/xen/abi.h"
#include "lib/deadline.h"
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
    [[gnu::format(printf, 4, 5)]] Status writef(Tx tx, const char* path, const char* fmt, ...);
    // Lists the children of path into out as consecutive NUL-terminated names;
    // returns how many names there are.
    Result<std::size_t> directory(const char* path, char* out, std::size_t size, Tx tx = {});
    Status remove(const char* path, Tx tx = {});
    // Removes n nodes with pipelined requests: as many RM requests as fit a
    // message buffer (and kMaxPipelined) go into the ring at once and their
    // replies are collected afterwards, so n removals cost about one round
    // trip through xenstored instead of n (xenstore.txt: several requests may
    // be outstanding, told apart by req_id; xenstored answers a connection's
    // requests in order, but any order is accepted here). path(context, i,
    // out) writes the i-th path. Each reply is validated like a single
    // request's (req_id in flight, type RM or ERROR); results[i] (when
    // results is not null) gets each removal's outcome, and the first error is
    // returned. One deadline (the per-request timeout) covers each pipelined
    // group; removals not answered by then fail with Errc::timeout, and those
    // not sent after a timeout or a broken ring fail without being sent.
    using PathFn = void (*)(void* context, std::size_t i, char (&out)[kMaxPath]);
    static constexpr std::size_t kMaxPipelined = 64;
    Status remove_each(std::size_t n, PathFn path, void* context, Status* results = nullptr);
    // The same, each removal's outcome given to on_result(context, i, status)
    // instead of an array: for callers that remove many nodes of several
    // owners in one pipeline (xenbus close_together).
    using ResultFn = void (*)(void* context, std::size_t i, const Status& result);
    Status remove_each(std::size_t n, PathFn path, void* context, ResultFn on_result);

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
    // Waits (up to `until`) for an event on any watch whose token begins with
    // `prefix`, then takes every such event queued, calling on_event(context,
    // token) for each: one sleep for many watches (xenbus close_together).
    // False if the deadline passed with none.
    using EventFn = void (*)(void* context, const char* token);
    Result<bool> take_watch_events(const char* prefix, Deadline until, EventFn on_event, void* context);

    // Hand-off: asks xenstored to reset the ring (XENSTORE_RECONNECT) when it
    // supports that, and waits for it. A no-op without the feature.
    Status reconnect(Deadline until);

    // The hypercall surface, for callers that pace their own polling (xenbus).
    XenPort& xen() { return events_.xen(); }

    // --- observations (counters for diagnostics and tests) ---
    // Requests sent since construction (each one a round trip through
    // xenstored in dom0, the cost that matters at boot and at the hand-off:
    // counts hold under load, times do not).
    std::uint64_t requests() const { return requests_; }
    // Watch events lost because the queue was full (the oldest is dropped).
    std::uint64_t dropped_events() const { return dropped_events_; }
    // Well-framed messages thrown away: late replies to requests that timed
    // out, replies with a request id we never sent, malformed or stray watch
    // events (for a token no longer watched).
    std::uint64_t discarded_messages() const { return discarded_; }
    // Protocol violations by xenstored: bad framing or corrupt indices (the
    // response ring was then resynchronised), wrong reply types, malformed payloads.
    std::uint64_t protocol_errors() const { return protocol_errors_; }

    static constexpr std::size_t kMaxToken = 64;  // watch tokens are shorter than this

  private:
    // What an operation is called in messages: "read" + "device/vbd/51712/state".
    struct Op {
        const char* name;
        const char* subject;
    };
    // A validated reply, viewed in in_buf_ (NUL-terminated at data[len]); valid
    // until the next request or wait.
    struct Reply {
        std::uint32_t type;
        const char* data;
        std::uint32_t len;
    };
    struct Event {
        char path[kMaxPath];
        char token[kMaxToken];
    };
    static constexpr std::size_t kHeader = sizeof(XsMsgHeader);
    static constexpr std::size_t kMessageMax = kHeader + kXenstorePayloadMax;

    // Request framing: prepare() waits until any earlier request has left the
    // ring, append() adds payload bytes, transmit() sends the request and waits
    // for its reply (an ERROR reply becomes the returned error). Errors from
    // these carry the operation ("xenstore read PATH: ...").
    Status prepare(Op op, Deadline until);
    Status append(Op op, std::string_view bytes);
    Result<Reply> transmit(XsType type, Tx tx, Op op, Deadline until);
    // prepare + append(parts) + transmit, with the per-request deadline.
    Result<Reply> call(XsType type, Tx tx, Op op, std::string_view part1, std::string_view part2 = {});
    // Checks an RM reply (ERROR -> the daemon's error, another type -> protocol error).
    Status check_reply(XsType type, const Reply& reply);
    // n consecutive request ids, none of them 0, not wrapping.
    std::uint32_t take_ids(std::uint32_t n);
    // remove_each() for at most kMaxPipelined paths from `first` on; returns how
    // many it took (sent or failed before sending) and false in `go_on` once
    // the ring can no longer be trusted to carry more.
    std::size_t remove_group(std::size_t first, std::size_t n, PathFn path, void* context, ResultFn on_result,
                             Status& first_error, bool& go_on);

    // Moves bytes both ways: the rest of the current request into the request
    // ring, replies and events out of the response ring. Fails only when
    // xenstored breaks the protocol.
    Status pump();
    Status push();
    Status pull();
    void complete_message();
    void release_reply();
    void queue_event(const char* payload, std::uint32_t len);
    // Pumps until done() holds (true) or the deadline passes (false).
    template <typename Done>
    Result<bool> wait_for(Deadline until, Done done);
    [[gnu::format(printf, 2, 3)]] Error protocol_error(const char* fmt, ...);
    bool reconnecting() const;

    int watch_slot(const char* token) const;
    int find_event(const char* token) const;
    void drop_event(int index);
    void purge_events(const char* token);
    void reset_connection_state();

    EventChannels& events_;
    XenstoreInterface* ring_;
    EvtchnPort port_;
    Config config_;
    std::uint32_t next_req_id_ = 1;

    // Outgoing request: header + payload; req_sent_ bytes are in the ring.
    char req_buf_[kMessageMax + 1];
    std::size_t build_len_ = 0;  // bytes of the request being built
    std::size_t req_len_ = 0;    // bytes of the request being sent
    std::size_t req_sent_ = 0;
    // Incoming message being assembled (+1 for the NUL added after the payload).
    char in_buf_[kMessageMax + 1];
    std::size_t in_len_ = 0;
    XsMsgHeader in_hdr_{};
    bool awaiting_ = false;             // requests are waiting for their replies
    std::uint32_t awaiting_id_ = 0;     // the first one's req_id
    std::uint32_t awaiting_count_ = 0;  // req_ids awaiting_id_ .. + count - 1
    std::uint64_t answered_ = 0;        // bit k: the reply to awaiting_id_ + k came
    bool reply_ready_ = false;          // in_buf_ holds that reply

    char tokens_[kMaxWatches][kMaxToken] = {};  // "" = free slot
    Event queue_[kQueuedEvents];                // oldest first
    std::size_t queued_ = 0;

    std::uint64_t requests_ = 0;
    std::uint64_t dropped_events_ = 0;
    std::uint64_t discarded_ = 0;
    std::uint64_t mismatched_ = 0;  // replies with a req_id not in flight
    std::uint64_t protocol_errors_ = 0;
};

template <typename Body>
Status XenStore::transact(Body body, int max_attempts) {
    // xenstored fails a commit with EAGAIN when something the transaction
    // touched changed meanwhile (docs/misc/xenstore.txt, TRANSACTION_END);
    // the whole body is then run again on fresh data.
    for (int attempt = 1;; ++attempt) {
        Tx tx = TRY(transaction_start());
        Status ran = body(tx);
        Status ended = ran.ok() ? transaction_end(tx, true) : transaction_end(tx, false);
        Status outcome = ran.ok() ? ended : ran;
        bool conflict = !outcome.ok() && outcome.error().code() == Errc::busy && outcome.error().xen_errno() == kEAGAIN;
        if (!conflict || attempt >= max_attempts) {
            if (conflict) outcome.error().prefix("xenstore transaction: gave up after %d attempts", attempt);
            return outcome;
        }
    }
}

}  // namespace xb::xen
