// xen::close_together against simulated blkbacks (tests/sim/sim_vbd) that
// answer each close step after a delay of virtual time: every device moves
// on as soon as its own backend answers, the dance of several devices costs
// the slowest one's time, a dead backend fails only its device (named), and
// several devices together take fewer XenStore round trips than one by one.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "drivers/xen/xenbus_close.h"
#include "tests/sim/random_bytes.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/sim_vbd.h"
#include "tests/sim/sim_xenstore.h"

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

TEST(XenbusClose, ABackendThatSkipsClosingIsSeenClosedAtOnceWithoutAWatchEvent) {
    // This backend answers Closing with Closed straight away (public/io/xenbus.h
    // allows it) and Initialising with InitWait. After our Closed write its
    // state does not change, so no watch fires: the frontend must read it at
    // once (what it saw already answers the step), not at the next recheck
    // a second later.
    Disks g({disk(51712, 20, /*dead=*/true)});
    g.daemon->on_write(g.fronts[0] + "/state", [&](const std::string&, const std::string& value) {
        if (value == "5") g.daemon->set(g.backs[0] + "/state", "6");
        if (value == "1") g.daemon->set(g.backs[0] + "/state", "2");
    });
    std::vector<xen::CloseDevice> parts = g.parts(5000);
    const std::uint64_t t0 = arch::virtual_clock::now();
    ASSERT_TRUE(xen::close_together(*g.store, parts).ok());
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    EXPECT_EQ(parts[0].steps_done, 3u);
    EXPECT_LT(ms, 100u);
    EXPECT_EQ(g.back_state(0), "2");
}

// Each disk's frontend nodes as negotiate() publishes them (a 4-page ring),
// and CloseDevice's description of them for close_together to remove.
const char* const kNodes[] = {"ring-ref0",       "ring-ref1",     "ring-ref2", "ring-ref3",
                              "ring-page-order", "event-channel", "protocol",  "feature-persistent"};
constexpr std::size_t kNodeCount = sizeof kNodes / sizeof kNodes[0];

void node_path(void* self, std::size_t i, char (&out)[xen::XenStore::kMaxPath]) {
    std::snprintf(out, sizeof out, "%s/%s", static_cast<const std::string*>(self)->c_str(), kNodes[i]);
}

std::size_t nodes_left(Disks& g, std::size_t i) {
    std::size_t n = 0;
    for (const char* node : kNodes) n += g.daemon->exists(g.fronts[i] + "/" + node) ? 1 : 0;
    return n;
}

// remove_after: 1 as blkfront's (after the Closed write), 0 as netfront's.
std::vector<xen::CloseDevice> published(Disks& g, std::uint64_t timeout_ms = 300, unsigned remove_after = 1) {
    std::vector<xen::CloseDevice> parts = g.parts(timeout_ms);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        for (const char* n : kNodes) g.daemon->set(g.fronts[i] + "/" + n, "8");
        parts[i].remove_path = &node_path;
        parts[i].remove_context = &g.fronts[i];
        parts[i].remove_count = kNodeCount;
        parts[i].remove_after = remove_after;
    }
    return parts;
}

// Nodes left under each disk's frontend when it writes Closing, Closed and
// Initialising (a hook on the guest's state writes, run before the next request).
struct NodesAtEachWrite {
    std::vector<std::size_t> closing, closed, initialising;
    explicit NodesAtEachWrite(Disks& g) {
        g.daemon->on_write("device/vbd", [this, &g](const std::string& path, const std::string& value) {
            const std::size_t i = path.find("51728") != std::string::npos ? 1 : 0;
            if (path != std::string(sim::SimXenstore::kHome) + "/" + g.fronts[i] + "/state") return;
            if (value == "5") closing.push_back(nodes_left(g, i));
            if (value == "6") closed.push_back(nodes_left(g, i));
            if (value == "1") initialising.push_back(nodes_left(g, i));
        });
    }
};

TEST(XenbusClose, ADisksNodesGoRightAfterClosedInOneBatchWhileTheBackendsAnswer) {
    Disks g({disk(51712, 50), disk(51728, 50)});
    std::vector<xen::CloseDevice> parts = published(g);
    // When Closed is written the nodes are still there; by the time the
    // frontend writes Initialising, which it does only after the backend
    // answered Closed (50 ms later), they are gone: removed while it closed.
    NodesAtEachWrite seen(g);
    xen::CloseStats st;
    const std::uint64_t t0 = arch::virtual_clock::now();
    ASSERT_TRUE(xen::close_together(*g.store, parts, &st).ok());
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    EXPECT_EQ(seen.closing, (std::vector<std::size_t>{kNodeCount, kNodeCount}));
    EXPECT_EQ(seen.closed, (std::vector<std::size_t>{kNodeCount, kNodeCount}));
    EXPECT_EQ(seen.initialising, (std::vector<std::size_t>{0, 0}));
    // The two disks wrote Closed together: one pipelined batch for both.
    EXPECT_EQ(st.remove_batches, 1u);
    EXPECT_EQ(st.removals, 2 * kNodeCount);
    EXPECT_GE(g.daemon->most_requests_at_once(), 2u);
    // The removals add no step: three answers of 50 ms, as without them.
    EXPECT_GE(ms, 3 * 50u);
    EXPECT_LT(ms, 4 * 50u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_TRUE(parts[i].removals_sent);
        EXPECT_TRUE(parts[i].remove_result.ok());
        EXPECT_EQ(nodes_left(g, i), 0u);
        // The end state is the one before: frontend Initialising, backend InitWait.
        EXPECT_EQ(g.daemon->get(g.fronts[i] + "/state"), "1");
        EXPECT_EQ(g.back_state(i), "2");
        EXPECT_EQ(g.vbd(i).state_log(), (std::vector<std::string>{"5", "6", "1"}));
    }
}

