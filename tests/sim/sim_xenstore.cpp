#include "tests/sim/sim_xenstore.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "arch/host/virtual_clock.h"

namespace xb::sim {

using xen::XsMsgHeader;
using xen::XsType;

namespace {

constexpr std::uint32_t kRing = xen::kXenstoreRingSize;
// Values of the ring's error field (xenstore-ring.txt).
constexpr std::uint32_t kErrorBadIndex = 2;
constexpr std::uint32_t kErrorProtocol = 3;

std::string parent_of(const std::string& abs) {
    std::size_t slash = abs.rfind('/');
    return slash == 0 ? "/" : abs.substr(0, slash);
}

// docs/misc/xenstore.txt: <child> is a child of <parent> if they are equal,
// if <parent> is "/", or if "<parent>/" starts <child>.
bool is_child(const std::string& child, const std::string& parent) {
    if (child == parent || parent == "/") return true;
    return child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 && child[parent.size()] == '/';
}

// The i-th NUL-terminated string of a payload (nullopt if it is not there
// or not terminated).
std::optional<std::string> arg(const std::string& payload, int index) {
    std::size_t at = 0;
    for (int i = 0; i <= index; ++i) {
        std::size_t nul = payload.find('\0', at);
        if (nul == std::string::npos) return std::nullopt;
        if (i == index) return payload.substr(at, nul - at);
        at = nul + 1;
    }
    return std::nullopt;
}

}  // namespace

SimXenstore::SimXenstore(SimXen& xen, std::uint32_t features) : xen_(xen), page_(xen.add_page(kPfn)) {
    xen_.set_param(xen::HvmParam::store_pfn, kPfn.value());
    xen_.set_param(xen::HvmParam::store_evtchn, kPort.value());
    xen_.connect(kPort, [this] { service(); });
    xen_.on_idle([this] { service(); });
    ring().server_features = features;
    ring().connection = xen::kXenstoreConnected;
    tree_["/"] = Node{};
    tree_write(tree_, std::string(kHome) + "/domid", "1", false);
    tree_write(tree_, std::string(kHome) + "/name", "guest", false);
}

std::optional<std::string> SimXenstore::resolve(const std::string& path) {
    if (path.empty() || path.size() > 3072) return std::nullopt;
    if (path[0] == '@') return path;  // special watch paths (@releaseDomain)
    std::string abs = path[0] == '/' ? path : std::string(kHome) + "/" + path;
    if (abs != "/" && abs.back() == '/') return std::nullopt;
    if (abs.find("//") != std::string::npos) return std::nullopt;
    for (char c : abs) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '/' || c == '_' || c == '@')) {
            return std::nullopt;
        }
    }
    return abs;
}

std::string SimXenstore::message(XsType type, std::uint32_t req_id, std::uint32_t tx_id, std::string_view payload) {
    XsMsgHeader h{static_cast<std::uint32_t>(type), req_id, tx_id, static_cast<std::uint32_t>(payload.size())};
    std::string bytes(reinterpret_cast<const char*>(&h), sizeof h);
    bytes.append(payload);
    return bytes;
}

unsigned SimXenstore::requests_of(XsType type) const {
    auto it = requests_by_type_.find(static_cast<std::uint32_t>(type));
    return it == requests_by_type_.end() ? 0 : it->second;
}

// --- the tree as other domains see it ----------------------------------------------------------

void SimXenstore::set(const std::string& path, const std::string& value) {
    auto abs = resolve(path);
    if (!abs) throw std::invalid_argument("bad xenstore path " + path);
    tree_write(tree_, *abs, value, true);
    if (!in_service_) flush_output();
}

std::optional<std::string> SimXenstore::get(const std::string& path) const {
    auto abs = resolve(path);
    if (!abs) return std::nullopt;
    auto it = tree_.find(*abs);
    if (it == tree_.end()) return std::nullopt;
    return it->second.value;
}

bool SimXenstore::exists(const std::string& path) const {
    auto abs = resolve(path);
    return abs && tree_.count(*abs) != 0;
}

void SimXenstore::remove(const std::string& path) {
    auto abs = resolve(path);
    if (!abs || !tree_.count(*abs)) return;
    tree_rm(tree_, *abs, true);
    if (!in_service_) flush_output();
}

