#include "net/http_client.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/sim/fake_transport.h"
#include "xenboot/version.h"

namespace xb::net {
namespace {

using sim::FakeStream;

std::string body_of(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

// Splits `text` into pieces of `piece` bytes (the last one shorter).
std::deque<std::string> pieces(const std::string& text, std::size_t piece) {
    std::deque<std::string> out;
    for (std::size_t i = 0; i < text.size(); i += piece) out.push_back(text.substr(i, piece));
    return out;
}

class HttpClientTest : public ::testing::Test {
  protected:
    FakeStream stream;
    std::vector<std::uint8_t> dest = std::vector<std::uint8_t>(64 * 1024, 0xEE);
    HttpRequest req;
    Url url;

    void SetUp() override {
        req.dest = dest;
        ASSERT_TRUE(parse_url("http://10.9.0.1/boot/Image", {}, url));
    }
    Result<HttpResult> get(const std::string& response, std::size_t piece = 1 << 20) {
        stream.chunks = pieces(response, piece);
        return http_get(stream, url, req);
    }
    std::string got(std::size_t n) const { return std::string(dest.begin(), dest.begin() + n); }
    void expect_untouched_from(std::size_t n) const {
        for (std::size_t i = n; i < dest.size(); ++i) ASSERT_EQ(dest[i], 0xEE) << "byte " << i;
    }
};

TEST_F(HttpClientTest, SendsAPlainHttp11Get) {
    auto r = get("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(stream.written, std::string("GET /boot/Image HTTP/1.1\r\nHost: 10.9.0.1\r\nUser-Agent: xenboot/") +
                                  XENBOOT_VERSION + "\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.value().bytes, 0u);
    EXPECT_TRUE(r.value().length_known);
}

TEST_F(HttpClientTest, ContentLengthBodyInAnyPieces) {
    const std::string body = body_of(10000);
    for (std::size_t piece : {1u, 7u, 1460u, 100000u}) {
        std::fill(dest.begin(), dest.end(), 0xEE);
        auto r = get("HTTP/1.1 200 OK\r\ncontent-LENGTH:  10000 \r\nServer: x\r\n\r\n" + body, piece);
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(r.value().status, 200);
        EXPECT_EQ(r.value().bytes, 10000u);
        EXPECT_EQ(r.value().content_length, 10000u);
        EXPECT_EQ(got(10000), body);
        expect_untouched_from(10000);
    }
}

TEST_F(HttpClientTest, ChunkedBodyWithExtensionsAndTrailers) {
    const std::string response =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
        "5\r\nhello\r\n"
        "1A;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n"
        "0\r\nX-Trailer: 1\r\n\r\n";
    for (std::size_t piece : {1u, 3u, 1000u}) {
        auto r = get(response, piece);
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_TRUE(r.value().chunked);
        EXPECT_FALSE(r.value().length_known);  // chunked wins over Content-Length
        EXPECT_EQ(r.value().bytes, 31u);
        EXPECT_EQ(got(31), "helloabcdefghijklmnopqrstuvwxyz");
        expect_untouched_from(31);
    }
}

TEST_F(HttpClientTest, NoLengthReadsToTheClose) {
    auto r = get("HTTP/1.0 200 OK\n\n" + body_of(5000), 999);  // bare LF line ends too
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r.value().bytes, 5000u);
    EXPECT_FALSE(r.value().length_known);
    EXPECT_EQ(got(5000), body_of(5000));
}

TEST_F(HttpClientTest, ShortBodyNamesBothNumbers) {
    auto r = get("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + body_of(4000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::bad_data);
    EXPECT_STREQ(r.error().message(),
                 "http: /boot/Image from 10.9.0.1: connection closed after 4000 of 5000 bytes (Content-Length)");
}

TEST_F(HttpClientTest, LongBodyIsAnError) {
    auto r = get("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789EXTRA", 7);
    ASSERT_FALSE(r);
    EXPECT_STREQ(r.error().message(),
                 "http: /boot/Image from 10.9.0.1: more data than announced: at least 5 bytes after the body");
    EXPECT_EQ(got(10), "0123456789");
    expect_untouched_from(10);
}

TEST_F(HttpClientTest, BodyLargerThanTheRange) {
    req.dest = std::span<std::uint8_t>(dest.data(), 100);
    auto r = get("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n" + body_of(101));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::no_space);
    EXPECT_NE(std::string(r.error().message()).find("body of 101 bytes does not fit in the 100 bytes"),
              std::string::npos)
        << r.error().message();
    expect_untouched_from(0);

    // Without a length: the piece that would pass the limit is not written.
    // 19 bytes of header, then body pieces of 11, 30, 30: 71 bytes, then 30 more would not fit.
    auto r2 = get("HTTP/1.1 200 OK\r\n\r\n" + body_of(150), 30);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code(), Errc::no_space);
    EXPECT_EQ(got(71), body_of(71));
    expect_untouched_from(71);

    // Chunked: the chunk that would not fit is refused before any of it is written.
    std::fill(dest.begin(), dest.end(), 0xEE);
    auto r3 = get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + body_of(80) + "\r\n20\r\n" +
                  body_of(32) + "\r\n0\r\n\r\n");
    ASSERT_FALSE(r3);
    EXPECT_NE(std::string(r3.error().message()).find("chunk of 32 bytes after 80 does not fit in the 100 bytes"),
              std::string::npos)
        << r3.error().message();
    expect_untouched_from(80);
}

TEST_F(HttpClientTest, BadChunkedBodies) {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    struct Case {
        std::string body;
        const char* message;
    };
    const Case cases[] = {
        {"zz\r\nab\r\n0\r\n\r\n", "bad chunk size line 'zz'"},
        {"\r\n", "bad chunk size line ''"},
        {"5 x\r\nhello\r\n0\r\n\r\n", "bad chunk size line '5 x'"},
        {"1000000000000000\r\n", "chunk size with more than 15 hex digits"},
        {"fffffffffffffff\r\n", nullptr},  // fits 15 digits, not the range
        {"3\r\nhello\r\n0\r\n\r\n", "chunk data longer than its size"},
        {"5\r\nhello\r\n", "connection closed after 5 bytes, in the middle of a chunk"},
        {"5\r\nhello\r\n0\r\n\r\nmore", "more data than announced: at least 2 bytes after the last chunk"},
    };
    for (const Case& c : cases) {
        auto r = get(head + c.body, 2);
        ASSERT_FALSE(r) << c.body;
        if (c.message != nullptr) {
            EXPECT_EQ(std::string(r.error().message()), std::string("http: /boot/Image from 10.9.0.1: ") + c.message);
        }
    }
    auto r = get("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::unsupported);
    EXPECT_STREQ(r.error().message(), "http: /boot/Image from 10.9.0.1: Transfer-Encoding 'gzip' is not supported");
}

TEST_F(HttpClientTest, HeaderLimits) {
    auto r = get("HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'x') + "\r\n\r\n");
    ASSERT_FALSE(r);
    EXPECT_STREQ(r.error().message(), "http: /boot/Image from 10.9.0.1: response line longer than 1024 bytes");

    std::string many = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 65; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    auto r2 = get(many + "\r\n");
    ASSERT_FALSE(r2);
    EXPECT_STREQ(r2.error().message(), "http: /boot/Image from 10.9.0.1: more than 64 header fields");

    struct Case {
        std::string response;
        const char* message;
    };
    const Case cases[] = {
        {"HTTP/2 200 OK\r\n\r\n", "not an HTTP/1.x status line: 'HTTP/2 200 OK'"},
        {"HTTP/1.1 20 OK\r\n\r\n", "not an HTTP/1.x status line: 'HTTP/1.1 20 OK'"},
        {"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "bad header line 'no colon'"},
        {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "folded header line (obsolete, RFC 9112 section 5.2)"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "bad Content-Length '12a'"},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length '-1'"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "Content-Length 5 and 6 disagree"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n", "Content-Length with more than 18 digits"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", "connection closed before the end of the response header"},
        {"", "connection closed before the end of the response header"},
    };
    for (const Case& c : cases) {
        auto rc = get(c.response, 3);
        ASSERT_FALSE(rc) << c.response;
        EXPECT_EQ(std::string(rc.error().message()), std::string("http: /boot/Image from 10.9.0.1: ") + c.message);
    }
    // Equal repeated lengths are one length (RFC 9112 section 6.3).
    auto ok = get("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok");
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(got(2), "ok");
}

TEST_F(HttpClientTest, Non2xxNamesStatusAndReason) {
    auto r = get("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::not_found);
    EXPECT_STREQ(r.error().message(), "http: /boot/Image from 10.9.0.1: 404 Not Found");
    expect_untouched_from(0);
    auto r2 = get("HTTP/1.1 500 Internal\x01 Error\r\n\r\n");
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code(), Errc::io);
    EXPECT_STREQ(r2.error().message(), "http: /boot/Image from 10.9.0.1: 500 Internal? Error");
    auto r3 = get("HTTP/1.1 304 Not Modified\r\n\r\n");
    EXPECT_STREQ(r3.error().message(), "http: /boot/Image from 10.9.0.1: 304 Not Modified");
}

TEST_F(HttpClientTest, InterimResponsesAreSkipped) {
    auto r = get("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(got(2), "hi");
    auto r2 = get("HTTP/1.1 204 No Content\r\n\r\n");
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2.value().bytes, 0u);
}

TEST_F(HttpClientTest, RedirectIsReportedToTheCaller) {
    auto r = get("HTTP/1.1 302 Found\r\nLocation: /new/Image\r\nContent-Length: 5\r\n\r\nmoved");
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r.value().status, 302);
    EXPECT_STREQ(r.value().location, "/new/Image");
    EXPECT_EQ(r.value().bytes, 0u);
    expect_untouched_from(0);
}

TEST_F(HttpClientTest, StalledServerTimesOut) {
    stream.chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"};
    stream.stall_at_end = true;
    req.idle_timeout_ms = 2000;
    auto r = http_get(stream, url, req);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::timeout);
    EXPECT_STREQ(r.error().message(), "http: /boot/Image from 10.9.0.1 after 5 bytes: timed out waiting for data");
    stream.chunks = {"HTTP/1.1 200 OK\r\n"};
    stream.stall_at_end = false;
    stream.reset_at_end = true;
    auto r2 = http_get(stream, url, req);
    EXPECT_STREQ(r2.error().message(), "http: /boot/Image from 10.9.0.1 after 0 bytes: connection reset by peer");
}

TEST_F(HttpClientTest, ProgressAndCancel) {
    struct Seen {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
        int polls = 0;
        int cancel_after = 1000;
    } seen;
    req.callbacks.context = &seen;
    req.callbacks.progress_interval_ms = 0;
    req.callbacks.progress = [](void* c, std::uint64_t b, std::uint64_t t) {
        static_cast<Seen*>(c)->calls.emplace_back(b, t);
    };
    req.callbacks.cancel = [](void* c) {
        auto* s = static_cast<Seen*>(c);
        return ++s->polls > s->cancel_after;
    };
    auto r = get("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + body_of(3000), 1000);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_FALSE(seen.calls.empty());
    EXPECT_EQ(seen.calls.back(), (std::pair<std::uint64_t, std::uint64_t>{3000, 3000}));

    seen.polls = 0;
    seen.cancel_after = 3;  // three reads: 459 body bytes after the 41 of the header, then 500 twice
    auto r2 = get("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + body_of(3000), 500);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code(), Errc::interrupted);
    EXPECT_STREQ(r2.error().message(), "http: /boot/Image from 10.9.0.1: cancelled after 1459 bytes");
}

// A connector whose servers are scripted per URL path.
class ScriptedConnector final : public HttpConnector {
  public:
    std::map<std::string, std::string> responses;  // "host:port/path" -> response
    std::vector<std::string> opened;
    int open_now = 0;
    Result<Stream*> connect(const Url& u) override {
        auto ep = url_endpoint(u);
        if (!ep) return ep.error();
        const std::string key = std::string(u.host) + ":" + std::to_string(u.port) + u.path;
        opened.push_back(key);
        streams.push_back(std::make_unique<FakeStream>());
        auto it = responses.find(key);
        if (it != responses.end()) streams.back()->chunks = {it->second};
        ++open_now;
        return static_cast<Stream*>(streams.back().get());
    }
    void close(Stream*) override { --open_now; }
    std::vector<std::unique_ptr<FakeStream>> streams;
};

TEST_F(HttpClientTest, DownloadFollowsRedirects) {
    ScriptedConnector c;
    c.responses["10.9.0.1:80/boot/Image"] = "HTTP/1.1 301 Moved\r\nLocation: http://10.9.0.2:8080/a\r\n\r\n";
    c.responses["10.9.0.2:8080/a"] = "HTTP/1.1 307 Temporary\r\nLocation: /b\r\n\r\n";
    c.responses["10.9.0.2:8080/b"] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone";
    auto r = http_download(c, url, req);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r.value().redirects, 2u);
    EXPECT_EQ(got(4), "done");
    EXPECT_EQ(c.opened, (std::vector<std::string>{"10.9.0.1:80/boot/Image", "10.9.0.2:8080/a", "10.9.0.2:8080/b"}));
    EXPECT_EQ(c.open_now, 0);
    EXPECT_NE(c.streams[1]->written.find("Host: 10.9.0.2:8080\r\n"), std::string::npos);
}

TEST_F(HttpClientTest, DownloadStopsAfterFiveRedirects) {
    ScriptedConnector c;
    c.responses["10.9.0.1:80/boot/Image"] = "HTTP/1.1 302 Found\r\nLocation: /r1\r\n\r\n";
    for (int i = 1; i <= 6; ++i)
        c.responses["10.9.0.1:80/r" + std::to_string(i)] =
            "HTTP/1.1 302 Found\r\nLocation: /r" + std::to_string(i + 1) + "\r\n\r\n";
    auto r = http_download(c, url, req);
    ASSERT_FALSE(r);
    EXPECT_STREQ(r.error().message(), "http: more than 5 redirects (last to /r6)");
    EXPECT_EQ(c.opened.size(), 6u);
    EXPECT_EQ(c.open_now, 0);

    ScriptedConnector d;
    d.responses["10.9.0.1:80/boot/Image"] = "HTTP/1.1 302 Found\r\nLocation: http://files.example/x\r\n\r\n";
    auto r2 = http_download(d, url, req);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code(), Errc::unsupported);
    EXPECT_STREQ(r2.error().message(), "cannot resolve 'files.example': DNS not available (use an IPv4 address)");
}

}  // namespace
}  // namespace xb::net
