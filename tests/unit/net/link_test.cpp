#include "net/link.h"

#include <gtest/gtest.h>

#include <cstring>

namespace xb::net {
namespace {

TEST(MacAddress, ParsesXenStoreForm) {
    auto mac = parse_mac("00:16:3e:12:34:5F");
    ASSERT_TRUE(mac.ok());
    const MacAddress want{{0x00, 0x16, 0x3e, 0x12, 0x34, 0x5f}};
    EXPECT_EQ(mac.value(), want);
    EXPECT_FALSE(mac.value().is_multicast());
    EXPECT_FALSE(mac.value().is_zero());
}

TEST(MacAddress, RefusesMalformedText) {
    for (const char* bad : {"", "00:16:3e:12:34", "00:16:3e:12:34:56:", "00-16-3e-12-34-56", "00:16:3e:12:34:5g",
                            "0:16:3e:12:34:56", "00:16:3e:12:34:567"}) {
        EXPECT_FALSE(parse_mac(bad).ok()) << bad;
    }
}

TEST(MacAddress, FormatsLowerCaseWithColons) {
    const MacAddress mac{{0x00, 0x16, 0x3E, 0xAB, 0x01, 0xff}};
    char text[18];
    format_mac(mac, text);
    EXPECT_STREQ(text, "00:16:3e:ab:01:ff");
    auto back = parse_mac(text);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), mac);
}

TEST(MacAddress, MulticastBitIsTheLowBitOfTheFirstByte) {
    EXPECT_TRUE(parse_mac("ff:ff:ff:ff:ff:ff").value().is_multicast());
    EXPECT_TRUE(parse_mac("01:00:5e:00:00:01").value().is_multicast());
    EXPECT_TRUE(parse_mac("00:00:00:00:00:00").value().is_zero());
}

}  // namespace
}  // namespace xb::net