std::vector<std::string> SimXenstore::children(const std::string& path) const {
    std::vector<std::string> names;
    auto abs = resolve(path);
    if (!abs) return names;
    std::string prefix = *abs == "/" ? "/" : *abs + "/";
    for (auto it = tree_.lower_bound(prefix); it != tree_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it) {
        std::string rest = it->first.substr(prefix.size());
        if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
    }
    return names;
}

void SimXenstore::on_write(const std::string& prefix, WriteHook hook) {
    auto abs = resolve(prefix);
    if (!abs) throw std::invalid_argument("bad xenstore path " + prefix);
    hooks_.emplace_back(*abs, std::move(hook));
}

void SimXenstore::fail_next(const std::string& path, const std::string& error, int times) {
    auto abs = resolve(path);
    if (!abs) throw std::invalid_argument("bad xenstore path " + path);
    failures_[*abs] = {error, times};
}

void SimXenstore::fail_nth_request(unsigned n, const std::string& error, std::optional<XsType> type) {
    if (n == 0) throw std::invalid_argument("fail_nth_request counts from 1");
    nth_failure_ = NthFailure{n, error, type};
}

void SimXenstore::send_raw(const std::string& bytes) {
    out_ += bytes;
    if (!in_service_) flush_output();
}

// --- tree operations -----------------------------------------------------------------------------

void SimXenstore::tree_write(Tree& tree, const std::string& abs, const std::string& value, bool fire) {
    // WRITE creates missing parents with empty values (xenstore.txt).
    if (abs != "/" && !tree.count(parent_of(abs))) tree_mkdir(tree, parent_of(abs), false);
    bool created = tree.count(abs) == 0;
    Node& node = tree[abs];
    node.value = value;
    node.gen = ++gen_;
    if (created && abs != "/") tree[parent_of(abs)].gen = ++gen_;
    if (fire) fire_watches(abs);
}

void SimXenstore::tree_mkdir(Tree& tree, const std::string& abs, bool fire) {
    if (tree.count(abs)) return;
    if (abs != "/" && !tree.count(parent_of(abs))) tree_mkdir(tree, parent_of(abs), false);
    tree[abs].gen = ++gen_;
    if (abs != "/") tree[parent_of(abs)].gen = ++gen_;
    if (fire) fire_watches(abs);
}

void SimXenstore::tree_rm(Tree& tree, const std::string& abs, bool fire) {
    std::string prefix = abs + "/";
    tree.erase(abs);
    for (auto it = tree.lower_bound(prefix); it != tree.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
        it = tree.erase(it);
    }
    auto parent = tree.find(parent_of(abs));
    if (parent != tree.end()) parent->second.gen = ++gen_;
    if (fire) fire_removal(abs);
}

void SimXenstore::apply(const Change& change) {
    switch (change.kind) {
        case Change::write:
            tree_write(tree_, change.path, change.value, true);
            pending_hooks_.emplace_back(change.path, change.value);
            break;
        case Change::mkdir: tree_mkdir(tree_, change.path, true); break;
        case Change::rm:
            if (tree_.count(change.path)) tree_rm(tree_, change.path, true);
            break;
    }
}

// --- watches ------------------------------------------------------------------------------------------

void SimXenstore::queue_event(const Watch& w, const std::string& abs_path) {
    // Events for a relative watch carry relative paths (xenstore.txt, WATCH_EVENT).
    std::string path = abs_path;
    std::string home = std::string(kHome) + "/";
    if (w.wpath[0] != '/' && w.wpath[0] != '@' && abs_path.compare(0, home.size(), home) == 0)
        path = abs_path.substr(home.size());
    std::string payload = path + '\0' + w.token + '\0';
    out_ += message(XsType::watch_event, 0, 0, payload);
}

void SimXenstore::fire_watches(const std::string& abs) {
    for (const Watch& w : watches_) {
        if (is_child(abs, w.abs)) queue_event(w, abs);
    }
}

void SimXenstore::fire_removal(const std::string& abs) {
    for (const Watch& w : watches_) {
        if (is_child(abs, w.abs)) {
            queue_event(w, abs);
        } else if (is_child(w.abs, abs)) {
            // A parent of the watched node went: the event names the watched path.
            queue_event(w, w.abs);
        }
    }
}

