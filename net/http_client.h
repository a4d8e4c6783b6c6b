// HTTP/1.1 GET over a Stream (net/transport.h), the body written into a
// caller-given memory range: what `wget` does. Message syntax from RFC 9112
// (status line §4, fields §5, message body length §6.3, chunked coding §7.1),
// semantics from RFC 9110 (status codes §15, Location §10.2.2).
//
// The response is untrusted: the status line and each field line are bounded
// (http::kMaxLine), so is their number (http::kMaxFields); chunk sizes are
// validated; the body never goes past the end of `dest`, and a body that does
// not match its announced length is an error naming both numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/result.h"
#include "net/transfer.h"
#include "net/transport.h"
#include "net/url.h"

namespace xb::net {

namespace http {
constexpr std::size_t kMaxLine = 1024;  // status line, one field line, one chunk-size line
constexpr std::size_t kMaxFields = 64;  // header (or trailer) fields in one response
constexpr std::size_t kMaxReason = 63;  // what of the reason phrase is kept
constexpr unsigned kMaxRedirects = 5;
constexpr unsigned kMaxInterim = 8;  // 1xx responses before the final one
}  // namespace http

// Parses one response fed in arbitrary pieces. The body goes into `dest`
// (only for a 2xx status: any other status stops after the fields).
class HttpResponseParser {
  public:
    explicit HttpResponseParser(std::span<std::uint8_t> dest) : dest_(dest) {}

    // Consumes `data`. An error is final (every later call returns it again).
    Status feed(std::span<const std::uint8_t> data);
    // The peer closed the connection: fine only when the body is complete
    // (or is delimited by the close).
    Status finish();

    bool fields_done() const { return state_ >= State::body_length; }
    bool done() const { return state_ == State::done || state_ == State::stopped; }
    std::uint16_t status() const { return status_; }
    const char* reason() const { return reason_; }
    const char* location() const { return location_; }  // "" when none
    bool location_too_long() const { return location_too_long_; }
    bool length_known() const { return has_length_; }
    std::uint64_t content_length() const { return content_length_; }
    bool chunked() const { return chunked_; }
    std::uint64_t body_bytes() const { return body_; }

    // Where the next body bytes go in the destination, as many as the body
    // can still take there (the rest of the Content-Length or of the chunk);
    // empty outside such body data (a body that ends at the close included). A reader may put received bytes there
    // itself, then say how many with body_written: the same as feed() of them, without the copy through a bounce
    // buffer.
    std::span<std::uint8_t> body_room() const;
    void body_written(std::size_t n);

  private:
    enum class State : std::uint8_t {
        status_line,
        fields,
        // From here on the fields are complete.
        body_length,  // Content-Length bytes
        body_eof,     // until the connection closes
        chunk_size,
        chunk_data,
        chunk_end,  // the CRLF after a chunk's data
        trailers,
        done,
        stopped,  // not 2xx: the body is not read
        failed,
    };
    Status fail(const Error& e) {
        state_ = State::failed;
        error_ = e;
        return e;
    }
    Status on_line();
    Status on_status_line();
    Status on_field();
    Status end_of_fields();
    Status on_chunk_size();
    Status write_body(const std::uint8_t* p, std::size_t n);
    // The state after n more body bytes (the end of the body or of a chunk).
    void after_body(std::size_t n);

    std::span<std::uint8_t> dest_;
    State state_ = State::status_line;
    Error error_ = Error::make(Errc::io, "no error");
    char line_[http::kMaxLine + 1] = {};
    std::size_t line_len_ = 0;
    std::size_t fields_ = 0;
    unsigned interim_ = 0;
    std::uint16_t status_ = 0;
    char reason_[http::kMaxReason + 1] = {};
    char location_[url::kMaxText + 1] = {};
    bool location_too_long_ = false;
    bool has_length_ = false;
    bool chunked_ = false;
    std::uint64_t content_length_ = 0;
    std::uint64_t chunk_left_ = 0;
    std::uint64_t body_ = 0;
};

struct HttpRequest {
    std::span<std::uint8_t> dest;
    TransferCallbacks callbacks;
    std::uint32_t idle_timeout_ms = 30000;  // no byte for this long: give up
};

struct HttpResult {
    std::uint16_t status = 0;
    std::uint64_t bytes = 0;
    std::uint64_t content_length = 0;  // 0 when not announced (see length_known)
    bool length_known = false;
    bool chunked = false;
    std::uint64_t elapsed_ms = 0;
    unsigned redirects = 0;
    // A 3xx with a Location: the caller decides whether to follow (bytes 0).
    char location[url::kMaxText + 1] = {};
};

// The request line and fields of a GET for `url` (Host, User-Agent
// xenboot/<version>, Accept, Connection: close). Returns the length.
Result<std::size_t> http_format_request(const Url& url, char* out, std::size_t size);

// One GET on a connected stream. 2xx: the body is in dest. 3xx with Location:
// returned with `location` set and nothing written. Other statuses: an error
// naming the status and reason (Errc::not_found for 404).
Result<HttpResult> http_get(Stream& stream, const Url& url, const HttpRequest& request);

// Opens a stream to a URL's host (the IP stack's TCP connect).
class HttpConnector {
  public:
    virtual Result<Stream*> connect(const Url& url) = 0;
    virtual void close(Stream* stream) = 0;

  protected:
    ~HttpConnector() = default;
};

// http_get, following at most http::kMaxRedirects redirects (301, 302, 303,
// 307, 308, each on a new connection).
Result<HttpResult> http_download(HttpConnector& connector, const Url& url, const HttpRequest& request);

}  // namespace xb::net
