#include "net/url.h"

#include <gtest/gtest.h>

#include <string>

namespace xb::net {
namespace {

const Ipv4Address kServer{0x0A090001};  // serverip 10.9.0.1

TEST(Url, ParsesHttpWithIpPortAndPath) {
    Url u;
    ASSERT_TRUE(parse_url("http://10.9.0.1:8080/boot/vmlinuz?x=1#frag", {}, u));
    EXPECT_STREQ(u.host, "10.9.0.1");
    EXPECT_TRUE(u.host_is_ip);
    EXPECT_EQ(u.ip, kServer);
    EXPECT_EQ(u.port, 8080);
    EXPECT_STREQ(u.path, "/boot/vmlinuz?x=1");
    auto ep = url_endpoint(u);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep.value(), (Endpoint{kServer, 8080}));
    char host[300];
    url_host_header(u, host, sizeof host);
    EXPECT_STREQ(host, "10.9.0.1:8080");
}

TEST(Url, DefaultsPortAndPath) {
    Url u;
    ASSERT_TRUE(parse_url("HTTP://10.9.0.1", {}, u));
    EXPECT_EQ(u.port, 80);
    EXPECT_STREQ(u.path, "/");
    char host[300];
    url_host_header(u, host, sizeof host);
    EXPECT_STREQ(host, "10.9.0.1");
}

TEST(Url, HostNamesParseButNeedDns) {
    Url u;
    ASSERT_TRUE(parse_url("http://boot-server.example/k", {}, u));
    EXPECT_FALSE(u.host_is_ip);
    EXPECT_STREQ(u.host, "boot-server.example");
    auto ep = url_endpoint(u);
    ASSERT_FALSE(ep);
    EXPECT_EQ(ep.error().code(), Errc::unsupported);
    EXPECT_STREQ(ep.error().message(), "cannot resolve 'boot-server.example': DNS not available (use an IPv4 address)");
}

TEST(Url, LegacyFormUsesServerip) {
    Url u;
    ASSERT_TRUE(parse_url("/boot/Image", kServer, u));
    EXPECT_STREQ(u.host, "10.9.0.1");
    EXPECT_STREQ(u.path, "/boot/Image");
    ASSERT_TRUE(parse_url("Image", kServer, u));
    EXPECT_STREQ(u.path, "/Image");
    ASSERT_TRUE(parse_url("10.9.0.7:/srv/Image", kServer, u));
    EXPECT_EQ(u.ip, Ipv4Address{0x0A090007});
    EXPECT_STREQ(u.path, "/srv/Image");
    EXPECT_EQ(u.port, 80);
    // A ':' after the first '/' is part of the path.
    ASSERT_TRUE(parse_url("/a:b", kServer, u));
    EXPECT_STREQ(u.host, "10.9.0.1");
    EXPECT_STREQ(u.path, "/a:b");
}

TEST(Url, RefusesWhatItCannotDo) {
    struct Case {
        std::string text;
        Ipv4Address server;
        Errc code;
        const char* message;
    };
    const Case cases[] = {
        {"https://10.9.0.1/x", kServer, Errc::unsupported, "HTTPS is not supported yet"},
        {"ftp://10.9.0.1/x", kServer, Errc::unsupported, "URL scheme 'ftp' is not supported (http only)"},
        {"", kServer, Errc::invalid_argument, "empty URL"},
        {"/Image", {}, Errc::invalid_argument, "'/Image': no server: set serverip or give host:path"},
        {"http://10.9.0.1:0/", {}, Errc::invalid_argument, "URL 'http://10.9.0.1:0/': port 0 not in 1..65535"},
        {"http://10.9.0.1:65536/",
         {},
         Errc::invalid_argument,
         "URL 'http://10.9.0.1:65536/': port 65536 not in 1..65535"},
        {"http://10.9.0.1:8x/", {}, Errc::invalid_argument, "URL 'http://10.9.0.1:8x/': bad port '8x'"},
        {"http://10.9.0.256/", {}, Errc::invalid_argument, "URL 'http://10.9.0.256/': bad IPv4 address '10.9.0.256'"},
        {"http:///x", {}, Errc::invalid_argument, "URL 'http:///x': no host"},
        {"http://a b/", {}, Errc::invalid_argument, "URL 'http://a b/': bad character in host 'a b'"},
        {"http://u@h/", {}, Errc::unsupported, "URL 'http://u@h/': user names in URLs are not supported"},
        {"http://h/a b",
         {},
         Errc::invalid_argument,
         "URL 'http://h/a b': bad character 0x20 in path (spaces: write %20)"},
        {std::string(1025, 'a'), kServer, Errc::invalid_argument, "URL longer than 1024 characters"},
        {"http://h/" + std::string(1000, 'p'), {}, Errc::invalid_argument, nullptr},
        {"http://" + std::string(254, 'h') + "/", {}, Errc::invalid_argument, nullptr},
    };
    for (const Case& c : cases) {
        Url u;
        Status s = parse_url(c.text, c.server, u);
        ASSERT_FALSE(s) << c.text;
        EXPECT_EQ(s.error().code(), c.code) << c.text;
        if (c.message != nullptr) {
            EXPECT_STREQ(s.error().message(), c.message);
        }
    }
}

TEST(Url, LongestAcceptedPathAndHost) {
    Url u;
    ASSERT_TRUE(parse_url("http://h/" + std::string(999, 'p'), {}, u));
    EXPECT_EQ(std::string(u.path).size(), 1000u);
    ASSERT_TRUE(parse_url("http://" + std::string(253, 'h') + "/", {}, u));
    EXPECT_EQ(std::string(u.host).size(), 253u);
}

TEST(Url, ResolvesRedirectLocations) {
    Url base;
    ASSERT_TRUE(parse_url("http://10.9.0.1:8080/old/path", {}, base));
    Url u;
    ASSERT_TRUE(resolve_location("/new/Image", base, u));
    EXPECT_STREQ(u.host, "10.9.0.1");
    EXPECT_EQ(u.port, 8080);
    EXPECT_STREQ(u.path, "/new/Image");
    ASSERT_TRUE(resolve_location("http://10.9.0.2/x", base, u));
    EXPECT_EQ(u.ip, Ipv4Address{0x0A090002});
    EXPECT_EQ(u.port, 80);
    EXPECT_STREQ(resolve_location("https://10.9.0.2/x", base, u).error().message(),
                 "redirected to HTTPS, which is not supported yet");
    EXPECT_STREQ(resolve_location("Image", base, u).error().message(),
                 "relative redirect location 'Image' is not supported");
    EXPECT_STREQ(resolve_location("//h/x", base, u).error().message(),
                 "scheme-relative redirect locations are not supported");
}

}  // namespace
}  // namespace xb::net