// --- the ring ---------------------------------------------------------------------------------------------

void SimXenstore::service() {
    if (in_service_) return;
    in_service_ = true;
    reconnect_if_asked();
    if (!stalled_ && arch::virtual_clock::now() >= stalled_until_ && dead_ == 0) {
        read_requests();
        flush_output();
    }
    in_service_ = false;
}

void SimXenstore::reconnect_if_asked() {
    xen::XenstoreInterface& r = ring();
    if (stalled_ || (r.server_features & xen::kXenstoreServerFeatureReconnection) == 0) return;
    if (__atomic_load_n(&r.connection, __ATOMIC_ACQUIRE) != xen::kXenstoreReconnect) return;
    // xenstore-ring.txt: drop partial packets, empty both queues, forget
    // requests, watches and transactions, then say CONNECTED and signal.
    in_.clear();
    out_.clear();
    garbage_.clear();
    edits_.clear();
    watches_.clear();
    transactions_.clear();
    r.req_cons = r.req_prod = r.rsp_cons = r.rsp_prod = 0;
    r.error = 0;
    dead_ = 0;
    __atomic_store_n(&r.connection, xen::kXenstoreConnected, __ATOMIC_RELEASE);
    ++reconnects_;
    xen_.raise(kPort);
}

void SimXenstore::read_requests() {
    xen::XenstoreInterface& r = ring();
    std::uint32_t cons = __atomic_load_n(&r.req_cons, __ATOMIC_ACQUIRE);
    std::uint32_t prod = __atomic_load_n(&r.req_prod, __ATOMIC_ACQUIRE);
    if (prod - cons > kRing) {
        dead_ = kErrorBadIndex;
        if (r.server_features & kFeatureError) r.error = dead_;
        return;
    }
    if (prod == cons) return;
    for (; cons != prod; ++cons) in_ += r.req[cons % kRing];
    __atomic_store_n(&r.req_cons, cons, __ATOMIC_RELEASE);
    xen_.raise(kPort);  // the guest may be waiting for room
    unsigned at_once = 0;
    while (in_.size() >= sizeof(XsMsgHeader)) {
        Request req;
        std::memcpy(&req.header, in_.data(), sizeof req.header);
        if (req.header.len > xen::kXenstorePayloadMax) {
            // xenstored kills a connection that exceeds the limit (xenstore.txt).
            dead_ = kErrorProtocol;
            if (r.server_features & kFeatureError) r.error = dead_;
            return;
        }
        if (in_.size() < sizeof req.header + req.header.len) break;
        req.payload = in_.substr(sizeof req.header, req.header.len);
        in_.erase(0, sizeof req.header + req.header.len);
        if (++at_once > most_at_once_) most_at_once_ = at_once;
        handle(req);
    }
}

void SimXenstore::flush_output() {
    if (stalled_ || dead_ != 0 || out_.empty()) return;
    xen::XenstoreInterface& r = ring();
    std::uint32_t cons = __atomic_load_n(&r.rsp_cons, __ATOMIC_ACQUIRE);
    std::uint32_t prod = __atomic_load_n(&r.rsp_prod, __ATOMIC_ACQUIRE);
    if (prod - cons > kRing) {
        dead_ = kErrorBadIndex;
        if (r.server_features & kFeatureError) r.error = dead_;
        return;
    }
    std::size_t n = std::min<std::size_t>(kRing - (prod - cons), out_.size());
    if (max_chunk_ != 0) n = std::min(n, max_chunk_);
    if (n == 0) return;
    for (std::size_t i = 0; i < n; ++i) r.rsp[(prod + i) % kRing] = out_[i];
    __atomic_store_n(&r.rsp_prod, prod + static_cast<std::uint32_t>(n), __ATOMIC_RELEASE);
    out_.erase(0, n);
    xen_.raise(kPort);
}

