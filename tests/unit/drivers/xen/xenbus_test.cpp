// XenBus state helpers against the simulated xenstored, with the test acting
// as the toolstack and as a blkback that follows the frontend's state.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "arch/arch.h"
#include "drivers/xen/xenbus.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/sim_xenstore.h"

namespace {

using namespace xb;
using sim::SimXenstore;
using sim::XenstoreGuest;
using xen::XenbusState;
using xen::XsType;

constexpr const char* kFront = "device/vbd/51712";
constexpr const char* kBack = "/local/domain/0/backend/vbd/1/51712";

std::uint64_t now_ms() { return arch::ticks_to_ms(arch::counter()); }

std::string state_node(const char* dir) { return std::string(dir) + "/state"; }

// The toolstack's set-up of a disk: both directories, both at their first state.
void create_disk(SimXenstore& d) {
    d.set(std::string(kFront) + "/backend", kBack);
    d.set(state_node(kFront), "1");
    d.set(std::string(kBack) + "/frontend", std::string(SimXenstore::kHome) + "/" + kFront);
    d.set(state_node(kBack), "2");  // blkback waits in InitWait for the frontend
}

TEST(Xenbus, StateNames) {
    EXPECT_STREQ(xen::xenbus_state_name(XenbusState::initialising), "Initialising");
    EXPECT_STREQ(xen::xenbus_state_name(XenbusState::init_wait), "InitWait");
    EXPECT_STREQ(xen::xenbus_state_name(XenbusState::connected), "Connected");
    EXPECT_STREQ(xen::xenbus_state_name(XenbusState::closed), "Closed");
    EXPECT_STREQ(xen::xenbus_state_name(XenbusState::reconfigured), "Reconfigured");
    EXPECT_STREQ(xen::xenbus_state_name(static_cast<XenbusState>(42)), "invalid");
}

TEST(Xenbus, ReadState) {
    XenstoreGuest g;
    create_disk(g.daemon);
    EXPECT_EQ(xen::read_state(*g.store, kBack).value(), XenbusState::init_wait);
    EXPECT_EQ(xen::read_state(*g.store, kFront).value(), XenbusState::initialising);
    Result<XenbusState> missing = xen::read_state(*g.store, "device/vbd/999");
    EXPECT_EQ(missing.error().code(), Errc::not_found);
    EXPECT_STREQ(missing.error().message(), "xenstore read device/vbd/999/state: ENOENT");
    g.daemon.set(state_node(kBack), "9");
    Result<XenbusState> bad = xen::read_state(*g.store, kBack);
    EXPECT_EQ(bad.error().code(), Errc::bad_data);
    EXPECT_EQ(std::string(bad.error().message()), std::string("xenbus: ") + kBack + "/state is 9, not a XenbusState");
    g.daemon.set(state_node(kBack), "x");
    EXPECT_EQ(xen::read_state(*g.store, kBack).error().code(), Errc::bad_data);
    EXPECT_EQ(xen::read_state(*g.store, "").error().code(), Errc::invalid_argument);
}

TEST(Xenbus, SwitchStateWritesOnlyChanges) {
    XenstoreGuest g;
    create_disk(g.daemon);
    ASSERT_TRUE(xen::switch_state(*g.store, kFront, XenbusState::connected).ok());
    EXPECT_EQ(g.daemon.get(state_node(kFront)), "4");
    unsigned writes = g.daemon.requests_of(XsType::write);
    ASSERT_TRUE(xen::switch_state(*g.store, kFront, XenbusState::connected).ok());
    EXPECT_EQ(g.daemon.requests_of(XsType::write), writes);  // no write, no watch firing at the backend
    EXPECT_EQ(g.daemon.open_transactions(), 0u);
}

TEST(Xenbus, SwitchStateDoesNotResurrectARemovedDevice) {
    XenstoreGuest g;
    Status s = xen::switch_state(*g.store, kFront, XenbusState::closing);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::not_found);
    EXPECT_STREQ(s.error().message(),
                 "xenbus: switching device/vbd/51712 to Closing: xenstore read device/vbd/51712/state: ENOENT");
    EXPECT_FALSE(g.daemon.exists(state_node(kFront)));
}

