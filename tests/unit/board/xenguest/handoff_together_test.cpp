// The hand-off closes every PV disk and vif together (xen::close_together):
// with backends that each take a while (virtual time) to answer every close
// step, the whole dance costs about one device's time, not the sum; the
// state writes due together go out in one XenStore transaction; a backend
// that never answers fails its own device with an error naming it, its pages
// stay in the grant quarantine and the boot is refused, while the other
// devices are still handed back clean.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "board/xenguest/handoff.h"
#include "drivers/pvblock/pvblock_bus.h"
#include "drivers/pvnet/pvnet_bus.h"
#include "tests/sim/random_bytes.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/sim_netback.h"
#include "tests/sim/sim_vbd.h"

namespace {

using namespace xb;

constexpr std::uint64_t kStepMs = 50;      // each backend's answer to each close step
constexpr std::uint64_t kTimeoutMs = 300;  // each step's deadline

void no_enter(std::uint64_t, std::uint64_t, Range, Range) {}

sim::SimVbd::Options slow_disk(unsigned vdev, bool dead = false) {
    return sim::SimVbd::Options::slow_close(vdev, kStepMs, dead);
}

// Two connected disks and one connected vif, as a guest that loaded its
// kernel over the network with a disk attached would have them.
struct ThreeDevices : sim::SimGuest {
    sim::SimXenstore& xs = *daemon;
    sim::SimNetback nb;
    pvblock::BlkfrontDevice::Env disk_env = blkfront_env();
    pvnet::NetFront::Env vif_env{xen, events, grants, *store, heap};
    pvblock::PvBlockBus bus;
    pvnet::PvNetBus vifs;
    MemoryMap memory;

