#include "net/tftp_client.h"

#include <cstring>

#include "lib/clock.h"
#include "lib/deadline.h"
#include "lib/format.h"
#include "net/bytes.h"

namespace xb::net {
namespace {

// RFC 1350 §5 opcodes, RFC 2347 OACK.
constexpr std::uint16_t kRrq = 1;
constexpr std::uint16_t kData = 3;
constexpr std::uint16_t kAck = 4;
constexpr std::uint16_t kError = 5;
constexpr std::uint16_t kOack = 6;

// RFC 1350 §5 error codes, RFC 2347 code 8 (option negotiation refused).
constexpr std::uint16_t kErrUndefined = 0;
constexpr std::uint16_t kErrNotFound = 1;
constexpr std::uint16_t kErrDiskFull = 3;
constexpr std::uint16_t kErrUnknownTid = 5;
constexpr std::uint16_t kErrOptions = 8;

// RFC 2347: "the request packet must not exceed 512 octets".
constexpr std::size_t kMaxRequest = 512;
// What of a server's ERROR text makes it into our message.
constexpr std::size_t kMaxServerText = 64;

std::uint64_t now_ms() {
    const std::uint64_t t = clock_ticks();
    const std::uint64_t hz = clock_hz();
    return t / hz * 1000 + t % hz * 1000 / hz;
}

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool equals_nocase(const char* a, std::size_t len, const char* b) {
    for (std::size_t i = 0; i < len; ++i)
        if (b[i] == '\0' || lower(a[i]) != b[i]) return false;
    return b[len] == '\0';
}

// An option value: decimal digits only, at most 20 of them, no overflow.
bool parse_decimal(const char* s, std::size_t len, std::uint64_t& out) {
    if (len == 0 || len > 20) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < len; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        const auto digit = static_cast<std::uint64_t>(s[i] - '0');
        if (v > (UINT64_MAX - digit) / 10) return false;
        v = v * 10 + digit;
    }
    out = v;
    return true;
}

// An option's name or value as an error message shows it: at most 20
// characters, printable ASCII only (it comes from the server).
struct Shown {
    char text[21];
};
Shown shown(const char* s, std::size_t len) {
    Shown out{};
    std::size_t n = 0;
    for (; n < len && n < 20; ++n) {
        const auto c = static_cast<unsigned char>(s[n]);
        out.text[n] = c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
    }
    out.text[n] = '\0';
    return out;
}

class Session {
  public:
    Session(DatagramSocket& socket, const TftpRequest& request) : socket_(socket), req_(request) {
        format_ipv4(request.server.ip, server_text_);
    }

    Result<TftpResult> run();

  private:
    Status check_request();
    Status send_request();
    void send_ack(std::uint16_t block);
    void send_error(Endpoint to, std::uint16_t code, const char* text);
    // Abandons the transfer: tells the server (once it has a TID) and returns `error`.
    Error abort(std::uint16_t code, const char* text, const Error& error) {
        if (tid_known_) send_error(peer_, code, text);
        return error;
    }
    Status accept_oack(const std::uint8_t* p, std::size_t len);
    Error server_error(const std::uint8_t* p, std::size_t len);
    // Returns true when the transfer is complete.
    Result<bool> on_data(std::uint16_t block, const std::uint8_t* payload, std::size_t len);
    void restart_timer() { deadline_ = Deadline::after_ms(timeout_ms_); }
    void report_progress(bool final);

    DatagramSocket& socket_;
    const TftpRequest& req_;
    char server_text_[16] = {};
    std::uint16_t asked_block_size_ = 0;   // 0: not asked
    std::uint16_t asked_window_size_ = 0;  // 0: not asked
    std::uint32_t asked_timeout_s_ = 0;    // 0: not asked
    std::uint32_t timeout_ms_ = 0;
    std::size_t request_len_ = 0;

