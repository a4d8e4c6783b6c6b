// XenStore client: message framing (docs/misc/xenstore.txt) over the shared
// ring page (public/io/xs_wire.h, docs/misc/xenstore-ring.txt).
#include "drivers/xen/xenstore.h"

#include <cstdarg>
#include <cstring>

#include "arch/arch.h"
#include "drivers/xen/hypercall.h"
#include "drivers/xen/shared_memory.h"
#include "drivers/xen/wait.h"
#include "lib/format.h"

namespace xb::xen {
namespace {

constexpr std::uint32_t kRing = kXenstoreRingSize;
static_assert((kRing & (kRing - 1)) == 0, "MASK_XENSTORE_IDX needs a power-of-two ring");
constexpr std::uint32_t ring_offset(std::uint32_t index) { return index & (kRing - 1); }

// Bit 1 of server_features (xenstore-ring.txt, "connection error feature"):
// xenstored says in `error` why it stopped serving the ring.
constexpr std::uint32_t kServerFeatureError = 2;

// XenStore sends errors as errno names (xs_wire.h's xsd_errors, plus EQUOTA
// from oxenstored); the numbers are the ones xenstored's host (Linux) gives them.
struct XsErrno {
    const char* name;
    int value;
    Errc code;
};
constexpr XsErrno kErrnos[] = {
    {"ENOENT", 2, Errc::not_found},    {"EIO", 5, Errc::io},
    {"E2BIG", 7, Errc::no_space},      {"EAGAIN", 11, Errc::busy},
    {"ENOMEM", 12, Errc::no_memory},   {"EACCES", 13, Errc::io},
    {"EBUSY", 16, Errc::busy},         {"EEXIST", 17, Errc::io},
    {"EISDIR", 21, Errc::io},          {"EINVAL", 22, Errc::invalid_argument},
    {"ENOSPC", 28, Errc::no_space},    {"EROFS", 30, Errc::io},
    {"ENOSYS", 38, Errc::unsupported}, {"ENOTEMPTY", 39, Errc::io},
    {"EISCONN", 106, Errc::io},        {"EQUOTA", 122, Errc::no_space},
};
constexpr int kEIO = 5;

std::size_t min_size(std::size_t a, std::size_t b) { return a < b ? a : b; }

void copy_to_ring(char* ring, std::uint32_t index, const char* src, std::size_t n) {
    std::size_t at = ring_offset(index);
    std::size_t first = min_size(n, kRing - at);
    std::memcpy(ring + at, src, first);
    std::memcpy(ring, src + first, n - first);
}

void copy_from_ring(char* dst, const char* ring, std::uint32_t index, std::size_t n) {
    std::size_t at = ring_offset(index);
    std::size_t first = min_size(n, kRing - at);
    std::memcpy(dst, ring + at, first);
    std::memcpy(dst + first, ring, n - first);
}

std::string_view with_nul(const char* s) { return {s, std::strlen(s) + 1}; }
const char* subject_of(const char* s) { return s == nullptr ? "(null)" : s[0] == '\0' ? "''" : s; }

Error with_op(Error error, const char* name, const char* subject) {
    if (subject[0] != '\0') error.prefix("xenstore %s %s", name, subject);
    else error.prefix("xenstore %s", name);
    return error;
}

[[gnu::format(printf, 2, 3)]] Error timed_out(Deadline until, const char* fmt, ...) {
    char what[112];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(what, sizeof what, fmt, ap);
    va_end(ap);
    return Error::make(Errc::timeout, "timed out after %lu ms waiting for %s", until.budget_ms(), what);
}

Status check_path(const char* path) {
    if (path == nullptr || path[0] == '\0') return Error::make(Errc::invalid_argument, "empty path");
    if (strnlen(path, XenStore::kMaxPath) >= XenStore::kMaxPath) {
        return Error::make(Errc::invalid_argument, "path longer than %zu bytes", XenStore::kMaxPath - 1);
    }
    return ok();
}

Status check_token(const char* token) {
    if (token == nullptr || token[0] == '\0') return Error::make(Errc::invalid_argument, "empty watch token");
    if (strnlen(token, XenStore::kMaxToken) >= XenStore::kMaxToken) {
        return Error::make(Errc::invalid_argument, "watch token longer than %zu bytes", XenStore::kMaxToken - 1);
    }
    return ok();
}

// An ERROR reply ("ENOENT\0") as an Error with xen_errno set. The string is
// untrusted: it is matched exactly and shown only in printable form.
Error daemon_error(const char* data, std::uint32_t len) {
    std::size_t n = strnlen(data, len);
    for (const XsErrno& e : kErrnos) {
        if (n == std::strlen(e.name) && std::memcmp(data, e.name, n) == 0)
            return Error::xen(e.value, e.code, "%s", e.name);
    }
    char shown[24];
    std::size_t k = 0;
    for (; k < n && k + 1 < sizeof shown; ++k) shown[k] = data[k] >= 0x20 && data[k] < 0x7f ? data[k] : '?';
    shown[k] = '\0';
    return Error::xen(kEIO, Errc::io, "unknown error '%s' (taken as EIO)", shown);
}

}  // namespace

XenStore::XenStore(EventChannels& events, XenstoreInterface* ring, EvtchnPort port, Config config)
    : events_(events), ring_(ring), port_(port), config_(config) {}

// --- the byte streams ------------------------------------------------------------------

bool XenStore::reconnecting() const {
    // The connection field is meaningful only with the reconnection feature.
    return (load_shared(ring_->server_features) & kXenstoreServerFeatureReconnection) != 0 &&
           load_shared(ring_->connection) != kXenstoreConnected;
}

Error XenStore::protocol_error(const char* fmt, ...) {
    ++protocol_errors_;
    va_list ap;
    va_start(ap, fmt);
    char what[112];
    vformat_to(what, sizeof what, fmt, ap);
    va_end(ap);
    return Error::make(Errc::bad_data, "%s", what);
}

Status XenStore::pump() {
    // While a reconnection is in progress (ours, or one found already
    // started) the guest must ignore every field but `connection`.
    if (reconnecting()) return ok();
    if ((load_shared(ring_->server_features) & kServerFeatureError) != 0) {
        std::uint32_t error = load_shared(ring_->error);
        if (error != 0) return Error::make(Errc::io, "xenstored stopped serving the ring (connection error %u)", error);
    }
    TRY(push());
    return pull();
}

Status XenStore::push() {
    if (req_sent_ == req_len_) return ok();
    std::uint32_t cons = load_shared(ring_->req_cons);
    std::uint32_t prod = load_shared(ring_->req_prod);
    std::uint32_t used = prod - cons;
    if (used > kRing) {
        // Writing now could overwrite bytes xenstored has not read: give the
        // request up rather than guess where the stream stands.
        req_sent_ = req_len_;
        return protocol_error("request ring indices are corrupt (prod %u, cons %u)", prod, cons);
    }
    // Bytes may be overwritten only once the consumer index marks them
    // consumed (xenstore-ring.txt): finish reading it before writing.
    arch::barrier_full();
    std::size_t n = min_size(kRing - used, req_len_ - req_sent_);
    if (n == 0) return ok();
    copy_to_ring(ring_->req, prod, req_buf_ + req_sent_, n);
    // The bytes must be visible before the index that publishes them.
    arch::barrier_stores();
    store_shared(ring_->req_prod, prod + static_cast<std::uint32_t>(n));
    req_sent_ += n;
    (void)events_.notify(port_);
    return ok();
}

Status XenStore::pull() {
    if (reply_ready_) return ok();  // the caller has not taken the last reply yet
    std::uint32_t cons = load_shared(ring_->rsp_cons);
    std::uint32_t prod = load_shared(ring_->rsp_prod);
    // Read the producer index before the bytes it covers.
    arch::barrier_loads();
    std::uint32_t avail = prod - cons;
    if (avail == 0) return ok();
    Status status = ok();
    if (avail > kRing) {
        // More than a ring ahead: the bytes cannot be trusted. Drop everything
        // published so far and start again at the next message.
        status = protocol_error("response ring indices are corrupt (prod %u, cons %u)", prod, cons);
        in_len_ = 0;
        cons = prod;
        avail = 0;
    }
    while (avail != 0 && !reply_ready_) {
        bool had_header = in_len_ >= kHeader;
        std::size_t want = had_header ? kHeader + in_hdr_.len - in_len_ : kHeader - in_len_;
        std::size_t n = min_size(want, avail);
        copy_from_ring(in_buf_ + in_len_, ring_->rsp, cons, n);
        in_len_ += n;
        cons += static_cast<std::uint32_t>(n);
        avail -= static_cast<std::uint32_t>(n);
        if (!had_header && in_len_ == kHeader) {
            std::memcpy(&in_hdr_, in_buf_, kHeader);
            if (in_hdr_.len > kXenstorePayloadMax) {
                // No way to find the next message boundary: drop what is there.
                status = protocol_error("message header claims %u payload bytes (XENSTORE_PAYLOAD_MAX is %u)",
                                        in_hdr_.len, kXenstorePayloadMax);
                in_len_ = 0;
                cons = prod;
                break;
            }
        }
        if (in_len_ >= kHeader && in_len_ == kHeader + in_hdr_.len) complete_message();
    }
    // Finish reading the bytes before handing their slots back (ring.h).
    arch::barrier_full();
    store_shared(ring_->rsp_cons, cons);
    (void)events_.notify(port_);
    return status;
}

void XenStore::complete_message() {
    in_buf_[in_len_] = '\0';  // replies are used as C strings; the buffer has room
    if (in_hdr_.type == static_cast<std::uint32_t>(XsType::watch_event)) {
        queue_event(in_buf_ + kHeader, in_hdr_.len);
        in_len_ = 0;
        return;
    }
    // One of the requests in flight that has not had its reply yet (unsigned
    // arithmetic: ids below awaiting_id_ wrap to large k and are not ours).
    const std::uint32_t k = in_hdr_.req_id - awaiting_id_;
    if (awaiting_ && k < awaiting_count_ && ((answered_ >> k) & 1) == 0) {
        answered_ |= std::uint64_t{1} << k;
        reply_ready_ = true;  // kept in in_buf_ until transmit() or remove_group() takes it
        return;
    }
    // A late reply to a request that timed out, one we never sent, or a
    // second reply to one that has had its answer.
    ++discarded_;
    ++mismatched_;
    in_len_ = 0;
}

void XenStore::release_reply() {
    if (!reply_ready_) return;
    reply_ready_ = false;
    in_len_ = 0;  // the bytes stay readable in in_buf_ until the next pull()
}

template <typename Done>
Result<bool> XenStore::wait_for(Deadline until, Done done) {
    while (true) {
        // Clear the event first, then look: an event that arrives after the
        // look sets the bit again and ends the poll at once.
        events_.consume(port_);
        TRY(pump());
        if (done()) return true;
        if (until.expired()) return false;
        if (until.is_never()) {
            TRY_CTX(events_.block_on(port_), "waiting for xenstored");
        } else if (!events_.block_on(port_, until).ok()) {
            // Timed waits sleep with the virtual-timer alarm (as the console
            // and blkfront do); if Xen refuses the poll, yield rather than spin.
            (void)sched_yield(events_.xen());
        }
    }
}

// --- requests ------------------------------------------------------------------------------

Status XenStore::prepare(Op op, Deadline until) {
    if (req_sent_ < req_len_) {
        // An earlier request timed out half-sent: finish it first so the stream
        // stays message-aligned (its reply will be discarded as late).
        Result<bool> sent = wait_for(until, [&] { return req_sent_ == req_len_; });
        if (!sent.ok()) return with_op(sent.error(), op.name, op.subject);
        if (!sent.value()) {
            return with_op(timed_out(until, "xenstored to take an earlier request (%zu of %zu bytes sent)%s", req_sent_,
                                     req_len_, reconnecting() ? "; ring reconnection in progress" : ""),
                           op.name, op.subject);
        }
    }
    build_len_ = kHeader;
    return ok();
}

Status XenStore::append(Op op, std::string_view bytes) {
    if (bytes.size() > kMessageMax - build_len_) {
        return with_op(Error::make(Errc::invalid_argument, "request payload over %u bytes (XENSTORE_PAYLOAD_MAX)",
                                   kXenstorePayloadMax),
                       op.name, op.subject);
    }
    if (bytes.empty()) return ok();  // data() may be null
    std::memcpy(req_buf_ + build_len_, bytes.data(), bytes.size());
    build_len_ += bytes.size();
    return ok();
}

Result<XenStore::Reply> XenStore::transmit(XsType type, Tx tx, Op op, Deadline until) {
    ++requests_;
    std::uint32_t id = take_ids(1);
    XsMsgHeader header{static_cast<std::uint32_t>(type), id, tx.id, static_cast<std::uint32_t>(build_len_ - kHeader)};
    std::memcpy(req_buf_, &header, kHeader);
    req_len_ = build_len_;
    req_sent_ = 0;
    awaiting_ = true;
    awaiting_id_ = id;
    awaiting_count_ = 1;
    answered_ = 0;
    std::uint64_t mismatched_before = mismatched_;

    Result<bool> got = wait_for(until, [&] { return reply_ready_; });
    awaiting_ = false;
    if (!got.ok()) {
        release_reply();
        return with_op(got.error(), op.name, op.subject);
    }
    if (!got.value()) {
        char late[64] = "";
        if (mismatched_ != mismatched_before) {
            std::uint64_t count = mismatched_ - mismatched_before;
            format_to(late, sizeof late, " (discarded %lu %s with another req_id)", count,
                      count == 1 ? "reply" : "replies");
        }
        Error e = req_sent_ < req_len_
                      ? timed_out(until, "xenstored to take the request (%zu of %zu bytes sent)%s", req_sent_, req_len_,
                                  reconnecting() ? "; ring reconnection in progress" : "")
                      : timed_out(until, "xenstored's reply%s", late);
        return with_op(e, op.name, op.subject);
    }
    Reply reply{in_hdr_.type, in_buf_ + kHeader, in_hdr_.len};
    release_reply();
    Status valid = check_reply(type, reply);
    if (!valid.ok()) return with_op(valid.error(), op.name, op.subject);
    return reply;
}

std::uint32_t XenStore::take_ids(std::uint32_t n) {
    // 0 is what watch events carry, and a group's ids must not wrap through
    // it (complete_message() matches them by subtraction).
    if (next_req_id_ == 0 || next_req_id_ > UINT32_MAX - n) next_req_id_ = 1;
    const std::uint32_t first = next_req_id_;
    next_req_id_ += n;
    return first;
}

Status XenStore::check_reply(XsType type, const Reply& reply) {
    if (reply.type == static_cast<std::uint32_t>(XsType::error)) return daemon_error(reply.data, reply.len);
    if (reply.type != static_cast<std::uint32_t>(type)) {
        return protocol_error("xenstored answered with message type %u (expected %u or ERROR)", reply.type,
                              static_cast<unsigned>(type));
    }
    return ok();
}

Result<XenStore::Reply> XenStore::call(XsType type, Tx tx, Op op, std::string_view part1, std::string_view part2) {
    Deadline until = Deadline::after_ms(config_.timeout_ms);
    TRY(prepare(op, until));
    TRY(append(op, part1));
    TRY(append(op, part2));
    return transmit(type, tx, op, until);
}

// --- operations ----------------------------------------------------------------------------

Result<std::size_t> XenStore::read(const char* path, char* out, std::size_t size, Tx tx) {
    Op op{"read", subject_of(path)};
    TRY_CTX(check_path(path), "xenstore read %s", op.subject);
    Reply reply = TRY(call(XsType::read, tx, op, with_nul(path)));
    // READ values carry no NUL (xenstore.txt); out gets one, so it needs len + 1.
    if (out == nullptr || reply.len >= size) {
        return with_op(Error::make(Errc::no_space, "value of %u bytes does not fit a %zu-byte buffer", reply.len, size),
                       op.name, op.subject);
    }
    std::memcpy(out, reply.data, reply.len);
    out[reply.len] = '\0';
    return std::size_t{reply.len};
}

Result<std::uint64_t> XenStore::read_u64(const char* path, Tx tx) {
    char text[24];  // 20 digits of UINT64_MAX + NUL, with room to spare
    Result<std::size_t> got = read(path, text, sizeof text, tx);
    if (!got.ok()) {
        if (got.error().code() != Errc::no_space) return got.error();
        return Error::make(Errc::bad_data, "xenstore read %s: value too long for a number", subject_of(path));
    }
    // Strict: decimal digits only, no sign, blanks or overflow.
    std::size_t len = got.value();
    std::uint64_t value = 0;
    bool digits = len != 0;
    for (std::size_t i = 0; i < len && digits; ++i) {
        unsigned d = static_cast<unsigned char>(text[i]) - '0';
        if (d > 9 || value > (UINT64_MAX - d) / 10) digits = false;
        else value = value * 10 + d;
    }
    if (!digits) {
        for (std::size_t i = 0; i < len; ++i) {
            if (static_cast<unsigned char>(text[i]) < 0x20 || static_cast<unsigned char>(text[i]) >= 0x7f)
                text[i] = '?';
        }
        return Error::make(Errc::bad_data, "xenstore read %s: '%s' is not an unsigned number", subject_of(path), text);
    }
    return value;
}

Status XenStore::write(const char* path, std::string_view value, Tx tx) {
    Op op{"write", subject_of(path)};
    TRY_CTX(check_path(path), "xenstore write %s", op.subject);
    // WRITE is path NUL value, the value without a NUL of its own (xenstore.txt).
    TRY(call(XsType::write, tx, op, with_nul(path), value));
    return ok();
}

Status XenStore::writef(Tx tx, const char* path, const char* fmt, ...) {
    Op op{"write", subject_of(path)};
    TRY_CTX(check_path(path), "xenstore write %s", op.subject);
    Deadline until = Deadline::after_ms(config_.timeout_ms);
    TRY(prepare(op, until));
    TRY(append(op, with_nul(path)));
    // Format straight into the request; req_buf_ has a byte for vformat_to's NUL.
    std::size_t room = kMessageMax - build_len_;
    va_list ap;
    va_start(ap, fmt);
    std::size_t n = vformat_to(req_buf_ + build_len_, room + 1, fmt, ap);
    va_end(ap);
    if (n > room) {
        return with_op(Error::make(Errc::invalid_argument, "value of %zu bytes does not fit a request", n), op.name,
                       op.subject);
    }
    build_len_ += n;
    TRY(transmit(XsType::write, tx, op, until));
    return ok();
}

Result<std::size_t> XenStore::directory(const char* path, char* out, std::size_t size, Tx tx) {
    Op op{"directory", subject_of(path)};
    TRY_CTX(check_path(path), "xenstore directory %s", op.subject);
    Reply reply = TRY(call(XsType::directory, tx, op, with_nul(path)));
    // <child-leaf-name>|* : every name ends in a NUL, and none is empty.
    std::size_t names = 0;
    bool well_formed = reply.len == 0 || reply.data[reply.len - 1] == '\0';
    for (std::uint32_t i = 0; i < reply.len && well_formed; ++i) {
        if (reply.data[i] != '\0') continue;
        if (i == 0 || reply.data[i - 1] == '\0') well_formed = false;
        ++names;
    }
    if (!well_formed) {
        return with_op(
            protocol_error("malformed listing of %u bytes (names must be non-empty and NUL-terminated)", reply.len),
            op.name, op.subject);
    }
    if (reply.len > size || out == nullptr) {
        return with_op(
            Error::make(Errc::no_space, "listing of %u bytes does not fit a %zu-byte buffer", reply.len, size), op.name,
            op.subject);
    }
    std::memcpy(out, reply.data, reply.len);
    if (reply.len < size) out[reply.len] = '\0';  // an empty list reads as ""
    return names;
}

Status XenStore::remove(const char* path, Tx tx) {
    Op op{"rm", subject_of(path)};
    TRY_CTX(check_path(path), "xenstore rm %s", op.subject);
    TRY(call(XsType::rm, tx, op, with_nul(path)));
    return ok();
}

// The i-th path of a remove_each() call, "" if the callback writes none, and
// terminated whatever it wrote.
static void path_at(XenStore::PathFn path, void* context, std::size_t i, char (&out)[XenStore::kMaxPath]) {
    out[0] = '\0';
    path(context, i, out);
    out[XenStore::kMaxPath - 1] = '\0';
}

Status XenStore::remove_each(std::size_t n, PathFn path, void* context, Status* results) {
    if (results == nullptr) return remove_each(n, path, context, ResultFn{nullptr});
    struct Into {
        PathFn path;
        void* context;
        Status* results;
    } into{path, context, results};
    auto path_of = [](void* self, std::size_t i, char(&out)[kMaxPath]) {
        auto* in = static_cast<Into*>(self);
        in->path(in->context, i, out);
    };
    auto store = [](void* self, std::size_t i, const Status& s) { static_cast<Into*>(self)->results[i] = s; };
    return remove_each(n, path_of, &into, store);
}

Status XenStore::remove_each(std::size_t n, PathFn path, void* context, ResultFn on_result) {
    Status first_error = ok();
    bool go_on = true;
    std::size_t done = 0;
    while (done < n && go_on) done += remove_group(done, n, path, context, on_result, first_error, go_on);
    // After a timeout or a broken ring nothing more is sent: each waits for
    // the same daemon, and the error already says why.
    for (std::size_t i = done; i < n; ++i) {
        char p[kMaxPath];
        path_at(path, context, i, p);
        Error e = with_op(Error::make(Errc::io, "not sent: an earlier pipelined removal failed"), "rm", subject_of(p));
        if (on_result != nullptr) on_result(context, i, e);
        if (first_error.ok()) first_error = e;
    }
    return first_error;
}

std::size_t XenStore::remove_group(std::size_t first, std::size_t n, PathFn path_of, void* context, ResultFn on_result,
                                   Status& first_error, bool& go_on) {
    auto record = [&](std::size_t i, Status s) {
        if (!s.ok() && first_error.ok()) first_error = s;
        if (on_result != nullptr) on_result(context, i, s);
    };
    auto failed = [&](std::size_t i, Error e) {
        char p[kMaxPath];
        path_at(path_of, context, i, p);
        record(i, with_op(e, "rm", subject_of(p)));
    };
    const Deadline until = Deadline::after_ms(config_.timeout_ms);
    Status ready = prepare(Op{"rm", "(pipelined)"}, until);
    if (!ready.ok()) {
        failed(first, ready.error());
        go_on = false;
        return 1;
    }
    // Every request of the group, header and path, one after another in
    // req_buf_: push() then moves them into the ring as room comes.
    const std::uint32_t base = take_ids(kMaxPipelined);
    std::size_t index[kMaxPipelined];  // request k removes path index[k]
    std::size_t pos = 0, taken = 0, sent = 0;
    while (first + taken < n && sent < kMaxPipelined) {
        char p[kMaxPath];
        path_at(path_of, context, first + taken, p);
        Status valid = check_path(p);
        if (!valid.ok()) {
            failed(first + taken++, valid.error());
            continue;
        }
        const std::size_t len = std::strlen(p) + 1;
        if (pos + kHeader + len > kMessageMax) break;  // the next group's
        XsMsgHeader header{static_cast<std::uint32_t>(XsType::rm), base + static_cast<std::uint32_t>(sent), 0,
                           static_cast<std::uint32_t>(len)};
        std::memcpy(req_buf_ + pos, &header, kHeader);
        std::memcpy(req_buf_ + pos + kHeader, p, len);
        pos += kHeader + len;
        index[sent++] = first + taken++;
    }
    next_req_id_ = base + static_cast<std::uint32_t>(sent);  // the ids not used are not reserved
    if (sent == 0) return taken;
    requests_ += sent;
    build_len_ = 0;
    req_len_ = pos;
    req_sent_ = 0;
    awaiting_ = true;
    awaiting_id_ = base;
    awaiting_count_ = static_cast<std::uint32_t>(sent);
    answered_ = 0;
    std::size_t answered = 0;
    Status broken = ok();
    while (answered < sent) {
        Result<bool> got = wait_for(until, [&] { return reply_ready_; });
        if (!got.ok()) broken = got.error();
        if (!got.ok() || !got.value()) break;
        // complete_message() let through only an unanswered id of this group.
        const std::size_t k = in_hdr_.req_id - base;
        Status valid = check_reply(XsType::rm, Reply{in_hdr_.type, in_buf_ + kHeader, in_hdr_.len});
        release_reply();
        ++answered;
        if (valid.ok()) record(index[k], ok());
        else failed(index[k], valid.error());
    }
    awaiting_ = false;
    if (answered == sent) return taken;
    // Timed out or the ring broke: the rest fail (their late replies will
    // be discarded), and nothing more is sent.
    go_on = false;
    release_reply();
    for (std::size_t k = 0; k < sent; ++k) {
        if (((answered_ >> k) & 1) != 0) continue;
        failed(index[k],
               !broken.ok() ? broken.error()
               : req_sent_ < req_len_
                   ? timed_out(until, "xenstored to take the pipelined requests (%zu of %zu bytes sent)%s", req_sent_,
                               req_len_, reconnecting() ? "; ring reconnection in progress" : "")
                   : timed_out(until, "xenstored's reply (%zu of %zu pipelined removals answered)", answered, sent));
    }
    return taken;
}

// --- transactions ----------------------------------------------------------------------------

Result<Tx> XenStore::transaction_start() {
    Op op{"transaction start", ""};
    // TRANSACTION_START's payload is an empty string; the reply is the id in
    // decimal (xenstore.txt). tx_id in the request must be 0.
    Reply reply = TRY(call(XsType::transaction_start, Tx{}, op, std::string_view("\0", 1)));
    std::size_t len = strnlen(reply.data, reply.len);
    bool terminated_once = len == reply.len || len + 1 == reply.len;
    std::uint64_t id = 0;
    bool valid = terminated_once && len != 0 && len <= 10;
    for (std::size_t i = 0; i < len && valid; ++i) {
        unsigned d = static_cast<unsigned char>(reply.data[i]) - '0';
        if (d > 9) valid = false;
        id = id * 10 + d;
    }
    if (!valid || id == 0 || id > UINT32_MAX) {
        return with_op(protocol_error("malformed transaction id (%u bytes)", reply.len), op.name, op.subject);
    }
    return Tx{static_cast<std::uint32_t>(id)};
}

Status XenStore::transaction_end(Tx tx, bool commit) {
    char id[12];
    format_to(id, sizeof id, "%u", tx.id);
    Op op{commit ? "transaction commit" : "transaction abort", id};
    if (tx.id == 0) return with_op(Error::make(Errc::invalid_argument, "not a transaction"), op.name, op.subject);
    TRY(call(XsType::transaction_end, tx, op, std::string_view(commit ? "T" : "F", 2)));
    return ok();
}

// --- watches -----------------------------------------------------------------------------------

int XenStore::watch_slot(const char* token) const {
    for (std::size_t i = 0; i < kMaxWatches; ++i) {
        if (tokens_[i][0] != '\0' && std::strcmp(tokens_[i], token) == 0) return static_cast<int>(i);
    }
    return -1;
}

int XenStore::find_event(const char* token) const {
    for (std::size_t i = 0; i < queued_; ++i) {
        if (std::strcmp(queue_[i].token, token) == 0) return static_cast<int>(i);
    }
    return -1;
}

void XenStore::drop_event(int index) {
    std::size_t i = static_cast<std::size_t>(index);
    std::memmove(&queue_[i], &queue_[i + 1], (queued_ - i - 1) * sizeof(Event));
    --queued_;
}

void XenStore::purge_events(const char* token) {
    for (int i = find_event(token); i >= 0; i = find_event(token)) drop_event(i);
}

void XenStore::queue_event(const char* payload, std::uint32_t len) {
    // WATCH_EVENT is <epath>|<token>| (xenstore.txt): both NUL-terminated.
    std::size_t path_len = strnlen(payload, len);
    if (path_len == len) {
        ++discarded_;
        return;
    }
    const char* token = payload + path_len + 1;
    std::size_t rest = len - path_len - 1;
    std::size_t token_len = strnlen(token, rest);
    // Not terminated, too long to be one of ours, or for a watch we dropped
    // (events may still arrive after UNWATCH): not ours to queue.
    if (token_len == rest || path_len >= kMaxPath || token_len >= kMaxToken || token_len == 0 ||
        watch_slot(token) < 0) {
        ++discarded_;
        return;
    }
    if (queued_ == kQueuedEvents) {
        drop_event(0);  // the oldest goes: a newer event on the same node supersedes it
        ++dropped_events_;
    }
    std::memcpy(queue_[queued_].path, payload, path_len + 1);
    std::memcpy(queue_[queued_].token, token, token_len + 1);
    ++queued_;
}

Status XenStore::watch(const char* path, const char* token) {
    Op op{"watch", subject_of(path)};
    TRY_CTX(check_path(path), "xenstore watch %s", op.subject);
    TRY_CTX(check_token(token), "xenstore watch %s", op.subject);
    if (watch_slot(token) >= 0) {
        return with_op(Error::make(Errc::invalid_argument, "token '%s' is already in use", token), op.name, op.subject);
    }
    int slot = -1;
    for (std::size_t i = 0; i < kMaxWatches && slot < 0; ++i) {
        if (tokens_[i][0] == '\0') slot = static_cast<int>(i);
    }
    if (slot < 0) {
        return with_op(Error::make(Errc::no_space, "all %zu watch slots are in use", kMaxWatches), op.name, op.subject);
    }
    // Registered before asking: the first event may overtake the reply.
    std::memcpy(tokens_[slot], token, std::strlen(token) + 1);
    Result<Reply> set = call(XsType::watch, Tx{}, op, with_nul(path), with_nul(token));
    if (!set.ok()) {
        tokens_[slot][0] = '\0';
        purge_events(token);
        return set.error();
    }
    return ok();
}

Status XenStore::unwatch(const char* path, const char* token) {
    Op op{"unwatch", subject_of(path)};
    TRY_CTX(check_path(path), "xenstore unwatch %s", op.subject);
    TRY_CTX(check_token(token), "xenstore unwatch %s", op.subject);
    // Forget it locally first, so the slot is free even if xenstored does not
    // answer; late events for the token are then discarded on arrival.
    int slot = watch_slot(token);
    if (slot >= 0) tokens_[slot][0] = '\0';
    purge_events(token);
    TRY(call(XsType::unwatch, Tx{}, op, with_nul(path), with_nul(token)));
    return ok();
}

Status XenStore::wait_watch(const char* token, Deadline until, char* path_out, std::size_t size) {
    Op op{"wait for watch", subject_of(token)};
    TRY_CTX(check_token(token), "xenstore wait for watch");
    if (watch_slot(token) < 0)
        return with_op(Error::make(Errc::invalid_argument, "no such watch"), op.name, op.subject);
    Result<bool> got = wait_for(until, [&] { return find_event(token) >= 0; });
    if (!got.ok()) return with_op(got.error(), op.name, op.subject);
    if (!got.value()) return with_op(timed_out(until, "a watch event"), op.name, op.subject);
    int i = find_event(token);
    std::size_t len = std::strlen(queue_[i].path);
    if (path_out != nullptr) {
        if (len >= size) {
            drop_event(i);
            return with_op(
                Error::make(Errc::no_space, "event path of %zu bytes does not fit a %zu-byte buffer", len, size),
                op.name, op.subject);
        }
        std::memcpy(path_out, queue_[i].path, len + 1);
    }
    drop_event(i);
    return ok();
}

Result<bool> XenStore::take_watch_events(const char* prefix, Deadline until, EventFn on_event, void* context) {
    const std::size_t n = std::strlen(prefix);
    auto first = [&]() -> int {
        for (std::size_t i = 0; i < queued_; ++i) {
            if (std::strncmp(queue_[i].token, prefix, n) == 0) return static_cast<int>(i);
        }
        return -1;
    };
    Result<bool> got = wait_for(until, [&] { return first() >= 0; });
    if (!got.ok()) return with_op(got.error(), "wait for watch", prefix);
    if (!got.value()) return false;
    // The queue holds at most kQueuedEvents: bounded.
    for (int i = first(); i >= 0; i = first()) {
        char token[kMaxToken];
        std::memcpy(token, queue_[i].token, sizeof token);
        drop_event(i);
        on_event(context, token);
    }
    return true;
}

// --- hand-off ------------------------------------------------------------------------------------

void XenStore::reset_connection_state() {
    build_len_ = req_len_ = req_sent_ = 0;
    in_len_ = 0;
    awaiting_ = false;
    reply_ready_ = false;
    queued_ = 0;
    for (auto& token : tokens_) token[0] = '\0';
}

Status XenStore::reconnect(Deadline until) {
    if ((load_shared(ring_->server_features) & kXenstoreServerFeatureReconnection) == 0) return ok();
    // xenstore-ring.txt, "ring reconnection feature": set connection to
    // RECONNECT and signal; the server drops partial messages, requests,
    // watches and transactions, empties both queues, sets it back to
    // CONNECTED and signals. Our ring writes must be visible before the request.
    arch::barrier_full();
    store_shared(ring_->connection, kXenstoreReconnect);
    arch::barrier_stores();
    (void)events_.notify(port_);
    reset_connection_state();  // everything in flight dies with the old connection
    Status done = wait_until(
        events_.xen(), until, [&] { return load_shared(ring_->connection) == kXenstoreConnected; },
        "xenstored to reset the ring");
    if (!done.ok()) return with_op(done.error(), "reconnect", "");
    // Read the reset indices only after seeing CONNECTED.
    arch::barrier_loads();
    return ok();
}

}  // namespace xb::xen
