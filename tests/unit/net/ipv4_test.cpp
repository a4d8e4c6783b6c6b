#include "net/ipv4.h"

#include <gtest/gtest.h>

namespace xb::net {
namespace {

TEST(Ipv4Address, ParsesDottedQuad) {
    auto ip = parse_ipv4("10.9.0.1");
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(ip.value().value, 0x0A090001U);
    EXPECT_EQ(parse_ipv4("255.255.255.255").value().value, 0xFFFFFFFFU);
    EXPECT_TRUE(parse_ipv4("0.0.0.0").value().is_any());
}

TEST(Ipv4Address, RefusesMalformedText) {
    for (const char* bad : {"", "10.9.0", "10.9.0.1.", "10.9.0.256", "10..0.1", "a.b.c.d", "10.9.0.1 ", " 10.9.0.1",
                            "1000.9.0.1", "10.9.0.0001", "-1.9.0.1"}) {
        EXPECT_FALSE(parse_ipv4(bad).ok()) << bad;
    }
}

TEST(Ipv4Address, FormatsAndParsesBack) {
    for (std::uint32_t v : {0x00000000U, 0x0A090001U, 0xC0A80164U, 0xFFFFFFFFU, 0x01020304U}) {
        char text[16];
        format_ipv4(Ipv4Address{v}, text);
        auto back = parse_ipv4(text);
        ASSERT_TRUE(back.ok()) << text;
        EXPECT_EQ(back.value().value, v) << text;
    }
    char text[16];
    format_ipv4(Ipv4Address{0xC0A80164U}, text);
    EXPECT_STREQ(text, "192.168.1.100");
}

}  // namespace
}  // namespace xb::net
