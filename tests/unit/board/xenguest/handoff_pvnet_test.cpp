// The hand-off with a PV network interface: release_xen closes a connected
// vif as netboot.md §1.5 says (TX drained, Closing -> Closed -> Initialising,
// keys removed, grants ended), so netback waits in InitWait for the kernel's
// netfront; a vif never used is left alone; a backend still mapping a TX page
// stops the boot until it lets go.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "board/xenguest/handoff.h"
#include "drivers/pvnet/pvnet_bus.h"
#include "net/stack.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/sim_netback.h"

namespace {

using namespace xb;

void no_enter(std::uint64_t, std::uint64_t, Range, Range) {}

struct VifGuest : sim::SimGuest {
    sim::SimXenstore& xs = *daemon;
    sim::SimNetback nb{xen, *daemon};
    pvnet::NetFront::Env env{xen, events, grants, *store, heap};
    pvnet::PvNetBus vifs;
    MemoryMap memory;

    VifGuest() : SimGuest(Options{}.with_fresh_ram().with_xenstore(xen::XenStore::Config{1000}).with_grant_table()) {
        pvnet::NetfrontOptions o;
        o.connect_timeout_ms = o.close_timeout_ms = 300;
        o.tx_timeout_ms = 200;
        EXPECT_TRUE(vifs.probe(env, o, console.get()).ok());
        memory.add_ram({0x40000000, 256u << 20});
    }
    board::HandoffParts parts() {
        return board::HandoffParts{xen,     events,   mapping, &grants,   store.get(),
                                   nullptr, *console, memory,  &no_enter, &vifs};
    }
    std::string log() {
        console->flush();
        return backend.take_output();
    }
};

TEST(HandoffPvnet, AConnectedVifIsHandedBackInInitWaitWithNoGrantInUse) {
    VifGuest g;
    ASSERT_EQ(g.vifs.count(), 1u);
    Result<net::Link*> link = g.vifs.open(0);
    ASSERT_TRUE(link.ok()) << link.error().message();
    ASSERT_TRUE(link.value()->transmit(std::vector<std::uint8_t>(60, 0xab)).ok());
    ASSERT_GT(g.grants.in_use(), 256u);

    board::XenguestHandoff h(g.parts());
    const Result<unsigned> warnings = h.release_xen(*g.console);
    ASSERT_TRUE(warnings.ok()) << warnings.error().message();
    EXPECT_EQ(warnings.value(), 0u) << g.log();
    EXPECT_TRUE(h.released());
    EXPECT_EQ(g.nb.sent_frames().size(), 1u);
    EXPECT_EQ(g.nb.state_log(), (std::vector<std::string>{"4", "5", "6", "1"}));
    EXPECT_EQ(g.xs.get(g.nb.backend() + "/state"), "2");
    EXPECT_FALSE(g.xs.exists(g.nb.frontend() + "/tx-ring-ref"));
    EXPECT_FALSE(g.xs.exists(g.nb.frontend() + "/request-rx-copy"));
    EXPECT_EQ(g.grants.in_use(), 0u);
    EXPECT_EQ(g.xen.grant_frames_mapped(), 0u);
}

TEST(HandoffPvnet, AVifNeverUsedIsLeftAsTheToolstackMadeIt) {
    VifGuest g;
    board::XenguestHandoff h(g.parts());
    ASSERT_TRUE(h.release_xen(*g.console).ok());
    EXPECT_TRUE(g.nb.state_log().empty());
    EXPECT_EQ(g.xs.get(g.nb.backend() + "/state"), "2");
}

TEST(HandoffPvnet, ATxPageStillMappedStopsTheBootUntilTheBackendLetsGo) {
    VifGuest g;
    ASSERT_TRUE(g.vifs.open(0).ok());
    g.nb.set_withhold_tx(true);
    ASSERT_TRUE(g.vifs.vif(0).transmit(std::vector<std::uint8_t>(60, 1)).ok());
    board::XenguestHandoff h(g.parts());
    const Result<unsigned> refused = h.release_xen(*g.console);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(
        std::string(refused.error().message()).find("hand-off refused: 1 grant reference still in use (vif 0: 1)"),
        std::string::npos)
        << refused.error().message();
    const std::string log = g.log();
    EXPECT_NE(log.find("xenboot: warning: hand-off: closing PV network interfaces: vif 0: 1 frames still unanswered"),
              std::string::npos)
        << log;
    EXPECT_FALSE(h.released());
    g.nb.let_go();
    const Result<unsigned> released = h.release_xen(*g.console);
    ASSERT_TRUE(released.ok()) << released.error().message();
    EXPECT_EQ(g.grants.in_use(), 0u);
}

}  // namespace

namespace {

// The network commands' IP stack runs on vif 0: the hand-off takes it down
// (no lwIP timer or netif left on the link) before the vif closes.
TEST(HandoffPvnet, TheIpStackGoesDownBeforeTheVifCloses) {
    VifGuest g;
    Result<xb::net::Link*> link = g.vifs.open(0);
    ASSERT_TRUE(link.ok()) << link.error().message();
    xb::net::Stack stack;
    ASSERT_TRUE(stack.up(*link.value()).ok());
    stack.configure({xb::net::Ipv4Address{0x0A090032}, xb::net::Ipv4Address{0xFFFFFF00}, {}});
    board::HandoffParts parts = g.parts();
    parts.stack = &stack;
    board::XenguestHandoff h(parts);
    const Result<unsigned> warnings = h.release_xen(*g.console);
    ASSERT_TRUE(warnings.ok()) << warnings.error().message();
    EXPECT_EQ(warnings.value(), 0u) << g.log();
    EXPECT_FALSE(stack.is_up());
    EXPECT_EQ(g.nb.state_log(), (std::vector<std::string>{"4", "5", "6", "1"}));
}

}  // namespace