TEST(XenbusClose, ABackendThatNeverAnswersClosedStillHasTheNodesRemovedAndFailsAtItsDeadline) {
    // vbd 51728 answers Closing (by hand: its sim ignores the close) but
    // never Closed: its removals are in flight while it is closing, and
    // they go through; the device fails at its Closed deadline with an
    // error naming it, and the other disk is not held back.
    Disks g({disk(51712, 20), disk(51728, 20, /*dead=*/true)});
    g.daemon->on_write(g.fronts[1] + "/state", [&](const std::string&, const std::string& value) {
        if (value == "5") g.daemon->set(g.backs[1] + "/state", "5");
    });
    std::vector<xen::CloseDevice> parts = published(g, 200);
    Status s = xen::close_together(*g.store, parts);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(),
                 "vbd 51728: backend /local/domain/0/backend/vbd/1/51728 did not reach Closed within 200 ms "
                 "(last seen: Closing)");
    EXPECT_EQ(parts[1].steps_done, 1u);
    EXPECT_TRUE(parts[1].removals_sent);
    EXPECT_TRUE(parts[1].remove_result.ok());
    EXPECT_EQ(nodes_left(g, 1), 0u);
    EXPECT_TRUE(parts[0].result.ok());
    EXPECT_EQ(nodes_left(g, 0), 0u);
    EXPECT_EQ(g.back_state(0), "2");
    EXPECT_EQ(g.daemon->watch_count(), 0u);
}

TEST(XenbusClose, AFailedRemovalIsItsOwnDevicesAndNamesIt) {
    Disks g({disk(51712, 20), disk(51728, 20)});
    std::vector<xen::CloseDevice> parts = published(g);
    g.daemon->fail_next(g.fronts[1] + "/event-channel", "EACCES");
    ASSERT_TRUE(xen::close_together(*g.store, parts).ok());  // the dance itself went through
    EXPECT_TRUE(parts[0].remove_result.ok());
    ASSERT_FALSE(parts[1].remove_result.ok());
    const std::string m = parts[1].remove_result.error().message();
    EXPECT_EQ(m.rfind("vbd 51728: ", 0), 0u) << m;
    EXPECT_NE(m.find("device/vbd/51728/event-channel"), std::string::npos) << m;
    EXPECT_NE(m.find("EACCES"), std::string::npos) << m;
    EXPECT_EQ(nodes_left(g, 0), 0u);
    EXPECT_EQ(nodes_left(g, 1), 1u);  // only the one that failed is left
}

TEST(XenbusClose, ADeviceWhoseDanceStopsBeforeTheWriteLeavesItsNodesToItsOwner) {
    // Closing never went out for vbd 51728 (its state node refuses every
    // request), so neither did Closed: the dance removes nothing of it,
    // finish_close does that afterwards; the other disk's nodes went in the dance.
    Disks g({disk(51712, 20), disk(51728, 20)});
    std::vector<xen::CloseDevice> parts = published(g, 200);
    g.daemon->fail_next(g.fronts[1] + "/state", "EACCES", 100);
    ASSERT_FALSE(xen::close_together(*g.store, parts).ok());
    EXPECT_EQ(parts[1].steps_done, 0u);
    EXPECT_FALSE(parts[1].removals_sent);
    EXPECT_EQ(nodes_left(g, 1), kNodeCount);
    EXPECT_TRUE(parts[0].result.ok());
    EXPECT_TRUE(parts[0].removals_sent);
    EXPECT_EQ(nodes_left(g, 0), 0u);
}

TEST(XenbusClose, RemovingAfterClosingSendsThemBeforeTheBackendAnswersClosing) {
    // As netfront's (netback disconnects on Closing): gone by the Closed write.
    Disks g({disk(51712, 50)});
    std::vector<xen::CloseDevice> parts = published(g, 300, /*remove_after=*/0);
    NodesAtEachWrite seen(g);
    ASSERT_TRUE(xen::close_together(*g.store, parts).ok());
    EXPECT_EQ(seen.closing, (std::vector<std::size_t>{kNodeCount}));
    EXPECT_EQ(seen.closed, (std::vector<std::size_t>{0}));
    EXPECT_EQ(g.back_state(0), "2");
}

TEST(XenbusClose, ABackendThatNeverAnswersClosingHasTheNodesRemovedAllTheSame) {
    // Removal after the Closing write (as a vif's), backend dead.
    Disks g({disk(51712, 20), disk(51728, 20, /*dead=*/true)});
    std::vector<xen::CloseDevice> parts = published(g, 200, /*remove_after=*/0);
    Status s = xen::close_together(*g.store, parts);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    EXPECT_EQ(parts[1].steps_done, 0u);
    EXPECT_TRUE(parts[1].removals_sent);
    EXPECT_EQ(nodes_left(g, 1), 0u);
    EXPECT_EQ(g.back_state(0), "2");
}

}  // namespace