TEST(Xenbus, SwitchStateRetriesAConflict) {
    XenstoreGuest g;
    create_disk(g.daemon);
    g.daemon.force_conflicts(1);
    ASSERT_TRUE(xen::switch_state(*g.store, kFront, XenbusState::initialised).ok());
    EXPECT_EQ(g.daemon.get(state_node(kFront)), "3");
    EXPECT_EQ(g.daemon.conflicts(), 1u);
}

TEST(Xenbus, SwitchStateOverAGarbledState) {
    XenstoreGuest g;
    create_disk(g.daemon);
    g.daemon.set(state_node(kFront), "garbage");
    ASSERT_TRUE(xen::switch_state(*g.store, kFront, XenbusState::closed).ok());
    EXPECT_EQ(g.daemon.get(state_node(kFront)), "6");
}

TEST(Xenbus, BackendFollowsTheFrontendThroughTheWatch) {
    XenstoreGuest g;
    create_disk(g.daemon);
    // A blkback: when the frontend says Connected, so does it.
    g.daemon.on_write(state_node(kFront), [&](const std::string&, const std::string& value) {
        if (value == "4") g.daemon.set(state_node(kBack), "4");
    });
    ASSERT_TRUE(xen::switch_state(*g.store, kFront, XenbusState::connected).ok());
    const XenbusState wanted[] = {XenbusState::connected};
    std::uint64_t start = now_ms();
    Result<XenbusState> got =
        xen::wait_backend_state(*g.store, kBack, wanted, 1, Deadline::after_ms(5000), "vbd 51712");
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(got.value(), XenbusState::connected);
    EXPECT_LT(now_ms() - start, 1000u);
    EXPECT_EQ(g.daemon.requests_of(XsType::watch), 1u);
    EXPECT_EQ(g.daemon.requests_of(XsType::unwatch), 1u);
    EXPECT_EQ(g.daemon.watch_count(), 0u);
}

TEST(Xenbus, WaitWakesOnTheWatchWhenTheBackendGetsThereLater) {
    XenstoreGuest g;
    create_disk(g.daemon);
    int idles = 0;
    g.guest.xen.on_idle([&] {
        if (++idles == 200) g.daemon.set(state_node(kBack), "6");
    });
    const XenbusState wanted[] = {XenbusState::connected, XenbusState::closed};
    Result<XenbusState> got =
        xen::wait_backend_state(*g.store, kBack, wanted, 2, Deadline::after_ms(5000), "vbd 51712");
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(got.value(), XenbusState::closed);
    EXPECT_EQ(g.daemon.requests_of(XsType::watch), 1u);
    EXPECT_LE(g.daemon.requests_of(XsType::read), 4u);  // woken by events, not polling
    EXPECT_EQ(g.daemon.watch_count(), 0u);
}

TEST(Xenbus, WaitTimesOutNamingDeviceStateAndLastSeen) {
    XenstoreGuest g;
    create_disk(g.daemon);
    const XenbusState wanted[] = {XenbusState::connected};
    std::uint64_t start = now_ms();
    Result<XenbusState> got = xen::wait_backend_state(*g.store, kBack, wanted, 1, Deadline::after_ms(150), "vbd 51712");
    std::uint64_t took = now_ms() - start;
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), Errc::timeout);
    EXPECT_STREQ(got.error().message(),
                 "vbd 51712: backend /local/domain/0/backend/vbd/1/51712 did not reach Connected within 150 ms "
                 "(last seen: InitWait)");
    EXPECT_GE(took, 150u);
    EXPECT_LT(took, 150u + 500u);
    EXPECT_EQ(g.daemon.watch_count(), 0u);  // unwatched on the way out
}

TEST(Xenbus, TimeoutMessageWithSeveralStatesAndNoNode) {
    XenstoreGuest g;
    const XenbusState wanted[] = {XenbusState::init_wait, XenbusState::connected, XenbusState::closed};
    Result<XenbusState> got = xen::wait_backend_state(*g.store, kBack, wanted, 3, Deadline::after_ms(30), "vbd 51712");
    EXPECT_STREQ(got.error().message(),
                 "vbd 51712: backend /local/domain/0/backend/vbd/1/51712 did not reach InitWait, Connected or Closed "
                 "within 30 ms (last seen: no state node)");
}

