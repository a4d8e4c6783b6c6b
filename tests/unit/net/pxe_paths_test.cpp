#include "net/pxe_paths.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xb::net {
namespace {

std::vector<std::string> names(const PxeCandidates& c) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < c.count; ++i) v.emplace_back(c.names[i]);
    return v;
}

const MacAddress kMac{{0x00, 0x16, 0x3E, 0xAB, 0x0c, 0x5f}};

TEST(PxePaths, UbootOrderWithEverything) {
    PxeInputs in;
    in.bootfile = "guests/g1/pxelinux.0";
    in.uuid = "9f2b1c8e-0d1a-4a7e-8c1f-2b3c4d5e6f70";
    in.mac = &kMac;
    in.ip = Ipv4Address{0xC0A80164};  // 192.168.1.100
    PxeCandidates c;
    ASSERT_TRUE(pxe_config_candidates(in, c));
    EXPECT_EQ(names(c), (std::vector<std::string>{
                            "guests/g1/pxelinux.cfg/9f2b1c8e-0d1a-4a7e-8c1f-2b3c4d5e6f70",
                            "guests/g1/pxelinux.cfg/01-00-16-3e-ab-0c-5f",
                            "guests/g1/pxelinux.cfg/C0A80164",
                            "guests/g1/pxelinux.cfg/C0A8016",
                            "guests/g1/pxelinux.cfg/C0A801",
                            "guests/g1/pxelinux.cfg/C0A80",
                            "guests/g1/pxelinux.cfg/C0A8",
                            "guests/g1/pxelinux.cfg/C0A",
                            "guests/g1/pxelinux.cfg/C0",
                            "guests/g1/pxelinux.cfg/C",
                            "guests/g1/pxelinux.cfg/default-arm-xen-xenguest_arm64",
                            "guests/g1/pxelinux.cfg/default-arm-xen",
                            "guests/g1/pxelinux.cfg/default-arm",
                            "guests/g1/pxelinux.cfg/default",
                        }));
    EXPECT_EQ(c.skipped, 0u);
}

TEST(PxePaths, NothingKnownGivesTheDefaults) {
    PxeInputs in;
    in.bootfile = "pxelinux.0";  // no directory
    PxeCandidates c;
    ASSERT_TRUE(pxe_config_candidates(in, c));
    EXPECT_EQ(names(c),
              (std::vector<std::string>{"pxelinux.cfg/default-arm-xen-xenguest_arm64", "pxelinux.cfg/default-arm-xen",
                                        "pxelinux.cfg/default-arm", "pxelinux.cfg/default"}));
}

TEST(PxePaths, Option209AloneRelativeToTheBootfileDirectory) {
    PxeInputs in;
    in.bootfile = "/tftp/xen/Image";
    in.config_option = "configs/guest1.conf";
    in.mac = &kMac;
    in.ip = Ipv4Address{0x0A090064};
    PxeCandidates c;
    ASSERT_TRUE(pxe_config_candidates(in, c));
    EXPECT_EQ(names(c), (std::vector<std::string>{"/tftp/xen/configs/guest1.conf"}));
}

TEST(PxePaths, Option210ReplacesTheBootfileDirectory) {
    PxeInputs in;
    in.bootfile = "a/b/c";
    in.path_prefix = "pxe/";
    in.ip = Ipv4Address{0x0A090064};
    PxeCandidates c;
    ASSERT_TRUE(pxe_config_candidates(in, c));
    EXPECT_EQ(names(c)[0], "pxe/pxelinux.cfg/0A090064");
    EXPECT_EQ(names(c).back(), "pxe/pxelinux.cfg/default");
    EXPECT_EQ(c.count, 12u);
}

TEST(PxePaths, TooLongNamesAreSkippedAndBounded) {
    const std::string dir(100, 'd');
    const std::string bootfile = dir + "/f";
    PxeInputs in;
    in.bootfile = bootfile;
    const std::string uuid(40, 'u');
    in.uuid = uuid;  // 101 + 13 + 40 > 127: skipped
    in.mac = &kMac;
    PxeCandidates c;
    ASSERT_TRUE(pxe_config_candidates(in, c));
    // 101 + 13 = 114 bytes before the name: the uuid, the MAC (20),
    // default-arm-xen-xenguest_arm64 and default-arm-xen (15) do not fit.
    EXPECT_EQ(c.skipped, 4u);
    EXPECT_EQ(names(c), (std::vector<std::string>{dir + "/pxelinux.cfg/default-arm", dir + "/pxelinux.cfg/default"}));
    for (std::size_t i = 0; i < c.count; ++i) EXPECT_LE(std::string(c.names[i]).size(), pxe::kMaxPath);

    const std::string option209(200, 'x');
    in.config_option = option209;
    Status s = pxe_config_candidates(in, c);
    ASSERT_FALSE(s);
    EXPECT_STREQ(s.error().message(), "pxe: the config file name from DHCP is longer than 127 bytes");
}

}  // namespace
}  // namespace xb::net