    bool tid_known_ = false;
    Endpoint peer_;
    std::uint16_t block_size_ = tftp::kDefaultBlockSize;
    std::uint16_t window_size_ = 1;
    std::uint16_t expected_ = 1;  // next block number wanted; wraps 65535 -> 0
    std::uint16_t last_acked_ = 0;
    bool acked_any_ = false;
    bool gap_acked_ = false;  // one ACK per gap (RFC 7440 §4), not one per stray block
    std::uint32_t in_window_ = 0;
    std::uint32_t retries_ = 0;
    Deadline deadline_ = Deadline::never();
    std::uint64_t started_ms_ = 0;
    std::uint64_t last_progress_ms_ = 0;
    TftpResult result_;
};

Status Session::check_request() {
    const char* name = req_.filename;
    if (name == nullptr || name[0] == '\0') return Error::make(Errc::invalid_argument, "tftp: no file name");
    const std::size_t name_len = strnlen(name, tftp::kMaxFilename + 1);
    if (name_len > tftp::kMaxFilename)
        return Error::make(Errc::invalid_argument, "tftp: file name longer than %zu bytes", tftp::kMaxFilename);
    if (req_.packet.size() < tftp::kDefaultBlockSize + tftp::kHeader)
        return Error::make(Errc::invalid_argument, "tftp: packet buffer of %zu bytes, need at least %zu",
                           req_.packet.size(), tftp::kDefaultBlockSize + tftp::kHeader);
    const TftpOptions& o = req_.options;
    if (o.block_size < tftp::kMinBlockSize || o.block_size > tftp::kMaxBlockSize)
        return Error::make(Errc::invalid_argument, "tftp: block size %u outside %u..%u", o.block_size,
                           tftp::kMinBlockSize, tftp::kMaxBlockSize);
    if (o.window_size == 0) return Error::make(Errc::invalid_argument, "tftp: window size 0 (1..65535)");
    return {};
}

Status Session::send_request() {
    const TftpOptions& o = req_.options;
    timeout_ms_ = o.timeout_ms < tftp::kMinTimeoutMs ? tftp::kMinTimeoutMs : o.timeout_ms;
    if (o.block_size != tftp::kDefaultBlockSize) {
        // The packet buffer bounds what we can take in one datagram.
        const std::size_t room = req_.packet.size() - tftp::kHeader;
        asked_block_size_ = room < o.block_size ? static_cast<std::uint16_t>(room) : o.block_size;
    }
    if (o.window_size > 1) asked_window_size_ = o.window_size;
    if (o.ask_timeout) {
        // RFC 2349: 1..255 seconds.
        const std::uint32_t s = timeout_ms_ / 1000;
        asked_timeout_s_ = s > 255 ? 255 : s;
    }

    // RFC 1350 §5 RRQ: opcode, filename, 0, mode, 0; RFC 2347: then option, 0, value, 0 pairs.
    char text[kMaxRequest];
    std::size_t n = format_to(text, sizeof text, "%s%c%s%c", req_.filename, 0, "octet", 0);
    if (asked_block_size_ != 0) n += format_to(text + n, sizeof text - n, "blksize%c%u%c", 0, asked_block_size_, 0);
    if (asked_window_size_ != 0)
        n += format_to(text + n, sizeof text - n, "windowsize%c%u%c", 0, asked_window_size_, 0);
    if (asked_timeout_s_ != 0) n += format_to(text + n, sizeof text - n, "timeout%c%u%c", 0, asked_timeout_s_, 0);
    if (o.ask_tsize) n += format_to(text + n, sizeof text - n, "tsize%c0%c", 0, 0);
    // format_to stops at the buffer's end; n says how long it wanted to be.
    if (n + 2 > kMaxRequest)
        return Error::make(Errc::invalid_argument, "tftp: request for %s longer than %zu bytes", req_.filename,
                           kMaxRequest);
    std::uint8_t* p = req_.packet.data();
    put16(p, kRrq);
    std::memcpy(p + 2, text, n);
    request_len_ = n + 2;
    return socket_.send_to(req_.server, std::span<const std::uint8_t>(p, request_len_));
}

void Session::send_ack(std::uint16_t block) {
    std::uint8_t ack[4];
    put16(ack, kAck);
    put16(ack + 2, block);
    // A failed send is a lost packet: the timeout sends it again.
    (void)socket_.send_to(peer_, ack);
    last_acked_ = block;
    acked_any_ = true;
    in_window_ = 0;
}

void Session::send_error(Endpoint to, std::uint16_t code, const char* text) {
    std::uint8_t packet[4 + 64];
    put16(packet, kError);
    put16(packet + 2, code);
    const std::size_t len = strnlen(text, sizeof packet - 5);
    std::memcpy(packet + 4, text, len);
    packet[4 + len] = 0;
    (void)socket_.send_to(to, std::span<const std::uint8_t>(packet, 5 + len));
}

// RFC 2347 OACK: option/value pairs, each NUL-terminated. Only options we
// asked for, each at most once, with values within what we asked
// (RFC 2348: blksize may be smaller; RFC 7440: windowsize may be smaller;
// RFC 2349: timeout must match; tsize is the file size).
Status Session::accept_oack(const std::uint8_t* p, std::size_t len) {
    const char* s = reinterpret_cast<const char*>(p);
    std::size_t at = 0;
    bool seen_blksize = false, seen_window = false, seen_tsize = false, seen_timeout = false;
    // Each pair takes at least 4 bytes, so the loop is bounded by the packet.
    while (at < len) {
        const char* name = s + at;
        const std::size_t name_len = strnlen(name, len - at);
        if (at + name_len >= len) return Error::make(Errc::bad_data, "option name without end");
        at += name_len + 1;
        const char* value = s + at;
        const std::size_t value_len = at < len ? strnlen(value, len - at) : 0;
        if (at + value_len >= len)
            return Error::make(Errc::bad_data, "option '%s' without value", shown(name, name_len).text);
        at += value_len + 1;
        std::uint64_t v = 0;
        const bool number = parse_decimal(value, value_len, v);
        if (equals_nocase(name, name_len, "blksize") && asked_block_size_ != 0 && !seen_blksize) {
            if (!number || v < tftp::kMinBlockSize || v > asked_block_size_)
                return Error::make(Errc::bad_data, "blksize %s not in %u..%u", shown(value, value_len).text,
                                   tftp::kMinBlockSize, asked_block_size_);
            block_size_ = static_cast<std::uint16_t>(v);
            seen_blksize = true;
        } else if (equals_nocase(name, name_len, "windowsize") && asked_window_size_ != 0 && !seen_window) {
            if (!number || v < 1 || v > asked_window_size_)
                return Error::make(Errc::bad_data, "windowsize %s not in 1..%u", shown(value, value_len).text,
                                   asked_window_size_);
            window_size_ = static_cast<std::uint16_t>(v);
            seen_window = true;
        } else if (equals_nocase(name, name_len, "tsize") && req_.options.ask_tsize && !seen_tsize) {
            if (!number) return Error::make(Errc::bad_data, "tsize '%s' is not a number", shown(value, value_len).text);
            result_.tsize = v;
            seen_tsize = true;
        } else if (equals_nocase(name, name_len, "timeout") && asked_timeout_s_ != 0 && !seen_timeout) {
            if (!number || v != asked_timeout_s_)
                return Error::make(Errc::bad_data, "timeout %s, asked %u", shown(value, value_len).text,
                                   asked_timeout_s_);
            seen_timeout = true;
        } else {
            return Error::make(Errc::bad_data, "option '%s' not asked for (or twice)", shown(name, name_len).text);
        }
    }
    return {};
}

// RFC 1350 §5 ERROR: code, message, 0. The message is the server's: shown
// bounded and with anything but printable ASCII replaced.
Error Session::server_error(const std::uint8_t* p, std::size_t len) {
    const std::uint16_t code = get16(p + 2);
    char text[kMaxServerText + 1];
    std::size_t n = 0;
    for (std::size_t i = 4; i < len && p[i] != 0 && n < kMaxServerText; ++i)
        text[n++] = p[i] >= 0x20 && p[i] < 0x7f ? static_cast<char>(p[i]) : '?';
    text[n] = '\0';
    return Error::make(code == kErrNotFound ? Errc::not_found : Errc::io, "tftp: %s: server %s: error %u (%s)",
                       req_.filename, server_text_, code, n != 0 ? text : "no message");
}

Result<bool> Session::on_data(std::uint16_t block, const std::uint8_t* payload, std::size_t len) {
    if (len > block_size_) {
        ++result_.ignored;  // larger than agreed: not a DATA of this transfer
        return false;
    }
    const auto distance = static_cast<std::uint16_t>(block - expected_);
    if (distance != 0) {
        ++result_.duplicates;
        if (distance < 0x8000) {
            // Ahead of what we want: blocks were lost. ACK the last in-order
            // block so the server sends again from there (RFC 7440 §4); once
            // per gap, or a burst of stray blocks would become a burst of ACKs.
            if (!gap_acked_) {
                send_ack(static_cast<std::uint16_t>(expected_ - 1));
                gap_acked_ = true;
            }
        } else if (acked_any_ && block == last_acked_) {
            // The server sent again the block we last ACKed: our ACK was lost.
            send_ack(block);
        }
        return false;
    }
    const std::uint64_t room = req_.dest.size() - result_.bytes;
    if (len > room) {
        return abort(kErrDiskFull, "disk full or allocation exceeded",
                     Error::make(Errc::no_space, "tftp: %s from %s does not fit in the %zu bytes at %p (more than %lu)",
                                 req_.filename, server_text_, req_.dest.size(), static_cast<void*>(req_.dest.data()),
                                 result_.bytes + len));
    }
    copy_bytes(req_.dest.data() + result_.bytes, payload, len);
    result_.bytes += len;
    ++result_.blocks;
    ++expected_;
    ++in_window_;
    retries_ = 0;
    gap_acked_ = false;
    restart_timer();
    // RFC 1350 §6: a block shorter than blksize (0 bytes included) ends the file.
    const bool last = len < block_size_;
    if (last || in_window_ >= window_size_) send_ack(block);
    return last;
}

void Session::report_progress(bool final) {
    if (req_.callbacks.progress == nullptr) return;
    const std::uint64_t now = now_ms();
    if (!final && now - last_progress_ms_ < req_.callbacks.progress_interval_ms) return;
    last_progress_ms_ = now;
    req_.callbacks.progress(req_.callbacks.context, result_.bytes, result_.tsize);
}

Result<TftpResult> Session::run() {
    TRY(check_request());
    started_ms_ = now_ms();
    last_progress_ms_ = started_ms_;
    TRY_CTX(send_request(), "tftp: sending the request for %s to %s", req_.filename, server_text_);
    restart_timer();

    std::uint8_t* const buf = req_.packet.data();
    // Room for a whole DATA block, and for an OACK or ERROR even when the
    // blocks asked for are smaller than those (up to 512 bytes, RFC 2347).
    std::size_t buf_len = (asked_block_size_ != 0 ? asked_block_size_ : tftp::kDefaultBlockSize) + tftp::kHeader;
    if (buf_len < tftp::kDefaultBlockSize + tftp::kHeader) buf_len = tftp::kDefaultBlockSize + tftp::kHeader;
    for (;;) {
        if (req_.callbacks.cancel != nullptr && req_.callbacks.cancel(req_.callbacks.context))
            return abort(
                kErrUndefined, "cancelled by the user",
                Error::make(Errc::interrupted, "tftp: %s: cancelled after %lu bytes", req_.filename, result_.bytes));
        report_progress(false);

        auto received = socket_.receive(std::span<std::uint8_t>(buf, buf_len), deadline_);
        if (!received) {
            Error e = received.error();
            e.prefix("tftp: %s from %s", req_.filename, server_text_);
            return e;
        }
        const DatagramSocket::Received& r = received.value();
        if (r.length == 0) {
            // Each try is one send of the same packet and one timeout: with
            // tftptimeoutcountmax 10, the tenth timeout in a row ends it.
            if (++retries_ >= req_.options.max_retries) {
                return abort(kErrUndefined, "timed out",
                             Error::make(Errc::timeout, "tftp: no answer from %s for %s after block %lu (%u tries)",
                                         server_text_, req_.filename, result_.blocks, retries_));
            }
            ++result_.retransmits;
            if (!tid_known_) {
                TRY_CTX(send_request(), "tftp: sending the request for %s to %s", req_.filename, server_text_);
            } else {
                // RFC 7440 §4: on a timeout the receiver ACKs the last block received in order.
                send_ack(static_cast<std::uint16_t>(expected_ - 1));
            }
            restart_timer();
            continue;
        }
        // RFC 1350 §4: the server's TID is the port of its first answer;
        // anything from elsewhere gets ERROR 5 and changes nothing.
        if (r.from.ip != req_.server.ip || (tid_known_ && r.from.port != peer_.port)) {
            send_error(r.from, kErrUnknownTid, "Unknown transfer ID");
            ++result_.ignored;
            continue;
        }
        if (r.truncated || r.length < tftp::kHeader) {
            ++result_.ignored;
            continue;
        }
        const std::uint16_t opcode = get16(buf);
        const std::uint16_t block = get16(buf + 2);
        switch (opcode) {
            case kData:
                if (!tid_known_) {
                    // RFC 2347: a server without options answers the RRQ with DATA 1,
                    // and then it is 512-byte blocks, one per ACK.
                    if (block != 1) {
                        ++result_.ignored;
                        continue;
                    }
                    tid_known_ = true;
                    peer_ = r.from;
                }
                {
                    auto done = on_data(block, buf + tftp::kHeader, r.length - tftp::kHeader);
                    if (!done) return done.error();
                    if (done.value()) {
                        result_.block_size = block_size_;
                        result_.window_size = window_size_;
                        result_.elapsed_ms = now_ms() - started_ms_;
                        report_progress(true);
                        return result_;
                    }
                }
                break;
            case kOack:
                if (!tid_known_) {
                    tid_known_ = true;
                    peer_ = r.from;
                    if (Status s = accept_oack(buf + 2, r.length - 2); !s) {
                        Error e = s.error();
                        e.prefix("tftp: %s: bad option acknowledgement from %s", req_.filename, server_text_);
                        return abort(kErrOptions, "bad option acknowledgement", e);
                    }
                    if (result_.tsize > req_.dest.size()) {
                        return abort(
                            kErrDiskFull, "disk full or allocation exceeded",
                            Error::make(Errc::no_space, "tftp: %s from %s is %lu bytes, more than the %zu at %p",
                                        req_.filename, server_text_, result_.tsize, req_.dest.size(),
                                        static_cast<void*>(req_.dest.data())));
                    }
                    retries_ = 0;
                    send_ack(0);  // RFC 2347: the client ACKs an OACK with block 0
                    restart_timer();
                } else if (result_.blocks == 0 && acked_any_) {
                    ++result_.duplicates;  // our ACK 0 was lost
                    send_ack(0);
                } else {
                    ++result_.ignored;
                }
                break;
            case kError:
                // An error from the server ends the transfer; no ERROR is sent back (RFC 1350 §7).
                return server_error(buf, r.length);
            default: ++result_.ignored; break;
        }
    }
}

}  // namespace

Result<TftpResult> tftp_read(DatagramSocket& socket, const TftpRequest& request) {
    Session session(socket, request);
    return session.run();
}

}  // namespace xb::net
