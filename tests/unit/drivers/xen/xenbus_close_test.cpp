// xen::close_together against simulated blkbacks (tests/sim/sim_vbd) that
// answer each close step after a delay of virtual time: every device moves
// on as soon as its own backend answers, the dance of several devices costs
// the slowest one's time, a dead backend fails only its device (named), and
// several devices together take fewer XenStore round trips than one by one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "drivers/xen/xenbus_close.h"
#include "tests/sim/random_bytes.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/sim_vbd.h"

namespace {

using namespace xb;

sim::SimVbd::Options disk(unsigned vdev, std::uint64_t step_ms, bool dead = false) {
    return sim::SimVbd::Options::slow_close(vdev, step_ms, dead);
}

// Disks the toolstack made (frontends Initialising, blkback in InitWait);
// the test drives only their XenBus states, no ring.
struct Disks : sim::SimGuest {
    std::vector<std::string> fronts, backs, names;

    explicit Disks(std::vector<sim::SimVbd::Options> options)
        : SimGuest(with_disks(Options{}.with_xenstore(xen::XenStore::Config{1000}), options)) {
        for (auto& v : vbds) {
            const std::string id = v->frontend().substr(v->frontend().rfind('/') + 1);
            fronts.push_back("device/vbd/" + id);
            backs.push_back(v->backend());
            names.push_back("vbd " + id);
        }
    }
    static Options with_disks(Options o, const std::vector<sim::SimVbd::Options>& disks) {
        for (const auto& d : disks) o.with_disk(sim::random_bytes(64 * 1024, d.vdev), d);
        return o;
    }
    std::vector<xen::CloseDevice> parts(std::uint64_t timeout_ms = 300) {
        std::vector<xen::CloseDevice> out(fronts.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i].frontend = fronts[i].c_str();
            out[i].backend = backs[i].c_str();
            out[i].name = names[i].c_str();
            out[i].step_timeout_ms = timeout_ms;
        }
        return out;
    }
    std::string back_state(std::size_t i) { return daemon->get(backs[i] + "/state").value_or("<none>"); }
};

TEST(XenbusClose, EachDeviceMovesOnWhenItsOwnBackendAnswers) {
    Disks g({disk(51712, 10), disk(51728, 100)});
    std::vector<xen::CloseDevice> parts = g.parts();
    const std::uint64_t t0 = arch::virtual_clock::now();
    Status s = xen::close_together(*g.store, parts);
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    ASSERT_TRUE(s.ok()) << s.error().message();
    // The slow disk sets the total (3 x 100 ms); the fast one was never held
    // back by it: each of its answers came about 10 ms after its own write.
    EXPECT_GE(ms, 300u);
    EXPECT_LT(ms, 350u);
    for (unsigned k = 0; k < 3; ++k) {
        EXPECT_GE(parts[0].us_step[k], 10000u) << k;
        EXPECT_LT(parts[0].us_step[k], 20000u) << k;
        EXPECT_GE(parts[1].us_step[k], 100000u) << k;
    }
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(parts[i].steps_done, 3u);
        EXPECT_TRUE(parts[i].result.ok());
        EXPECT_EQ(g.vbd(i).state_log(), (std::vector<std::string>{"5", "6", "1"}));
        EXPECT_EQ(g.back_state(i), "2");
    }
}

TEST(XenbusClose, ADeadBackendFailsOnlyItsDeviceWithAnErrorNamingIt) {
    Disks g({disk(51712, 20), disk(51728, 20, /*dead=*/true), disk(51744, 20)});
    std::vector<xen::CloseDevice> parts = g.parts(200);
    const std::uint64_t t0 = arch::virtual_clock::now();
    Status s = xen::close_together(*g.store, parts);
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    const char* want =
        "vbd 51728: backend /local/domain/0/backend/vbd/1/51728 did not reach Closing or Closed within 200 ms "
        "(last seen: InitWait)";
    EXPECT_STREQ(s.error().message(), want);
    EXPECT_STREQ(parts[1].result.error().message(), want);
    EXPECT_EQ(parts[1].steps_done, 0u);
    // The deadline bounds it (plus at most one recheck period), and the others were done meanwhile.
    EXPECT_GE(ms, 200u);
    EXPECT_LT(ms, 320u);
    EXPECT_TRUE(parts[0].result.ok());
    EXPECT_TRUE(parts[2].result.ok());
    EXPECT_EQ(g.back_state(0), "2");
    EXPECT_EQ(g.back_state(2), "2");
    // No watch is left behind.
    EXPECT_EQ(g.daemon->watch_count(), 0u);
}

// The dance as xenboot ran it before close_together, one device after the
// other (BlkfrontDevice::reset_backend: switch_state, then a watched wait, per step).
Status old_dance(xen::XenStore& store, const xen::CloseDevice& d) {
    using xen::XenbusState;
    const XenbusState closing[] = {XenbusState::closing, XenbusState::closed};
    const XenbusState closed[] = {XenbusState::closed};
    const XenbusState init_wait[] = {XenbusState::init_wait, XenbusState::initialising};
    const Deadline step = Deadline::after_ms(d.step_timeout_ms);
    TRY(xen::switch_state(store, d.frontend, XenbusState::closing));
    TRY(xen::wait_backend_state(store, d.backend, closing, 2, step, d.name));
    TRY(xen::switch_state(store, d.frontend, XenbusState::closed));
    TRY(xen::wait_backend_state(store, d.backend, closed, 1, step, d.name));
    TRY(xen::switch_state(store, d.frontend, XenbusState::initialising));
    TRY(xen::wait_backend_state(store, d.backend, init_wait, 2, step, d.name));
    return ok();
}

TEST(XenbusClose, ThreeDevicesTogetherTakeOneDevicesTimeAndFewerRequestsThanOneAfterAnother) {
    Disks before({disk(51712, 20), disk(51728, 20), disk(51744, 20)});
    const std::uint64_t requests0 = before.store->requests();
    std::uint64_t t0 = arch::virtual_clock::now();
    for (const auto& p : before.parts()) ASSERT_TRUE(old_dance(*before.store, p).ok());
    const std::uint64_t old_ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    const std::uint64_t old_requests = before.store->requests() - requests0;

    Disks together({disk(51712, 20), disk(51728, 20), disk(51744, 20)});
    std::vector<xen::CloseDevice> all = together.parts();
    xen::CloseStats st;
    t0 = arch::virtual_clock::now();
    ASSERT_TRUE(xen::close_together(*together.store, all, &st).ok());
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    std::printf(
        "3 devices, 20 ms per backend answer: one after another %lu ms, %lu XenStore requests; "
        "together %lu ms, %lu requests (%u write batches)\n",
        static_cast<unsigned long>(old_ms), static_cast<unsigned long>(old_requests), static_cast<unsigned long>(ms),
        static_cast<unsigned long>(st.requests), st.write_batches);
    EXPECT_GE(old_ms, 9 * 20u);
    EXPECT_GE(ms, 3 * 20u);
    EXPECT_LT(ms, 4 * 20u);
    // The three answer each step at the same moment: each step's three
    // writes share one transaction, one watch per device serves all three steps.
    EXPECT_EQ(st.write_batches, 3u);
    EXPECT_LT(st.requests, old_requests);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(together.back_state(i), "2");
        EXPECT_EQ(together.vbd(i).state_log(), before.vbd(i).state_log());
    }
}

}  // namespace