    explicit ThreeDevices(bool second_disk_dead = false)
        : SimGuest(Options{}
                       .with_fresh_ram()
                       .with_xenstore(xen::XenStore::Config{1000})
                       .with_grant_table()
                       .with_disk(sim::random_bytes(1u << 20, 4), slow_disk(51712))
                       .with_disk(sim::random_bytes(1u << 20, 5), slow_disk(51728, second_disk_dead))),
          nb(xen, *daemon, net_options()) {
        pvblock::BlkfrontOptions o;
        o.connect_timeout_ms = kTimeoutMs;
        o.stall_timeout_ms = kTimeoutMs;
        EXPECT_TRUE(bus.probe(disk_env, o, console.get()).ok());
        bus.settle_all();
        pvnet::NetfrontOptions n;
        n.connect_timeout_ms = n.close_timeout_ms = kTimeoutMs;
        n.tx_timeout_ms = 200;
        EXPECT_TRUE(vifs.probe(vif_env, n, console.get()).ok());
        EXPECT_TRUE(vifs.open(0).ok());
        memory.add_ram({0x40000000, 256u << 20});
    }
    static sim::SimNetback::Options net_options() {
        sim::SimNetback::Options o;
        o.close_step_ms = kStepMs;
        return o;
    }
    board::HandoffParts parts() {
        return board::HandoffParts{xen,  events,   mapping, &grants,   store.get(),
                                   &bus, *console, memory,  &no_enter, &vifs};
    }
    std::string log() {
        console->flush();
        return backend.take_output();
    }
};

TEST(HandoffTogether, ThreeSlowBackendsCostAboutOneDevicesTimeNotTheSum) {
    ThreeDevices g;
    ASSERT_EQ(g.bus.count(), 2u);
    ASSERT_TRUE(g.bus.disk(0).connected());
    ASSERT_TRUE(g.bus.disk(1).connected());
    ASSERT_TRUE(g.vifs.vif(0).connected());
    const std::uint64_t nodes = 5 + g.bus.disk(0).queue().ring_pages() + 5 + g.bus.disk(1).queue().ring_pages() + 8;
    board::XenguestHandoff h(g.parts());
    const std::uint64_t t0 = arch::virtual_clock::now();
    const Result<unsigned> warnings = h.release_xen(*g.console);
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    ASSERT_TRUE(warnings.ok()) << warnings.error().message();
    EXPECT_EQ(warnings.value(), 0u) << g.log();
    // One device's three steps take 3 x 50 ms; one after another the three
    // devices took 9 x 50 = 450 ms.
    EXPECT_GE(ms, 3 * kStepMs);
    EXPECT_LT(ms, 4 * kStepMs);
    EXPECT_EQ(h.times().devices, 3u);
    // Clean all the same: every backend answered every step and waits in
    // InitWait, nothing is granted, nothing is mapped.
    EXPECT_EQ(g.vbd(0).state_log(), (std::vector<std::string>{"3", "4", "5", "6", "1"}));
    EXPECT_EQ(g.vbd(1).state_log(), (std::vector<std::string>{"3", "4", "5", "6", "1"}));
    EXPECT_EQ(g.nb.state_log(), (std::vector<std::string>{"4", "5", "6", "1"}));
    EXPECT_EQ(g.xs.get(g.vbd(0).backend() + "/state"), "2");
    EXPECT_EQ(g.xs.get(g.vbd(1).backend() + "/state"), "2");
    EXPECT_EQ(g.xs.get(g.nb.backend() + "/state"), "2");
    EXPECT_FALSE(g.xs.exists(g.vbd(1).frontend() + "/event-channel"));
    EXPECT_FALSE(g.xs.exists(g.nb.frontend() + "/tx-ring-ref"));
    EXPECT_EQ(g.grants.in_use(), 0u);
    EXPECT_EQ(g.xen.live_grants(), 0u);
    EXPECT_EQ(g.xen.grant_frames_mapped(), 0u);
    EXPECT_TRUE(h.released());
    // The figures line: three devices, the slowest answer per step.
    const std::string log = g.log();
    EXPECT_NE(log.find("xenboot: hand-off: 3 devices closed together in 15"), std::string::npos) << log;
    // Nine answers of 50 ms each (and a tick or so) added up: what one after another cost.
    EXPECT_NE(log.find("(backend answers: 45"), std::string::npos) << log;
    EXPECT_NE(log.find(" ms added up; slowest: Closing 50, Closed 50, InitWait 50 ms; "), std::string::npos) << log;
    // Every frontend node was removed inside the dance: the vif's eight keys
    // right after its Closing write, the two disks' five fixed nodes and
    // ring-ref<n> in one batch right after their Closed writes (together).
    EXPECT_EQ(h.times().removals, nodes);
    EXPECT_EQ(h.times().remove_batches, 2u);
    EXPECT_NE(log.find("; " + std::to_string(nodes) + " nodes removed meanwhile in "), std::string::npos) << log;
}

TEST(HandoffTogether, TheStateWritesDueTogetherGoOutInOneTransaction) {
    ThreeDevices g;
    board::XenguestHandoff h(g.parts());
    ASSERT_TRUE(h.release_xen(*g.console).ok());
    // All three backends answer each step at the same virtual moment, so
    // each step is one transaction for the three: three batches, not nine.
    EXPECT_EQ(h.times().write_batches, 3u);
    EXPECT_GT(h.times().requests_dance, 0u);
    EXPECT_LE(h.times().requests_dance, h.times().requests);
}

TEST(HandoffTogether, ABackendThatNeverAnswersFailsItsDeviceAloneAndKeepsItsPages) {
    ThreeDevices g(/*second_disk_dead=*/true);
    ASSERT_TRUE(g.bus.disk(1).connected());
    board::XenguestHandoff h(g.parts());
    const std::uint64_t t0 = arch::virtual_clock::now();
    const Result<unsigned> refused = h.release_xen(*g.console);
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    const std::string log = g.log();
    // The error names the device, its backend and the state it waited for.
    EXPECT_NE(log.find("xenboot: warning: hand-off: closing PV disks: vbd 51728: backend "
                       "/local/domain/0/backend/vbd/1/51728 did not reach Closing or Closed within 300 ms "
                       "(last seen: Connected)"),
              std::string::npos)
        << log;
    // Bounded by the one step deadline, the others' dances running meanwhile
    // (one after another: 3 x 50 + 300 + 3 x 50 = 600 ms).
    EXPECT_GE(ms, kTimeoutMs);
    EXPECT_LT(ms, kTimeoutMs + 2 * kStepMs);
    // blkback still maps vbd 51728's ring and pool: its pages are quarantined,
    // never freed, and the kernel is not started.
    ASSERT_FALSE(refused.ok());
    const std::string m = refused.error().message();
    EXPECT_NE(m.find("hand-off refused: "), std::string::npos) << m;
    EXPECT_NE(m.find("(vbd 51728: "), std::string::npos) << m;
    EXPECT_EQ(m.find("vbd 51712"), std::string::npos) << m;
    EXPECT_EQ(m.find("vif 0"), std::string::npos) << m;
    EXPECT_GT(g.grants.quarantine().held(), 0u);
    EXPECT_EQ(g.grants.quarantine().held(), g.grants.in_use());
    EXPECT_FALSE(h.released());
    EXPECT_GT(g.xen.grant_frames_mapped(), 0u);
    // The other two went through the whole dance and are clean.
    EXPECT_EQ(g.vbd(0).state_log(), (std::vector<std::string>{"3", "4", "5", "6", "1"}));
    EXPECT_EQ(g.nb.state_log(), (std::vector<std::string>{"4", "5", "6", "1"}));
    EXPECT_EQ(g.xs.get(g.vbd(0).backend() + "/state"), "2");
    EXPECT_EQ(g.xs.get(g.nb.backend() + "/state"), "2");
    EXPECT_EQ(g.vbd(1).state_log().back(), "5");  // Closing, then nothing more was possible
}

}  // namespace