TEST(Xenbus, FallsBackToPollingWhenTheWatchIsRefused) {
    XenstoreGuest g;
    create_disk(g.daemon);
    g.daemon.fail_next(state_node(kBack), "EACCES");  // the WATCH is the first request on the node
    int idles = 0;
    g.guest.xen.on_idle([&] {
        if (++idles == 300) g.daemon.set(state_node(kBack), "4");
    });
    const XenbusState wanted[] = {XenbusState::connected};
    Result<XenbusState> got =
        xen::wait_backend_state(*g.store, kBack, wanted, 1, Deadline::after_ms(5000), "vbd 51712");
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(got.value(), XenbusState::connected);
    EXPECT_EQ(g.daemon.requests_of(XsType::unwatch), 0u);
    EXPECT_GE(g.daemon.requests_of(XsType::read), 2u);
}

TEST(Xenbus, FallsBackToPollingWhenAllWatchSlotsAreTaken) {
    XenstoreGuest g;
    create_disk(g.daemon);
    for (std::size_t i = 0; i < xen::XenStore::kMaxWatches; ++i) {
        ASSERT_TRUE(g.store->watch("elsewhere", ("busy" + std::to_string(i)).c_str()).ok());
    }
    g.daemon.set(state_node(kBack), "4");
    const XenbusState wanted[] = {XenbusState::connected};
    Result<XenbusState> got =
        xen::wait_backend_state(*g.store, kBack, wanted, 1, Deadline::after_ms(1000), "vbd 51712");
    ASSERT_TRUE(got.ok()) << got.error().message();
}

TEST(Xenbus, StalledDaemonEndsTheWaitWithAnError) {
    XenstoreGuest g(xen::XenStore::Config{50});
    create_disk(g.daemon);
    g.daemon.set_stalled(true);
    const XenbusState wanted[] = {XenbusState::connected};
    std::uint64_t start = now_ms();
    Result<XenbusState> got =
        xen::wait_backend_state(*g.store, kBack, wanted, 1, Deadline::after_ms(5000), "vbd 51712");
    EXPECT_LT(now_ms() - start, 1000u);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), Errc::timeout);
    EXPECT_NE(std::string(got.error().message()).find("vbd 51712: reading backend state: xenstore read "),
              std::string::npos)
        << got.error().message();
}

TEST(Xenbus, TokensAreUniquePerWait) {
    XenstoreGuest g;
    create_disk(g.daemon);
    g.daemon.set(state_node(kBack), "4");
    const XenbusState wanted[] = {XenbusState::connected};
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(xen::wait_backend_state(*g.store, kBack, wanted, 1, Deadline::after_ms(1000), "vbd").ok());
    }
    std::set<std::string> tokens;
    for (const auto& [path, token] : g.daemon.watch_log()) tokens.insert(token);
    EXPECT_EQ(tokens.size(), 3u);
    EXPECT_EQ(g.daemon.requests_of(XsType::watch), 3u);
    EXPECT_EQ(g.daemon.watch_count(), 0u);
}

TEST(Xenbus, BadArguments) {
    XenstoreGuest g;
    const XenbusState wanted[] = {XenbusState::connected, XenbusState::closed, XenbusState::closing,
                                  XenbusState::initialised, XenbusState::init_wait};
    EXPECT_EQ(xen::wait_backend_state(*g.store, kBack, wanted, 0, Deadline::after_ms(10), "vbd").error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(xen::wait_backend_state(*g.store, kBack, wanted, 5, Deadline::after_ms(10), "vbd").error().code(),
              Errc::invalid_argument);
    EXPECT_EQ(xen::wait_backend_state(*g.store, kBack, nullptr, 1, Deadline::after_ms(10), "vbd").error().code(),
              Errc::invalid_argument);
    std::string long_dir(300, 'd');
    EXPECT_EQ(
        xen::wait_backend_state(*g.store, long_dir.c_str(), wanted, 1, Deadline::after_ms(10), "vbd").error().code(),
        Errc::invalid_argument);
}

}  // namespace
