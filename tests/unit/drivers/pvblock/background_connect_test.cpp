// Disks connect in the background: PvBlockBus::probe starts every handshake
// without waiting for blkback, the handshakes go on from poll() (the console's
// idle loop) or from whatever first needs a disk, several disks in parallel,
// a backend that never connects fails at its deadline without holding up the
// others, the hand-off closes a disk still connecting, and the persistent
// pool is warmed (every page mapped by blkback once) before the first read.
// Backends are SimVbds whose state changes come late on the virtual clock.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "drivers/pvblock/pvblock_bus.h"
#include "drivers/xen/hypercall.h"
#include "tests/sim/fakes.h"
#include "tests/sim/random_bytes.h"
#include "tests/sim/sim_vbd.h"

namespace {

using namespace xb;

struct Guest : sim::SimGuest {
    sim::SimXenstore& xs = *daemon;
    pvblock::BlkfrontDevice::Env env = blkfront_env();

    Guest() : SimGuest(Options{}.with_fresh_ram().with_xenstore(xen::XenStore::Config{2000}).with_grant_table()) {}
};

pvblock::BlkfrontOptions timeouts(std::uint64_t connect_ms) {
    pvblock::BlkfrontOptions o;
    o.connect_timeout_ms = connect_ms;
    o.stall_timeout_ms = 1000;
    return o;
}

std::uint64_t ms_since(std::uint64_t t0) { return arch::ticks_to_ms(arch::counter() - t0); }

sim::SimVbd::Options slow(unsigned vdev, std::uint64_t init_wait_ms, std::uint64_t connect_ms) {
    sim::SimVbd::Options o;
    o.vdev = vdev;
    o.init_wait_after_ms = init_wait_ms;
    o.connect_after_ms = connect_ms;
    return o;
}

// The hand-off's close: every disk disconnected, every grant given back.
void expect_clean_close(pvblock::PvBlockBus& bus, Guest& g) {
    ASSERT_TRUE(bus.disconnect_all().ok());
    EXPECT_EQ(g.grants.in_use(), 0u);
}

TEST(BackgroundConnect, ProbeReturnsBeforeTheBackendConnects) {
    Guest g;
    sim::SimVbd vbd(g.xen, g.xs, sim::random_bytes(1u << 20, 1), slow(51712, 0, 400));
    pvblock::PvBlockBus bus;
    const auto t0 = arch::counter();
    ASSERT_TRUE(bus.probe(g.env, timeouts(3000), nullptr).ok());
    EXPECT_LT(ms_since(t0), 50u);  // no waiting for Connected
    ASSERT_EQ(bus.count(), 1u);
    EXPECT_EQ(bus.disk(0).state(), pvblock::LinkState::wait_init_wait);
    EXPECT_EQ(g.xs.get(vbd.frontend() + "/state"), "1");
    // The first poll (the console's, right after the prompt) publishes the
    // ring and says Initialised; Connected comes later.
    EXPECT_TRUE(bus.poll());
    EXPECT_EQ(bus.disk(0).state(), pvblock::LinkState::wait_connected);
    EXPECT_EQ(g.xs.get(vbd.frontend() + "/state"), "3");
    EXPECT_TRUE(g.xs.exists(vbd.frontend() + "/ring-ref0"));
    EXPECT_EQ(bus.disk(0).info().sectors, 0u);  // nothing known of the disk yet
    ASSERT_TRUE(bus.disconnect_all().ok());
}

TEST(BackgroundConnect, PollingAdvancesTheHandshakeAndWarmsThePool) {
    Guest g;
    sim::SimVbd vbd(g.xen, g.xs, sim::random_bytes(8u << 20, 2), slow(51712, 100, 200));
    pvblock::PvBlockBus bus;
    ASSERT_TRUE(bus.probe(g.env, timeouts(3000), nullptr).ok());
    ASSERT_EQ(bus.count(), 1u);
    EXPECT_EQ(bus.disk(0).state(), pvblock::LinkState::wait_init_wait);  // hotplug script still running
    // What the console's idle loop does: poll, sleep a slice, poll again.
    unsigned polls = 0;
    while (bus.poll()) {
        ASSERT_LT(++polls, 5000u);
        (void)xen::sched_yield(g.xen);  // virtual time passes (1 ms)
    }
    pvblock::BlkfrontDevice& d = bus.disk(0);
    ASSERT_TRUE(d.connected());
    EXPECT_GE(d.info().ms_init_wait, 100u);
    EXPECT_GE(d.info().ms_connected, 200u);
    // Warmed: blkback has mapped every pool page and every slot's indirect
    // page once, within its persistent limit, before any read.
    const unsigned pool = d.info().persistent_pages;
    EXPECT_GT(pool, 0u);
    EXPECT_EQ(vbd.blkback().persistent_mappings(), pool + 64u);
    EXPECT_LE(vbd.blkback().persistent_mappings(), pvblock::BlkQueue::kBackendPersistentGrants);
    // The first real read maps nothing new.
    std::vector<std::uint8_t> buf(4u << 20);
    ASSERT_TRUE(d.read(0, buf.size() / 512, buf.data()).ok());
    EXPECT_EQ(vbd.blkback().persistent_mappings(), pool + 64u);
    EXPECT_EQ(std::memcmp(buf.data(), vbd.blkback().disk().data(), buf.size()), 0);
    expect_clean_close(bus, g);
}

TEST(BackgroundConnect, AReadWaitsForItsDiskAndTheOthersConnectMeanwhile) {
    Guest g;
    sim::SimVbd a(g.xen, g.xs, sim::random_bytes(1u << 20, 3), slow(51712, 50, 300));
    sim::SimVbd b(g.xen, g.xs, sim::random_bytes(1u << 20, 4), slow(51728, 50, 200));
    pvblock::PvBlockBus bus;
    const auto t0 = arch::counter();
    ASSERT_TRUE(bus.probe(g.env, timeouts(3000), nullptr).ok());
    ASSERT_EQ(bus.count(), 2u);
    EXPECT_TRUE(bus.disk(0).pending());
    EXPECT_TRUE(bus.disk(1).pending());
    // The filesystem code's view: the size waits for the handshake.
    BlockDevice& first = bus.disk(0);
    EXPECT_EQ(first.block_count(), (1u << 20) / 512);
    std::vector<std::uint8_t> buf(4096);
    ASSERT_TRUE(first.read(0, 8, buf.data()).ok());
    EXPECT_EQ(std::memcmp(buf.data(), a.blkback().disk().data(), buf.size()), 0);
    // Both handshakes ran side by side: about 350 ms in all, not 600.
    EXPECT_GE(ms_since(t0), 350u);
    EXPECT_LT(ms_since(t0), 500u);
    EXPECT_TRUE(bus.disk(1).connected());
    expect_clean_close(bus, g);
}

TEST(BackgroundConnect, ABackendThatNeverConnectsFailsAtTheDeadlineAndBlocksNoOtherDisk) {
    Guest g;
    sim::SimVbd::Options dead = slow(51712, 0, 0);
    dead.never_connect = true;
    sim::SimVbd a(g.xen, g.xs, sim::random_bytes(1u << 20, 5), dead);
    sim::SimVbd b(g.xen, g.xs, sim::random_bytes(1u << 20, 6), slow(51728, 0, 100));
    pvblock::PvBlockBus bus;
    const auto t0 = arch::counter();
    ASSERT_TRUE(bus.probe(g.env, timeouts(500), nullptr).ok());
    ASSERT_EQ(bus.count(), 2u);
    // The good disk is there as soon as its backend is.
    std::vector<std::uint8_t> buf(4096);
    ASSERT_TRUE(bus.disk(1).read(0, 8, buf.data()).ok());
    EXPECT_LT(ms_since(t0), 200u);
    // The dead one fails its read at the deadline with the usual message.
    Status s = bus.disk(0).read(0, 8, buf.data());
    ASSERT_FALSE(s.ok());
    EXPECT_GE(ms_since(t0), 500u);
    EXPECT_LT(ms_since(t0), 700u);
    EXPECT_STREQ(s.error().message(),
                 "vbd 51712: backend /local/domain/0/backend/vbd/1/51712 did not reach Connected within 500 ms (last "
                 "seen: InitWait)");
    EXPECT_EQ(bus.disk(0).state(), pvblock::LinkState::failed);
    EXPECT_EQ(bus.disk(0).block_count(), 0u);
    // It keeps failing the same way, at once, and gave back what it took.
    const auto t1 = arch::counter();
    Status again = bus.disk(0).read(0, 8, buf.data());
    ASSERT_FALSE(again.ok());
    EXPECT_STREQ(again.error().message(), s.error().message());
    EXPECT_LT(ms_since(t1), 10u);
    EXPECT_TRUE(bus.disk(1).connected());
    expect_clean_close(bus, g);
}

TEST(BackgroundConnect, HandOffClosesDisksStillConnecting) {
    Guest g;
    sim::SimVbd published(g.xen, g.xs, sim::random_bytes(1u << 20, 7), slow(51712, 0, 5000));
    sim::SimVbd early(g.xen, g.xs, sim::random_bytes(1u << 20, 8), slow(51728, 5000, 0));
    pvblock::PvBlockBus bus;
    ASSERT_TRUE(bus.probe(g.env, timeouts(30000), nullptr).ok());
    ASSERT_EQ(bus.count(), 2u);
    EXPECT_TRUE(bus.poll());
    EXPECT_EQ(bus.disk(0).state(), pvblock::LinkState::wait_connected);
    EXPECT_EQ(bus.disk(1).state(), pvblock::LinkState::wait_init_wait);
    ASSERT_TRUE(bus.disconnect_all().ok());
    // The published one did the reset dance and removed its nodes; the
    // other had published nothing and is left as libxl made it.
    EXPECT_EQ(published.state_log(), (std::vector<std::string>{"3", "5", "6", "1"}));
    EXPECT_FALSE(g.xs.exists(published.frontend() + "/ring-ref0"));
    EXPECT_TRUE(early.state_log().empty());
    EXPECT_EQ(g.xs.get(early.frontend() + "/state"), "1");
    EXPECT_EQ(g.grants.in_use(), 0u);
    EXPECT_EQ(bus.disk(0).state(), pvblock::LinkState::closed);
    EXPECT_EQ(bus.disk(1).state(), pvblock::LinkState::closed);
    // The late Connected of the closed disk's backend changes nothing.
    for (int i = 0; i < 200; ++i) (void)xen::sched_yield(g.xen);
    EXPECT_FALSE(bus.poll());
}

}  // namespace
