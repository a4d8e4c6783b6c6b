// Issue 14, D4: a virtual-timer alarm that fires between arch::set_wakeup and
// the vCPU blocking in SCHEDOP_poll is masked by Xen and does not end the poll
// (PSTATE.I is set), so a bounded wait on a silent backend would sleep for
// ever. SimXen::fire_alarms_before_poll makes every alarm fire in that window;
// each wait must still end by its deadline with its timeout, and the
// simulated Xen must never see a poll that only an event could end.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "drivers/pvblock/blkfront.h"
#include "drivers/xen/xenstore.h"
#include "lib/deadline.h"
#include "tests/sim/random_bytes.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/sim_vbd.h"

namespace {

using namespace xb;

std::uint64_t now_ms() { return arch::ticks_to_ms(arch::counter()); }

TEST(LostWakeup, ArmedAlarmThatIsDueIsSeenBeforeBlocking) {
    sim::ConsoleGuest g;
    g.xen.fire_alarms_before_poll(1);
    const unsigned polls = g.xen.polls();
    // The alarm fires as it is armed: block_on returns without polling (a poll
    // would not end for it) and the caller sees its deadline passed.
    const Deadline until = Deadline::after_ms(30);
    EXPECT_TRUE(g.events.block_on(EvtchnPort(1), until).ok());
    EXPECT_EQ(g.xen.alarms_fired_before_poll(), 1u);
    EXPECT_TRUE(until.expired());
    EXPECT_EQ(g.xen.polls(), polls);
    EXPECT_EQ(g.xen.starved_polls(), 0u);
    EXPECT_FALSE(arch::virtual_clock::wakeup().has_value());  // disarmed again
}

TEST(LostWakeup, ConsoleWaitEndsByItsDeadline) {
    sim::ConsoleGuest g;
    g.xen.fire_alarms_before_poll(100);
    const std::uint64_t t0 = now_ms();
    ASSERT_TRUE(g.console->wait_input(Deadline::after_ms(40)).ok());
    const std::uint64_t took = now_ms() - t0;
    EXPECT_GE(took, 40u);
    EXPECT_LT(took, 100u);
    EXPECT_GE(g.xen.alarms_fired_before_poll(), 1u);
    EXPECT_EQ(g.xen.starved_polls(), 0u);
    EXPECT_EQ(g.console->read_char(), -1);
}

TEST(LostWakeup, XenstoreWaitEndsByItsDeadlineWithItsTimeout) {
    sim::XenstoreGuest g(xen::XenStore::Config{50});
    g.daemon.set("k", "v");
    g.daemon.set_stalled(true);
    g.guest.xen.fire_alarms_before_poll(100);
    char buf[16];
    const std::uint64_t t0 = now_ms();
    Result<std::size_t> n = g.store->read("k", buf, sizeof buf);
    const std::uint64_t took = now_ms() - t0;
    ASSERT_FALSE(n.ok());
    EXPECT_STREQ(n.error().message(), "xenstore read k: timed out after 50 ms waiting for xenstored's reply");
    EXPECT_GE(took, 50u);
    EXPECT_LT(took, 200u);
    EXPECT_GE(g.guest.xen.alarms_fired_before_poll(), 1u);
    EXPECT_EQ(g.guest.xen.starved_polls(), 0u);
}

TEST(LostWakeup, BlkfrontWaitEndsByItsStallDeadline) {
    sim::SimGuest g(
        sim::SimGuest::Options{}.with_fresh_ram().with_xenstore(xen::XenStore::Config{2000}).with_grant_table());
    sim::SimVbd vbd(g.xen, *g.daemon, sim::random_bytes(1u << 20, 3), {});
    pvblock::BlkfrontDevice d;
    pvblock::BlkfrontOptions o;
    o.connect_timeout_ms = 300;
    o.stall_timeout_ms = 300;
    pvblock::BlkfrontDevice::Env env = g.blkfront_env();
    ASSERT_TRUE(d.connect(env, 51712, o).ok());
    auto* buf = static_cast<std::uint8_t*>(g.heap.alloc(8192, 4096));
    ASSERT_NE(buf, nullptr);
    vbd.blkback().set_stalled(true);
    g.xen.fire_alarms_before_poll(100);
    const std::uint64_t t0 = now_ms();
    Status s = d.read(0, 16, buf);  // 16 sectors of 512 bytes
    const std::uint64_t took = now_ms() - t0;
    ASSERT_FALSE(s.ok());
    const std::string m = s.error().message();
    EXPECT_NE(m.find("vbd 51712: no response for 300 ms"), std::string::npos) << m;
    EXPECT_GE(took, 300u);
    EXPECT_LT(took, 1000u);
    EXPECT_GE(g.xen.alarms_fired_before_poll(), 1u);
    EXPECT_EQ(g.xen.starved_polls(), 0u);
}

}  // namespace
