// dhcp and ping through the shell, over a fake link whose far end is the
// scripted peer (tests/sim/net_peer.h), as the board would provide a vif.
#include <gtest/gtest.h>

#include <string>

#include "bootflow/net_devices.h"
#include "tests/sim/net_peer.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

class FakeNetDevices final : public cmd::NetDevices {
  public:
    explicit FakeNetDevices(net::Link* l) : link_(l) {}
    Result<net::Link*> link(unsigned index) override {
        if (index != 0 || link_ == nullptr) return Error::make(Errc::not_found, "no such port");
        return link_;
    }
    net::Stack& stack() override { return stack_; }

  private:
    net::Link* link_;
    net::Stack stack_;
};

struct NetCommands : ::testing::Test {
    sim::FakeLink link{net::MacAddress{{0x00, 0x16, 0x3e, 0x12, 0x34, 0x56}}};
    sim::NetPeer peer{link, net::MacAddress{{0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc}}, 0x0A090001};
    FakeNetDevices devices{&link};
    sim::ShellRig r;
    void SetUp() override { r.services.net = &devices; }
    std::string env(const char* name) {
        auto v = r.env.get(name);
        return v.has_value() ? std::string(*v) : std::string("<unset>");
    }
};

TEST_F(NetCommands, DhcpSetsTheUBootVariables) {
    peer.dhcp.options = {{6, {10, 9, 0, 1}},     {12, {'g', '1'}},       {67, {'I', 'm', 'a', 'g', 'e'}},
                         {209, {'p', 'x', 'e'}}, {210, {'/', 't', '/'}}, {17, {'/', 'r'}},
                         {66, {'t', 's'}}};
    int rc = -1;
    EXPECT_EQ(r.run("setenv bootp_vci my.class; setenv autoload no; dhcp", &rc),
              "DHCP client bound to address 10.9.0.50\n");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(env("ipaddr"), "10.9.0.50");
    EXPECT_EQ(env("netmask"), "255.255.255.0");
    EXPECT_EQ(env("gatewayip"), "10.9.0.1");
    EXPECT_EQ(env("serverip"), "10.9.0.1");
    EXPECT_EQ(env("dnsip"), "10.9.0.1");
    EXPECT_EQ(env("dnsip2"), "<unset>");
    EXPECT_EQ(env("bootfile"), "Image");
    EXPECT_EQ(env("hostname"), "g1");
    EXPECT_EQ(env("rootpath"), "/r");
    EXPECT_EQ(env("pxelinux_configfile"), "pxe");
    EXPECT_EQ(env("pxelinux_pathprefix"), "/t/");
    EXPECT_EQ(env("tftpservername"), "ts");
    const auto& vci = peer.last_client_options[60];
    EXPECT_EQ(std::string(vci.begin(), vci.end()), "my.class");
}

TEST_F(NetCommands, DhcpWithoutServerFailsWithOneLine) {
    peer.dhcp.enabled = false;
    int rc = -1;
    EXPECT_EQ(r.run("dhcp", &rc), "dhcp: no DHCPOFFER in 10000 ms (3 DISCOVERs sent)\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(env("ipaddr"), "<unset>");
}

// dhcp addr file loads after the lease (tftp_wget_test.cpp has the
// transfers): here the address is outside RAM, refused before any TFTP.
TEST_F(NetCommands, DhcpWithArgumentsLoadsAfterTheLease) {
    int rc = -1;
    const std::string out = r.run("dhcp 0x40000000 Image", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out,
              "DHCP client bound to address 10.9.0.50\ndhcp: refusing Image at 0x40000000-0x40000001: not in RAM\n");
    EXPECT_EQ(peer.discovers, 1U);
    EXPECT_EQ(env("ipaddr"), "10.9.0.50");
}

TEST_F(NetCommands, PingAfterDhcp) {
    int rc = -1;
    r.run("dhcp", &rc);
    ASSERT_EQ(rc, 0);
    const std::string out = r.run("ping 10.9.0.1", &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(out.rfind("host 10.9.0.1 is alive (", 0), 0U) << out;
}

TEST_F(NetCommands, PingUsesTheEnvironmentWithoutALease) {
    peer.answer_arp = false;
    int rc = -1;
    EXPECT_EQ(r.run("setenv ipaddr 10.9.0.7; setenv netmask 255.255.255.0; ping 10.9.0.1", &rc),
              "ping: no ARP reply from 10.9.0.1\n");
    EXPECT_EQ(rc, 1);
}

TEST_F(NetCommands, PingChecksItsArgument) {
    int rc = -1;
    const std::string out = r.run("ping 10.9.0", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "ping: '10.9.0' is not an IPv4 address (usage: ping pingAddress)\n");
}

TEST_F(NetCommands, NoNetworkDevice) {
    r.services.net = nullptr;
    int rc = -1;
    EXPECT_EQ(r.run("dhcp", &rc), "dhcp: no network device\n");
    EXPECT_EQ(rc, 1);
}

}  // namespace
