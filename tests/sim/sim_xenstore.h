// A simulated xenstored for one guest: an in-memory tree served over the
// guest's XenStore ring page (public/io/xs_wire.h) with the semantics of
// docs/misc/xenstore.txt: READ, WRITE, MKDIR, RM, DIRECTORY, WATCH (fires once
// at once, then on every change at or under the watched path), UNWATCH,
// TRANSACTION_START/END with conflict detection, and the ring reconnection
// handshake (docs/misc/xenstore-ring.txt). It runs whenever the guest notifies,
// yields or polls, like SimConsoleBackend.
//
// Tests act as the toolstack or a backend through set()/get()/remove() (which
// fire watches like any other domain's changes) and on_write() hooks, and
// inject faults: error replies, a stalled daemon, corrupt replies, replies
// trickled through the ring a few bytes at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/xen/xenstore.h"
#include "tests/sim/sim_xen.h"

namespace xb::sim {

class SimXenstore {
  public:
    static constexpr Gfn kPfn{0x39001};
    static constexpr EvtchnPort kPort{1};
    static constexpr const char* kHome = "/local/domain/1";  // relative paths start here

    // Features advertised in server_features (reconnection + error field, as
    // oxenstored does; C xenstored advertises no reconnection).
    explicit SimXenstore(SimXen& xen, std::uint32_t features = xen::kXenstoreServerFeatureReconnection | kFeatureError);
    static constexpr std::uint32_t kFeatureError = 2;

    // --- the tree, as other domains change it (fires watches) ----------------------------
    // Paths are absolute or relative to kHome. set() creates missing parents.
    void set(const std::string& path, const std::string& value);
    std::optional<std::string> get(const std::string& path) const;
    bool exists(const std::string& path) const;
    void remove(const std::string& path);
    std::vector<std::string> children(const std::string& path) const;

    // --- acting as a backend ----------------------------------------------------------------
    using WriteHook = std::function<void(const std::string& path, const std::string& value)>;
    // Called after a guest WRITE at or under prefix takes effect (at once, or
    // when its transaction commits), after the reply is queued.
    void on_write(const std::string& prefix, WriteHook hook);

    // --- fault injection -------------------------------------------------------------------
    // The next `times` requests naming `path` get an ERROR reply `error`.
    void fail_next(const std::string& path, const std::string& error, int times = 1);
    // A stalled daemon reads nothing and answers nothing (not even reconnects).
    void set_stalled(bool stalled) { stalled_ = stalled; }
    // Stalled until the virtual clock reaches counter_value, then it serves
    // what queued up meanwhile: a dom0 that is slow to answer.
    void stall_until(std::uint64_t counter_value) { stalled_until_ = counter_value; }
    enum class Garbage {
        bad_len,       // the header claims 5000 payload bytes
        wrong_req_id,  // the reply carries another request's id
        unknown_type,  // the reply's type is 99
    };
    // The next reply (not watch event) is replaced by a corrupt one.
    void corrupt_next_reply(Garbage kind) { garbage_.push_back(kind); }
    // The next reply (not watch event) is passed through `edit` before it is
    // sent: any header or payload a broken daemon could produce.
    using ReplyEdit = std::function<void(xen::XsMsgHeader& header, std::string& payload)>;
    void rewrite_next_reply(ReplyEdit edit) { edits_.push_back(std::move(edit)); }
    // Raw bytes for the response stream (queued after what is pending).
    void send_raw(const std::string& bytes);
    // At most this many bytes go into the response ring per service round
    // (0: as many as fit), so messages arrive in many small pieces.
    void set_max_chunk(std::size_t bytes) { max_chunk_ = bytes; }
    // The next n transaction commits fail with EAGAIN regardless of conflicts.
    void force_conflicts(int n) { forced_conflicts_ = n; }
    // The n-th request from now (1: the next one), counting only requests of
    // `type` when given, gets an ERROR reply `error` instead of being carried
    // out; a failed TRANSACTION_END ends the transaction, as xenstored does.
    // Replaces an earlier such fault that has not fired yet.
    void fail_nth_request(unsigned n, const std::string& error, std::optional<xen::XsType> type = std::nullopt);
    struct InjectedFailure {
        xen::XsType type;
        std::string path;  // the request's first argument ("" for transactions)
    };
    // Every request failed by fail_nth_request, in order.
    const std::vector<InjectedFailure>& injected_failures() const { return injected_; }

