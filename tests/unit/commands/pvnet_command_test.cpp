// The pvnet command on the shell: `info` lists each vif with its MAC, backend,
// state and counters without connecting it; `reset` connects (again), also a
// vif the backend broke.
#include <gtest/gtest.h>

#include <string>

#include "bootflow/services.h"
#include "bootflow/system_info.h"
#include "drivers/pvnet/pvnet_bus.h"
#include "shell/shell.h"
#include "tests/sim/fakes.h"
#include "tests/sim/sim_netback.h"

namespace {

using namespace xb;

struct PvnetRig : sim::SimGuest {
    sim::SimNetback nb{xen, *daemon};
    pvnet::NetFront::Env env{xen, events, grants, *store, heap};
    pvnet::PvNetBus bus;
    sim::FakePower power;
    cmd::SystemInfo sys;
    cmd::Services services;

    PvnetRig() : SimGuest(Options{}.with_fresh_ram().with_xenstore(xen::XenStore::Config{1000}).with_grant_table()) {
        pvnet::NetfrontOptions o;
        o.connect_timeout_ms = o.close_timeout_ms = 300;
        EXPECT_TRUE(bus.probe(env, o, nullptr).ok());
        services.pvnet_bus = &bus;
    }
    std::string run(const std::string& line) {
        cmd::Context ctx{*console, power, sys};
        ctx.services = &services;
        cmd::Shell shell(ctx);
        shell.run_line(line);
        console->flush();
        return backend.take_output();
    }
};

TEST(PvnetCommand, InfoShowsTheVifWithoutConnectingIt) {
    PvnetRig r;
    EXPECT_EQ(r.run("pvnet info"),
              "eth0: vif 0, MAC 00:16:3e:12:34:56, backend /local/domain/0/backend/vif/1/0 (domain 0)\r\n"
              "            State: not connected (connects on first use)\r\n"
              "            Frames: rx 0 (0 bytes), tx 0 (0 bytes), dropped 0, errors 0\r\n"
              "            RX: 0 slots, 0 large, 0 checksum-trusted; 0 notifications sent, 0 waits (0 ms)\r\n");
    EXPECT_FALSE(r.nb.connected());
}

TEST(PvnetCommand, ResetConnectsAndInfoCountsFrames) {
    PvnetRig r;
    EXPECT_EQ(r.run("pvnet reset"), "eth0: vif 0 connected\r\n");
    ASSERT_TRUE(r.nb.connected());
    ASSERT_TRUE(r.bus.vif(0).transmit(std::vector<std::uint8_t>(60, 1)).ok());
    const std::string info = r.run("pvnet info");
    EXPECT_NE(info.find("State: connected in "), std::string::npos) << info;
    EXPECT_NE(info.find(", 256 RX / 32 TX buffers, large receive sg+gso-tcpv4\r\n"), std::string::npos) << info;
    EXPECT_NE(info.find("Frames: rx 0 (0 bytes), tx 1 (60 bytes), dropped 0, errors 0"), std::string::npos) << info;
    EXPECT_NE(r.run("pvnet reset 1").find("no interface 1 (there are 1)"), std::string::npos);
}

TEST(PvnetCommand, ResetRecoversABrokenVif) {
    PvnetRig r;
    ASSERT_TRUE(r.bus.open(0).ok());
    r.nb.bogus_tx_response_once();
    ASSERT_TRUE(r.bus.vif(0).transmit(std::vector<std::uint8_t>(60, 1)).ok());
    r.nb.service();
    ASSERT_FALSE(r.bus.vif(0).transmit(std::vector<std::uint8_t>(60, 2)).ok());
    EXPECT_NE(r.run("pvnet info").find("Broken: TX response for request 1000, which is not in flight"),
              std::string::npos);
    EXPECT_EQ(r.run("pvnet reset"), "eth0: vif 0 connected\r\n");
    EXPECT_EQ(r.nb.connects(), 2u);
    ASSERT_TRUE(r.bus.vif(0).transmit(std::vector<std::uint8_t>(60, 3)).ok());
}

}  // namespace
