#include "net/http_client.h"

#include <cstring>

#include "lib/clock.h"
#include "lib/deadline.h"
#include "lib/format.h"
#include "net/bytes.h"
#include "xenboot/version.h"

namespace xb::net {
namespace {

// How long to wait for the server's close after a complete body.
constexpr std::uint64_t kCloseWaitMs = 500;

std::uint64_t now_ms() {
    const std::uint64_t t = clock_ticks();
    const std::uint64_t hz = clock_hz();
    return t / hz * 1000 + t % hz * 1000 / hz;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Field names are case-insensitive (RFC 9110 §5.1).
bool name_is(const char* name, std::size_t len, const char* want) {
    for (std::size_t i = 0; i < len; ++i)
        if (want[i] == '\0' || lower(name[i]) != want[i]) return false;
    return want[len] == '\0';
}

bool is_tchar(char c) {  // RFC 9110 §5.6.2 token characters
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

// Shown in messages: printable ASCII only, bounded.
void sanitize(const char* in, std::size_t len, char* out, std::size_t size) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < len && n + 1 < size; ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        out[n++] = c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
    }
    out[n] = '\0';
}

}  // namespace

Status HttpResponseParser::feed(std::span<const std::uint8_t> data) {
    std::size_t i = 0;
    while (i < data.size()) {
        switch (state_) {
            case State::failed: return error_;
            case State::stopped: return {};  // not 2xx: the rest is not ours to read
            case State::done:
                return fail(Error::make(Errc::bad_data, "more data than announced: at least %lu bytes after %s",
                                        static_cast<std::uint64_t>(data.size() - i),
                                        chunked_ ? "the last chunk" : "the body"));
            case State::body_length:
            case State::body_eof:
            case State::chunk_data: {
                std::size_t n = data.size() - i;
                if (state_ == State::body_length && n > content_length_ - body_) n = content_length_ - body_;
                if (state_ == State::chunk_data && n > chunk_left_) n = static_cast<std::size_t>(chunk_left_);
                TRY(write_body(data.data() + i, n));
                i += n;
                after_body(n);
                break;
            }
            default: {
                // A line: up to LF; a CR before it is dropped (RFC 9112 §2.2
                // allows a lone LF as the line end).
                const char c = static_cast<char>(data[i++]);
                if (c != '\n') {
                    if (line_len_ == http::kMaxLine)
                        return fail(Error::make(Errc::bad_data, "response line longer than %zu bytes", http::kMaxLine));
                    line_[line_len_++] = c;
                    break;
                }
                if (line_len_ != 0 && line_[line_len_ - 1] == '\r') --line_len_;
                line_[line_len_] = '\0';
                TRY(on_line());
                line_len_ = 0;
                break;
            }
        }
    }
    return {};
}

Status HttpResponseParser::finish() {
    switch (state_) {
        case State::failed: return error_;
        case State::done:
        case State::stopped: return {};
        case State::body_eof: state_ = State::done; return {};
        case State::body_length:
            return fail(Error::make(Errc::bad_data, "connection closed after %lu of %lu bytes (Content-Length)", body_,
                                    content_length_));
        case State::status_line:
        case State::fields:
            return fail(Error::make(Errc::bad_data, "connection closed before the end of the response header"));
        default:
            return fail(
                Error::make(Errc::bad_data, "connection closed after %lu bytes, in the middle of a chunk", body_));
    }
}

Status HttpResponseParser::on_line() {
    switch (state_) {
        case State::status_line: return on_status_line();
        case State::fields:
            if (line_len_ == 0) return end_of_fields();
            return on_field();
        case State::chunk_size: return on_chunk_size();
        case State::chunk_end:
            if (line_len_ != 0) return fail(Error::make(Errc::bad_data, "chunk data longer than its size"));
            state_ = State::chunk_size;
            return {};
        case State::trailers:
            // RFC 9112 §7.1.2: trailer fields are skipped, bounded like the header's.
            if (line_len_ == 0) {
                state_ = State::done;
                return {};
            }
            if (++fields_ > http::kMaxFields)
                return fail(Error::make(Errc::bad_data, "more than %zu header and trailer fields", http::kMaxFields));
            return {};
        default: return {};
    }
}

// RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason-phrase].
Status HttpResponseParser::on_status_line() {
    const char* l = line_;
    if (line_len_ < 12 || std::strncmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ' ||
        l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' ||
        (line_len_ > 12 && l[12] != ' ')) {
        char shown[41];
        sanitize(l, line_len_, shown, sizeof shown);
        return fail(Error::make(Errc::bad_data, "not an HTTP/1.x status line: '%s'", shown));
    }
    status_ = static_cast<std::uint16_t>((l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0'));
    if (line_len_ > 13) sanitize(l + 13, line_len_ - 13, reason_, sizeof reason_);
    else reason_[0] = '\0';
    state_ = State::fields;
    return {};
}

// RFC 9112 §5: field-name ":" OWS field-value OWS.
Status HttpResponseParser::on_field() {
    if (++fields_ > http::kMaxFields)
        return fail(Error::make(Errc::bad_data, "more than %zu header fields", http::kMaxFields));
    if (line_[0] == ' ' || line_[0] == '\t')
        return fail(Error::make(Errc::bad_data, "folded header line (obsolete, RFC 9112 section 5.2)"));
    std::size_t colon = 0;
    while (colon < line_len_ && is_tchar(line_[colon])) ++colon;
    if (colon == 0 || colon == line_len_ || line_[colon] != ':') {
        char shown[41];
        sanitize(line_, line_len_, shown, sizeof shown);
        return fail(Error::make(Errc::bad_data, "bad header line '%s'", shown));
    }
    std::size_t v = colon + 1;
    std::size_t end = line_len_;
    while (v < end && (line_[v] == ' ' || line_[v] == '\t')) ++v;
    while (end > v && (line_[end - 1] == ' ' || line_[end - 1] == '\t')) --end;
    const char* value = line_ + v;
    const std::size_t value_len = end - v;

    if (name_is(line_, colon, "content-length")) {
        // RFC 9112 §6.3: digits; a list of equal values may be taken as one.
        std::uint64_t n = 0;
        std::size_t digits = 0;
        bool have = false;
        for (std::size_t i = 0; i <= value_len; ++i) {
            const char c = i < value_len ? value[i] : ',';
            if (c >= '0' && c <= '9') {
                if (++digits > 18) return fail(Error::make(Errc::bad_data, "Content-Length with more than 18 digits"));
                n = n * 10 + static_cast<std::uint64_t>(c - '0');
            } else if (c == ',' && digits != 0) {
                if ((has_length_ || have) && n != content_length_)
                    return fail(Error::make(Errc::bad_data, "Content-Length %lu and %lu disagree", content_length_, n));
                content_length_ = n;
                has_length_ = have = true;
                n = 0;
                digits = 0;
                while (i + 1 < value_len && (value[i + 1] == ' ' || value[i + 1] == '\t')) ++i;
            } else {
                char shown[41];
                sanitize(value, value_len, shown, sizeof shown);
                return fail(Error::make(Errc::bad_data, "bad Content-Length '%s'", shown));
            }
        }
    } else if (name_is(line_, colon, "transfer-encoding")) {
        // RFC 9112 §6.1: a list of codings; chunked must be the last. We take
        // no other coding (we do not ask for any with TE).
        std::size_t start = 0;
        for (std::size_t i = 0; i <= value_len; ++i) {
            if (i < value_len && value[i] != ',') continue;
            std::size_t a = start, b = i;
            while (a < b && (value[a] == ' ' || value[a] == '\t')) ++a;
            while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t')) --b;
            start = i + 1;
            if (b == a) continue;
            if (!name_is(value + a, b - a, "chunked") || chunked_) {
                char shown[41];
                sanitize(value + a, b - a, shown, sizeof shown);
                return fail(Error::make(Errc::unsupported, "Transfer-Encoding '%s' is not supported", shown));
            }
            chunked_ = true;
        }
    } else if (name_is(line_, colon, "location")) {
        if (value_len > url::kMaxText) {
            location_too_long_ = true;
            location_[0] = '\0';
        } else {
            sanitize(value, value_len, location_, sizeof location_);
        }
    }
    return {};
}

Status HttpResponseParser::end_of_fields() {
    // RFC 9110 §15.2: 1xx are interim; the real response follows.
    if (status_ < 200) {
        if (++interim_ > http::kMaxInterim)
            return fail(Error::make(Errc::bad_data, "more than %u interim (1xx) responses", http::kMaxInterim));
        state_ = State::status_line;
        has_length_ = chunked_ = false;
        content_length_ = 0;
        return {};
    }
    if (status_ >= 300) {
        state_ = State::stopped;
        return {};
    }
    // RFC 9112 §6.3: 204 has no body; chunked wins over Content-Length;
    // with neither, the body ends when the connection closes.
    if (status_ == 204) {
        state_ = State::done;
    } else if (chunked_) {
        has_length_ = false;
        state_ = State::chunk_size;
    } else if (has_length_) {
        if (content_length_ > dest_.size())
            return fail(Error::make(Errc::no_space, "body of %lu bytes does not fit in the %zu bytes at %p",
                                    content_length_, dest_.size(), static_cast<void*>(dest_.data())));
        state_ = content_length_ == 0 ? State::done : State::body_length;
    } else {
        state_ = State::body_eof;
    }
    return {};
}

// RFC 9112 §7.1: chunk-size (hex) [chunk-ext] CRLF.
Status HttpResponseParser::on_chunk_size() {
    std::uint64_t n = 0;
    std::size_t i = 0;
    for (; i < line_len_; ++i) {
        const char c = lower(line_[i]);
        unsigned digit;
        if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
        else break;
        if (i == 15) return fail(Error::make(Errc::bad_data, "chunk size with more than 15 hex digits"));
        n = n << 4 | digit;
    }
    std::size_t j = i;
    while (j < line_len_ && (line_[j] == ' ' || line_[j] == '\t')) ++j;
    if (i == 0 || (j < line_len_ && line_[j] != ';')) {
        char shown[41];
        sanitize(line_, line_len_, shown, sizeof shown);
        return fail(Error::make(Errc::bad_data, "bad chunk size line '%s'", shown));
    }
    if (n == 0) {
        state_ = State::trailers;
        return {};
    }
    if (n > dest_.size() - body_)
        return fail(Error::make(Errc::no_space, "chunk of %lu bytes after %lu does not fit in the %zu bytes at %p", n,
                                body_, dest_.size(), static_cast<void*>(dest_.data())));
    chunk_left_ = n;
    state_ = State::chunk_data;
    return {};
}

Status HttpResponseParser::write_body(const std::uint8_t* p, std::size_t n) {
    if (n > dest_.size() - body_)
        return fail(Error::make(Errc::no_space, "body larger than the %zu bytes at %p", dest_.size(),
                                static_cast<void*>(dest_.data())));
    copy_bytes(dest_.data() + body_, p, n);
    body_ += n;
    return {};
}

void HttpResponseParser::after_body(std::size_t n) {
    if (state_ == State::body_length && body_ == content_length_) state_ = State::done;
    if (state_ == State::chunk_data) {
        chunk_left_ -= n;
        if (chunk_left_ == 0) state_ = State::chunk_end;
    }
}

std::span<std::uint8_t> HttpResponseParser::body_room() const {
    std::uint64_t n = 0;
    switch (state_) {
        case State::body_length: n = content_length_ - body_; break;
        case State::chunk_data: n = chunk_left_; break;
        // A body that ends at the close goes through feed(): a piece that
        // would pass the end of the range is refused whole, none of it written.
        default: return {};
    }
    // Content-Length and every chunk size were checked against the room when
    // they were read, before any of their bytes; the min keeps this true on its own.
    if (n > dest_.size() - body_) n = dest_.size() - body_;
    return dest_.subspan(static_cast<std::size_t>(body_), static_cast<std::size_t>(n));
}

void HttpResponseParser::body_written(std::size_t n) {
    const std::size_t room = body_room().size();
    if (n > room) n = room;  // never past what body_room() offered
    body_ += n;
    after_body(n);
}

Result<std::size_t> http_format_request(const Url& url, char* out, std::size_t size) {
    char host[url::kMaxHost + 8];
    url_host_header(url, host, sizeof host);
    // RFC 9112 §3: request-line; RFC 9110 §7.2 Host, §10.1.5 User-Agent,
    // §12.5.1 Accept; RFC 9112 §9.6 Connection: close (one request per
    // connection, so a body without a length ends at the close).
    const std::size_t n = format_to(out, size,
                                    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: xenboot/%s\r\nAccept: */*\r\n"
                                    "Connection: close\r\n\r\n",
                                    url.path, host, XENBOOT_VERSION);
    if (n >= size) return Error::make(Errc::invalid_argument, "request for %s longer than %zu bytes", url.path, size);
    return n;
}

Result<HttpResult> http_get(Stream& stream, const Url& url, const HttpRequest& request) {
    const std::uint64_t started = now_ms();
    char text[url::kMaxPath + url::kMaxHost + 160];
    auto len = http_format_request(url, text, sizeof text);
    if (!len) return len.error();
    TRY_CTX(stream.write(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text), len.value()),
                         Deadline::after_ms(request.idle_timeout_ms)),
            "http: sending the request for %s to %s", url.path, url.host);

    HttpResponseParser parser(request.dest);
    HttpResult result;
    std::uint64_t last_progress = started;
    std::uint8_t buf[2048];
    bool closed = false;
    // Every pass reads at least one byte or ends: bounded by the body's size
    // and the idle timeout.
    while (!parser.done()) {
        const TransferCallbacks& cb = request.callbacks;
        if (cb.cancel != nullptr && cb.cancel(cb.context))
            return Error::make(Errc::interrupted, "http: %s from %s: cancelled after %lu bytes", url.path, url.host,
                               parser.body_bytes());
        if (cb.progress != nullptr && parser.fields_done()) {
            const std::uint64_t now = now_ms();
            if (now - last_progress >= cb.progress_interval_ms) {
                last_progress = now;
                cb.progress(cb.context, parser.body_bytes(), parser.content_length());
            }
        }
        // Body bytes go from the stream straight to where they belong; the
        // header, chunk framing and anything past the body through `buf`.
        const std::span<std::uint8_t> room = parser.body_room();
        const std::span<std::uint8_t> into = room.empty() ? std::span<std::uint8_t>(buf) : room;
        auto n = stream.read(into, Deadline::after_ms(request.idle_timeout_ms));
        if (!n) {
            Error e = n.error();
            e.prefix("http: %s from %s after %lu bytes", url.path, url.host, parser.body_bytes());
            return e;
        }
        Status s = ok();
        if (n.value() == 0) s = parser.finish();
        else if (!room.empty()) parser.body_written(n.value());
        else s = parser.feed(std::span<const std::uint8_t>(buf, n.value()));
        if (!s) {
            Error e = s.error();
            e.prefix("http: %s from %s", url.path, url.host);
            return e;
        }
        if (n.value() == 0) {
            closed = true;
            break;
        }
    }
    // Connection: close: a server that sent its whole body closes now. What
    // comes instead is more than it announced (an error); a server that keeps
    // the connection open costs at most kCloseWaitMs, and the body stands.
    if (!closed && parser.fields_done() && parser.status() < 300) {
        auto n = stream.read(buf, Deadline::after_ms(kCloseWaitMs));
        if (n && n.value() != 0) {
            Status s = parser.feed(std::span<const std::uint8_t>(buf, n.value()));
            if (!s) {
                Error e = s.error();
                e.prefix("http: %s from %s", url.path, url.host);
                return e;
            }
        }
    }
    result.status = parser.status();
    if (parser.status() >= 300 && parser.status() < 400 &&
        (parser.location()[0] != '\0' || parser.location_too_long())) {
        if (parser.location_too_long())
            return Error::make(Errc::bad_data, "http: %s from %s: redirect (%u) to a location longer than %zu bytes",
                               url.path, url.host, parser.status(), url::kMaxText);
        std::memcpy(result.location, parser.location(), std::strlen(parser.location()) + 1);
        result.elapsed_ms = now_ms() - started;
        return result;
    }
    if (parser.status() < 200 || parser.status() >= 300)
        return Error::make(parser.status() == 404 ? Errc::not_found : Errc::io, "http: %s from %s: %u %s", url.path,
                           url.host, parser.status(), parser.reason());
    // A body ended by the close: the loop above saw the EOF.
    if (!parser.done()) return Error::make(Errc::bad_data, "http: %s from %s: incomplete response", url.path, url.host);
    result.bytes = parser.body_bytes();
    result.length_known = parser.length_known();
    result.content_length = parser.content_length();
    result.chunked = parser.chunked();
    result.elapsed_ms = now_ms() - started;
    if (request.callbacks.progress != nullptr)
        request.callbacks.progress(request.callbacks.context, result.bytes, result.content_length);
    return result;
}

Result<HttpResult> http_download(HttpConnector& connector, const Url& url, const HttpRequest& request) {
    Url current = url;
    for (unsigned redirects = 0;; ++redirects) {
        auto stream = connector.connect(current);
        if (!stream) return stream.error();
        auto got = http_get(*stream.value(), current, request);
        connector.close(stream.value());
        if (!got) return got.error();
        HttpResult& r = got.value();
        r.redirects = redirects;
        if (r.location[0] == '\0') return got;
        const std::uint16_t s = r.status;
        if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308)
            return Error::make(Errc::io, "http: %s from %s: %u with Location '%s'", current.path, current.host, s,
                               r.location);
        if (redirects == http::kMaxRedirects)
            return Error::make(Errc::io, "http: more than %u redirects (last to %s)", http::kMaxRedirects, r.location);
        Url next;
        TRY_CTX(resolve_location(r.location, current, next), "http: redirect from %s", current.path);
        current = next;
    }
}

}  // namespace xb::net