    // --- observations ----------------------------------------------------------------------
    xen::XenstoreInterface& ring() { return *reinterpret_cast<xen::XenstoreInterface*>(page_.bytes); }
    unsigned requests() const { return requests_; }
    unsigned requests_of(xen::XsType type) const;
    // The most requests found complete in the ring in one service round: more
    // than 1 only when the guest sent them before waiting for replies.
    unsigned most_requests_at_once() const { return most_at_once_; }
    std::size_t watch_count() const { return watches_.size(); }
    std::size_t open_transactions() const { return transactions_.size(); }
    unsigned reconnects() const { return reconnects_; }
    // Every WATCH request received: (path, token).
    const std::vector<std::pair<std::string, std::string>>& watch_log() const { return watch_log_; }
    unsigned commits() const { return commits_; }
    unsigned conflicts() const { return conflicts_; }
    // Why the daemon stopped serving the ring (0: it did not).
    std::uint32_t connection_error() const { return dead_; }

    // A message as it travels in the ring (header + payload).
    static std::string message(xen::XsType type, std::uint32_t req_id, std::uint32_t tx_id, std::string_view payload);

    // One round of the daemon's loop (also run on notify and on idle).
    void service();

  private:
    struct Node {
        std::string value;
        std::uint64_t gen = 0;  // bumped on every change, and when a child comes or goes
    };
    using Tree = std::map<std::string, Node>;
    struct Change {
        enum Kind { write, mkdir, rm } kind;
        std::string path;
        std::string value;
    };
    struct Transaction {
        Tree base;                      // the tree when the transaction started
        Tree work;                      // base + the transaction's own changes
        std::set<std::string> touched;  // every path read, listed or changed
        std::vector<Change> changes;
    };
    struct Watch {
        std::string wpath;  // as given (relative paths get relative events)
        std::string abs;
        std::string token;
    };
    struct Request {
        xen::XsMsgHeader header;
        std::string payload;
    };

    void reconnect_if_asked();
    void read_requests();
    void handle(const Request& req);
    std::string process(const Request& req, std::uint32_t& reply_type);
    void flush_output();
    void queue_reply(const xen::XsMsgHeader& req, std::uint32_t type, const std::string& payload);

    // Tree operations; `fire` = changes are global (watches fire, hooks run).
    void tree_write(Tree& tree, const std::string& abs, const std::string& value, bool fire);
    void tree_mkdir(Tree& tree, const std::string& abs, bool fire);
    void tree_rm(Tree& tree, const std::string& abs, bool fire);
    void apply(const Change& change);
    void fire_watches(const std::string& abs);
    void fire_removal(const std::string& abs);
    void queue_event(const Watch& w, const std::string& abs_path);
    static std::optional<std::string> resolve(const std::string& path);

    SimXen& xen_;
    Page& page_;
    std::uint64_t gen_ = 0;
    Tree tree_;
    std::vector<Watch> watches_;
    std::map<std::uint32_t, Transaction> transactions_;
    std::uint32_t next_tx_ = 1;
    std::vector<std::pair<std::string, WriteHook>> hooks_;
    std::vector<std::pair<std::string, std::string>> pending_hooks_;  // (path, value) to run after the reply
    std::map<std::string, std::pair<std::string, int>> failures_;     // abs path -> (error, times)
    std::deque<Garbage> garbage_;
    std::deque<ReplyEdit> edits_;
    std::string in_;   // request bytes read, not yet a whole message
    std::string out_;  // response bytes not yet in the ring
    std::size_t max_chunk_ = 0;
    int forced_conflicts_ = 0;
    struct NthFailure {
        unsigned remaining;
        std::string error;
        std::optional<xen::XsType> type;
    };
    std::optional<NthFailure> nth_failure_;
    std::vector<InjectedFailure> injected_;
    bool stalled_ = false;
    std::uint64_t stalled_until_ = 0;
    bool in_service_ = false;
    std::uint32_t dead_ = 0;
    unsigned requests_ = 0;
    unsigned most_at_once_ = 0;
    std::map<std::uint32_t, unsigned> requests_by_type_;
    unsigned reconnects_ = 0;
    std::vector<std::pair<std::string, std::string>> watch_log_;
    unsigned commits_ = 0;
    unsigned conflicts_ = 0;
};

}  // namespace xb::sim