void SimXenstore::queue_reply(const XsMsgHeader& req, std::uint32_t type, const std::string& payload) {
    XsMsgHeader h{type, req.req_id, req.tx_id, static_cast<std::uint32_t>(payload.size())};
    std::string body = payload;
    if (!edits_.empty()) {
        ReplyEdit edit = std::move(edits_.front());
        edits_.pop_front();
        edit(h, body);
        // A changed payload gets a matching len, unless the edit set len itself.
        if (h.len == payload.size()) h.len = static_cast<std::uint32_t>(body.size());
    }
    if (!garbage_.empty()) {
        Garbage kind = garbage_.front();
        garbage_.pop_front();
        if (kind == Garbage::bad_len) h.len = 5000;
        if (kind == Garbage::wrong_req_id) h.req_id += 0x10000;
        if (kind == Garbage::unknown_type) h.type = 99;
    }
    out_.append(reinterpret_cast<const char*>(&h), sizeof h);
    out_ += body;
}

void SimXenstore::handle(const Request& req) {
    ++requests_;
    ++requests_by_type_[req.header.type];
    std::uint32_t reply_type = req.header.type;
    std::size_t watches_before = watches_.size();
    std::string payload = process(req, reply_type);
    queue_reply(req.header, reply_type, payload);
    // A new watch fires once at once, after its reply (xenstore.txt, WATCH).
    if (reply_type == static_cast<std::uint32_t>(XsType::watch) && watches_.size() > watches_before) {
        const Watch& w = watches_.back();
        std::string event = w.wpath + '\0' + w.token + '\0';
        out_ += message(XsType::watch_event, 0, 0, event);
    }
    // Backends react after the guest has its answer.
    auto calls = std::move(pending_hooks_);
    pending_hooks_.clear();
    auto hooks = hooks_;
    for (const auto& [path, value] : calls) {
        for (const auto& [prefix, hook] : hooks) {
            if (is_child(path, prefix)) hook(path, value);
        }
    }
}

std::string SimXenstore::process(const Request& req, std::uint32_t& reply_type) {
    auto error = [&](const char* name) {
        reply_type = static_cast<std::uint32_t>(XsType::error);
        return std::string(name) + '\0';
    };
    const std::string ok_reply("OK\0", 3);
    auto type = static_cast<XsType>(req.header.type);

    // Fault injection by count (fail_nth_request).
    if (nth_failure_ && (!nth_failure_->type || *nth_failure_->type == type) && --nth_failure_->remaining == 0) {
        const std::string name = nth_failure_->error;
        nth_failure_.reset();
        bool transaction = type == XsType::transaction_start || type == XsType::transaction_end;
        injected_.push_back({type, transaction ? std::string() : arg(req.payload, 0).value_or("")});
        if (type == XsType::transaction_end) transactions_.erase(req.header.tx_id);
        return error(name.c_str());
    }

    // Fault injection by path (the first argument of path-taking requests).
    if (type != XsType::transaction_start && type != XsType::transaction_end) {
        if (auto p = arg(req.payload, 0)) {
            if (auto abs = resolve(*p)) {
                auto f = failures_.find(*abs);
                if (f != failures_.end() && f->second.second > 0) {
                    --f->second.second;
                    return error(f->second.first.c_str());
                }
            }
        }
    }

    Transaction* tx = nullptr;
    bool tx_matters = type != XsType::watch && type != XsType::unwatch && type != XsType::transaction_start;
    if (tx_matters && req.header.tx_id != 0) {
        auto it = transactions_.find(req.header.tx_id);
        if (it == transactions_.end()) return error("ENOENT");
        tx = &it->second;
    }
    Tree& tree = tx ? tx->work : tree_;

    switch (type) {
        case XsType::read: {
            auto abs = resolve(arg(req.payload, 0).value_or(""));
            if (!abs) return error("EINVAL");
            if (tx) tx->touched.insert(*abs);
            auto it = tree.find(*abs);
            if (it == tree.end()) return error("ENOENT");
            return it->second.value;
        }
        case XsType::write: {
            std::size_t nul = req.payload.find('\0');
            if (nul == std::string::npos) return error("EINVAL");
            auto abs = resolve(req.payload.substr(0, nul));
            if (!abs || (*abs)[0] == '@') return error("EINVAL");
            std::string value = req.payload.substr(nul + 1);
            if (tx) {
                tx->touched.insert(*abs);
                tx->changes.push_back({Change::write, *abs, value});
                tree_write(tree, *abs, value, false);
            } else {
                tree_write(tree, *abs, value, true);
                pending_hooks_.emplace_back(*abs, value);
            }
            return ok_reply;
        }
        case XsType::mkdir: {
            auto abs = resolve(arg(req.payload, 0).value_or(""));
            if (!abs || (*abs)[0] == '@') return error("EINVAL");
            if (tx) {
                tx->touched.insert(*abs);
                tx->changes.push_back({Change::mkdir, *abs, ""});
            }
            tree_mkdir(tree, *abs, tx == nullptr);
            return ok_reply;
        }
        case XsType::rm: {
            auto abs = resolve(arg(req.payload, 0).value_or(""));
            if (!abs || (*abs)[0] == '@' || *abs == "/") return error("EINVAL");
            if (tx) tx->touched.insert(*abs);
            // Not an error if the node is gone, but it is if its parent is too.
            if (!tree.count(*abs)) return tree.count(parent_of(*abs)) ? ok_reply : error("ENOENT");
            if (tx) tx->changes.push_back({Change::rm, *abs, ""});
            tree_rm(tree, *abs, tx == nullptr);
            return ok_reply;
        }
        case XsType::directory: {
            auto abs = resolve(arg(req.payload, 0).value_or(""));
            if (!abs) return error("EINVAL");
            if (tx) tx->touched.insert(*abs);
            if (!tree.count(*abs)) return error("ENOENT");
            std::string prefix = *abs == "/" ? "/" : *abs + "/";
            std::string names;
            for (auto it = tree.lower_bound(prefix);
                 it != tree.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
                std::string rest = it->first.substr(prefix.size());
                if (!rest.empty() && rest.find('/') == std::string::npos) names += rest + '\0';
            }
            if (names.size() > xen::kXenstorePayloadMax) return error("E2BIG");
            return names;
        }
        case XsType::watch: {
            auto wpath = arg(req.payload, 0);
            auto token = arg(req.payload, 1);
            if (!wpath || !token) return error("EINVAL");
            watch_log_.emplace_back(*wpath, *token);
            auto abs = resolve(*wpath);
            if (!abs) return error("EINVAL");
            for (const Watch& w : watches_) {
                if (w.abs == *abs && w.token == *token) return error("EEXIST");
            }
            watches_.push_back({*wpath, *abs, *token});
            return ok_reply;
        }
        case XsType::unwatch: {
            auto wpath = arg(req.payload, 0);
            auto token = arg(req.payload, 1);
            if (!wpath || !token) return error("EINVAL");
            auto abs = resolve(*wpath);
            for (auto it = watches_.begin(); it != watches_.end(); ++it) {
                if (abs && it->abs == *abs && it->token == *token) {
                    watches_.erase(it);
                    return ok_reply;
                }
            }
            return error("ENOENT");
        }
        case XsType::transaction_start: {
            if (req.header.tx_id != 0) return error("EINVAL");  // not legal (xenstore.txt)
            std::uint32_t id = next_tx_++;
            transactions_[id] = Transaction{tree_, tree_, {}, {}};
            return std::to_string(id) + '\0';
        }
        case XsType::transaction_end: {
            if (tx == nullptr) return error("ENOENT");
            auto flag = arg(req.payload, 0);
            if (!flag || (*flag != "T" && *flag != "F")) return error("EINVAL");
            Transaction done = std::move(*tx);
            transactions_.erase(req.header.tx_id);
            if (*flag == "F") return ok_reply;
            // Conflict: anything the transaction read, listed or changed was
            // changed by someone else since it started.
            bool conflict = forced_conflicts_ > 0;
            if (forced_conflicts_ > 0) --forced_conflicts_;
            for (const std::string& p : done.touched) {
                auto b = done.base.find(p);
                auto c = tree_.find(p);
                bool in_base = b != done.base.end();
                bool in_now = c != tree_.end();
                if (in_base != in_now || (in_base && b->second.gen != c->second.gen)) conflict = true;
            }
            if (conflict) {
                ++conflicts_;
                return error("EAGAIN");
            }
            ++commits_;
            for (const Change& change : done.changes) apply(change);
            return ok_reply;
        }
        default: return error("EINVAL");
    }
}

}  // namespace xb::sim
