// The XenStore client against the simulated xenstored: the operations, big
// messages and ring wrap-around, watches, transactions, reconnection, and every
// way a broken daemon can fail it (each ends in a clear error, in bounded time).
// At the end: the `xenstore` shell command, table-driven.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "tests/sim/shell_cases.h"
#include "tests/sim/shell_rig.h"
#include "shell/shell.h"
#include "tests/sim/fakes.h"
#include "tests/sim/sim_xenstore.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"

namespace {

using namespace xb;
using sim::SimXenstore;
using sim::XenstoreGuest;
using xen::Tx;
using xen::XenStore;
using xen::XsType;

std::uint64_t now_ms() { return arch::ticks_to_ms(arch::counter()); }

std::string read_str(XenStore& store, const char* path, Tx tx = {}) {
    char buf[XenStore::kMaxPath + 4200];
    Result<std::size_t> n = store.read(path, buf, sizeof buf, tx);
    if (!n.ok()) return std::string("error: ") + n.error().message();
    return std::string(buf, n.value());
}

std::vector<std::string> list(XenStore& store, const char* path) {
    char buf[4200];
    Result<std::size_t> n = store.directory(path, buf, sizeof buf);
    std::vector<std::string> names;
    if (!n.ok()) return {std::string("error: ") + n.error().message()};
    const char* p = buf;
    for (std::size_t i = 0; i < n.value(); ++i, p += std::strlen(p) + 1) names.emplace_back(p);
    return names;
}

XenStore::Config quick(std::uint64_t ms = 50) { return XenStore::Config{ms}; }

// --- operations ---------------------------------------------------------------------------

TEST(XenStore, WriteReadDirectoryRemove) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    ASSERT_TRUE(s.write("device/vbd/51712/state", "1").ok());
    ASSERT_TRUE(s.write("device/vbd/51712/backend", "/local/domain/0/backend/vbd/1/51712").ok());
    EXPECT_EQ(g.daemon.get("/local/domain/1/device/vbd/51712/state"), "1");  // relative to the home
    EXPECT_EQ(read_str(s, "device/vbd/51712/state"), "1");
    EXPECT_EQ(read_str(s, "/local/domain/1/device/vbd/51712/backend"), "/local/domain/0/backend/vbd/1/51712");
    EXPECT_EQ(list(s, "device/vbd/51712"), (std::vector<std::string>{"backend", "state"}));
    EXPECT_EQ(list(s, "device/vbd"), (std::vector<std::string>{"51712"}));
    ASSERT_TRUE(s.remove("device/vbd/51712").ok());
    EXPECT_FALSE(g.daemon.exists("device/vbd/51712/state"));
    EXPECT_EQ(list(s, "device/vbd"), (std::vector<std::string>{}));
    ASSERT_TRUE(s.remove("device/vbd/51712").ok());  // gone already: not an error (xenstore.txt)
}

// requests() counts what the daemon received, failed requests too: the
// figure the boot profile reports (round trips to dom0).
TEST(XenStore, CountsItsRequests) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    const unsigned daemon_before = g.daemon.requests();
    const std::uint64_t before = s.requests();
    ASSERT_TRUE(s.write("data/a", "1").ok());
    EXPECT_EQ(read_str(s, "data/a"), "1");
    EXPECT_FALSE(s.read_u64("data/missing").ok());
    EXPECT_EQ(list(s, "data"), (std::vector<std::string>{"a"}));
    EXPECT_EQ(s.requests() - before, 4u);
    EXPECT_EQ(g.daemon.requests() - daemon_before, 4u);
}

TEST(XenStore, ErrorsNameTheOperationThePathAndXenstoresError) {
    XenstoreGuest g;
    char buf[16];
    Result<std::size_t> r = g.store->read("device/vbd/51712/state", buf, sizeof buf);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "xenstore read device/vbd/51712/state: ENOENT");
    EXPECT_EQ(r.error().code(), Errc::not_found);
    EXPECT_EQ(r.error().xen_errno(), 2);
    Result<std::size_t> d = g.store->directory("nothing/here", buf, sizeof buf);
    EXPECT_STREQ(d.error().message(), "xenstore directory nothing/here: ENOENT");
    Status rm = g.store->remove("no/parent/either");
    EXPECT_STREQ(rm.error().message(), "xenstore rm no/parent/either: ENOENT");
}

struct ErrnoCase {
    const char* sent;
    int xen_errno;
    Errc code;
    const char* message;
};

class XenStoreErrors : public ::testing::TestWithParam<ErrnoCase> {};

TEST_P(XenStoreErrors, MapToErrnoAndCode) {
    XenstoreGuest g;
    g.daemon.set("x", "1");
    g.daemon.fail_next("x", GetParam().sent);
    char buf[8];
    Result<std::size_t> r = g.store->read("x", buf, sizeof buf);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().xen_errno(), GetParam().xen_errno);
    EXPECT_EQ(r.error().code(), GetParam().code);
    EXPECT_EQ(std::string(r.error().message()), std::string("xenstore read x: ") + GetParam().message);
    EXPECT_EQ(read_str(*g.store, "x"), "1");  // only the next request failed
}

INSTANTIATE_TEST_SUITE_P(
    Table, XenStoreErrors,
    ::testing::Values(ErrnoCase{"ENOENT", 2, Errc::not_found, "ENOENT"}, ErrnoCase{"EAGAIN", 11, Errc::busy, "EAGAIN"},
                      ErrnoCase{"EACCES", 13, Errc::io, "EACCES"}, ErrnoCase{"EEXIST", 17, Errc::io, "EEXIST"},
                      ErrnoCase{"EINVAL", 22, Errc::invalid_argument, "EINVAL"},
                      ErrnoCase{"ENOSPC", 28, Errc::no_space, "ENOSPC"}, ErrnoCase{"E2BIG", 7, Errc::no_space, "E2BIG"},
                      ErrnoCase{"EIO", 5, Errc::io, "EIO"}, ErrnoCase{"EBUSY", 16, Errc::busy, "EBUSY"},
                      ErrnoCase{"EQUOTA", 122, Errc::no_space, "EQUOTA"},
                      ErrnoCase{"EWHAT", 5, Errc::io, "unknown error 'EWHAT' (taken as EIO)"},
                      ErrnoCase{"E\x01\x7f", 5, Errc::io,
                                "unknown error 'E?"
                                "?' (taken as EIO)"}),
    [](const auto& param_info) {
        std::string name;
        for (char c : std::string(param_info.param.sent)) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        return name;
    });

TEST(XenStore, FailuresForTheNextNRequestsOnAPath) {
    XenstoreGuest g;
    g.daemon.set("x", "v");
    g.daemon.fail_next("x", "EACCES", 2);
    EXPECT_EQ(read_str(*g.store, "x"), "error: xenstore read x: EACCES");
    EXPECT_EQ(read_str(*g.store, "x"), "error: xenstore read x: EACCES");
    EXPECT_EQ(read_str(*g.store, "x"), "v");
}

TEST(XenStore, ValuesNeverTruncateSilently) {
    XenstoreGuest g;
    g.daemon.set("v", "12345678");
    char buf[8];
    Result<std::size_t> r = g.store->read("v", buf, sizeof buf);  // needs 9 with the NUL
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::no_space);
    EXPECT_STREQ(r.error().message(), "xenstore read v: value of 8 bytes does not fit a 8-byte buffer");
    char nine[9];
    ASSERT_TRUE(g.store->read("v", nine, sizeof nine).ok());
    EXPECT_STREQ(nine, "12345678");
    char small[4];
    Result<std::size_t> d = g.store->directory("/local/domain/1", small, sizeof small);
    EXPECT_EQ(d.error().code(), Errc::no_space);
}

TEST(XenStore, ReadU64IsStrict) {
    XenstoreGuest g;
    g.daemon.set("n", "51712");
    g.daemon.set("max", "18446744073709551615");
    g.daemon.set("over", "18446744073709551616");
    g.daemon.set("junk", "12a");
    g.daemon.set("empty", "");
    g.daemon.set("long", std::string(40, '1'));
    g.daemon.set("ctl", "1\n");
    EXPECT_EQ(g.store->read_u64("n").value(), 51712u);
    EXPECT_EQ(g.store->read_u64("max").value(), UINT64_MAX);
    for (const char* bad : {"over", "junk", "empty", "long", "ctl"}) {
        Result<std::uint64_t> r = g.store->read_u64(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code(), Errc::bad_data) << bad;
    }
    EXPECT_STREQ(g.store->read_u64("junk").error().message(), "xenstore read junk: '12a' is not an unsigned number");
    EXPECT_STREQ(g.store->read_u64("ctl").error().message(), "xenstore read ctl: '1?' is not an unsigned number");
    EXPECT_EQ(g.store->read_u64("missing").error().code(), Errc::not_found);
}

TEST(XenStore, WritefFormatsTheValue) {
    XenstoreGuest g;
    ASSERT_TRUE(g.store->writef(Tx{}, "device/vbd/51712/ring-ref", "%u", 8u).ok());
    ASSERT_TRUE(g.store->writef(Tx{}, "device/vbd/51712/protocol", "%s", "arm-abi").ok());
    EXPECT_EQ(g.daemon.get("device/vbd/51712/ring-ref"), "8");
    EXPECT_EQ(g.daemon.get("device/vbd/51712/protocol"), "arm-abi");
    std::string big(5000, 'b');
    Status tooBig = g.store->writef(Tx{}, "k", "%s", big.c_str());
    EXPECT_EQ(tooBig.error().code(), Errc::invalid_argument);
}

TEST(XenStore, BadArgumentsFailBeforeAnythingIsSent) {
    XenstoreGuest g;
    unsigned before = g.daemon.requests();
    char buf[8];
    EXPECT_EQ(g.store->read("", buf, sizeof buf).error().code(), Errc::invalid_argument);
    EXPECT_EQ(g.store->read(nullptr, buf, sizeof buf).error().code(), Errc::invalid_argument);
    std::string long_path(XenStore::kMaxPath, 'p');
    EXPECT_EQ(g.store->write(long_path.c_str(), "x").error().code(), Errc::invalid_argument);
    EXPECT_EQ(g.store->watch("p", "").error().code(), Errc::invalid_argument);
    EXPECT_EQ(g.store->transaction_end(Tx{}, true).error().code(), Errc::invalid_argument);
    EXPECT_EQ(g.daemon.requests(), before);
}

// --- big messages and the ring ----------------------------------------------------------------

TEST(XenStore, ValuesUpToThePayloadLimitCrossTheRingManyTimes) {
    XenstoreGuest g;
    const std::string path = "data/big";
    // WRITE payload = path NUL value: the largest value that fits 4096 bytes.
    std::string value;
    for (std::size_t i = 0; value.size() < xen::kXenstorePayloadMax - path.size() - 1; ++i) {
        value += static_cast<char>('a' + i % 26);
    }
    ASSERT_TRUE(g.store->write(path.c_str(), value).ok());
    EXPECT_EQ(g.daemon.get(path), value);
    EXPECT_EQ(read_str(*g.store, path.c_str()), value);  // a 16 + 4087-byte reply
    // One byte more is refused locally, not sent to kill the connection.
    unsigned before = g.daemon.requests();
    Status over = g.store->write(path.c_str(), value + "x");
    EXPECT_EQ(over.error().code(), Errc::invalid_argument);
    EXPECT_EQ(g.daemon.requests(), before);
    // A 4096-byte value (set by another domain) is readable whole.
    g.daemon.set("full", std::string(4096, 'f'));
    EXPECT_EQ(read_str(*g.store, "full"), std::string(4096, 'f'));
}

TEST(XenStore, FreeRunningIndicesWrapAround) {
    XenstoreGuest g;
    // xenstore-ring.txt: guests must not assume the indices start at zero.
    auto& ring = g.daemon.ring();
    ring.req_cons = ring.req_prod = 0xfffffc03u;
    ring.rsp_cons = ring.rsp_prod = 0xfffffe11u;
    for (int i = 0; i < 60; ++i) {
        std::string value(300 + i * 37, static_cast<char>('A' + i % 26));
        std::string path = "w/" + std::to_string(i);
        ASSERT_TRUE(g.store->write(path.c_str(), value).ok()) << i;
        ASSERT_EQ(read_str(*g.store, path.c_str()), value) << i;
    }
    EXPECT_LT(ring.req_prod, 0x100000u);  // both wrapped past 2^32
    EXPECT_LT(ring.rsp_prod, 0x100000u);
}

TEST(XenStore, RepliesTrickledAFewBytesAtATime) {
    for (std::size_t chunk : {1u, 3u, 7u, 100u}) {
        XenstoreGuest g;
        g.daemon.set("a/b", std::string(3000, 'z'));
        g.daemon.set("a/c", "short");
        g.daemon.set_max_chunk(chunk);
        EXPECT_EQ(read_str(*g.store, "a/b"), std::string(3000, 'z')) << chunk;
        EXPECT_EQ(list(*g.store, "a"), (std::vector<std::string>{"b", "c"})) << chunk;
        ASSERT_TRUE(g.store->watch("a", "tok").ok()) << chunk;
        char path[64];
        ASSERT_TRUE(g.store->wait_watch("tok", Deadline::after_ms(1000), path, sizeof path).ok()) << chunk;
        EXPECT_STREQ(path, "a");
    }
}

TEST(XenStore, NotifiesAfterProducingAndConsuming) {
    XenstoreGuest g;
    unsigned before = g.guest.xen.notifications(SimXenstore::kPort);
    ASSERT_TRUE(g.store->write("k", "v").ok());
    EXPECT_GE(g.guest.xen.notifications(SimXenstore::kPort) - before, 2u);
}

// --- watches ------------------------------------------------------------------------------------------

TEST(XenStore, WatchFiresAtOnceThenOnChangesUnderThePath) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    char path[XenStore::kMaxPath];
    ASSERT_TRUE(s.watch("/local/domain/0/backend/vbd/1/51712/state", "be").ok());
    ASSERT_TRUE(s.wait_watch("be", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "/local/domain/0/backend/vbd/1/51712/state");
    g.daemon.set("/local/domain/0/backend/vbd/1/51712/state", "2");
    ASSERT_TRUE(s.wait_watch("be", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "/local/domain/0/backend/vbd/1/51712/state");
    // Nothing else happened: a short wait times out, naming what it waited for.
    Status none = s.wait_watch("be", Deadline::after_ms(20), path, sizeof path);
    EXPECT_EQ(none.error().code(), Errc::timeout);
    EXPECT_STREQ(none.error().message(), "xenstore wait for watch be: timed out after 20 ms waiting for a watch event");

    // A relative watch gets relative paths, for changes at any depth below it.
    ASSERT_TRUE(s.watch("device", "dev").ok());
    ASSERT_TRUE(s.wait_watch("dev", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "device");
    g.daemon.set("device/vbd/51712/state", "4");
    ASSERT_TRUE(s.wait_watch("dev", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "device/vbd/51712/state");

    // After unwatch, no more events (late ones are discarded on arrival).
    ASSERT_TRUE(s.unwatch("device", "dev").ok());
    EXPECT_EQ(g.daemon.watch_count(), 1u);
    EXPECT_EQ(s.wait_watch("dev", Deadline::after_ms(10), path, sizeof path).error().code(), Errc::invalid_argument);
    ASSERT_TRUE(s.unwatch("/local/domain/0/backend/vbd/1/51712/state", "be").ok());
    EXPECT_EQ(g.daemon.watch_count(), 0u);
    Status again = s.unwatch("device", "dev");
    EXPECT_STREQ(again.error().message(), "xenstore unwatch device: ENOENT");
}

TEST(XenStore, EventsForOtherTokensStayQueuedWhileWaiting) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    char path[64];
    ASSERT_TRUE(s.watch("a", "ta").ok());
    ASSERT_TRUE(s.watch("b", "tb").ok());
    g.daemon.set("a/1", "x");
    g.daemon.set("b/1", "x");
    ASSERT_TRUE(s.wait_watch("tb", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "b");
    ASSERT_TRUE(s.wait_watch("tb", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "b/1");
    ASSERT_TRUE(s.wait_watch("ta", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "a");
    ASSERT_TRUE(s.wait_watch("ta", Deadline::after_ms(1000), path, sizeof path).ok());
    EXPECT_STREQ(path, "a/1");
}

TEST(XenStore, FullEventQueueDropsTheOldestAndCountsIt) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    ASSERT_TRUE(s.watch("q", "tq").ok());  // + the initial event
    for (int i = 0; i < 20; ++i) g.daemon.set("q/" + std::to_string(i), "x");
    EXPECT_EQ(read_str(s, "q/0"), "x");  // the reply comes after all 21 events
    EXPECT_EQ(s.dropped_events(), 21u - XenStore::kQueuedEvents);
    char path[64];
    ASSERT_TRUE(s.wait_watch("tq", Deadline::after_ms(100), path, sizeof path).ok());
    EXPECT_STREQ(path, "q/4");  // "q", q/0..q/3 were dropped
    for (int i = 5; i < 20; ++i) {
        ASSERT_TRUE(s.wait_watch("tq", Deadline::after_ms(100), path, sizeof path).ok());
        EXPECT_EQ(std::string(path), "q/" + std::to_string(i));
    }
}

TEST(XenStore, WatchSlotsAndTokensAreChecked) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    for (std::size_t i = 0; i < XenStore::kMaxWatches; ++i) {
        ASSERT_TRUE(s.watch("w", ("t" + std::to_string(i)).c_str()).ok());
    }
    Status full = s.watch("w", "extra");
    EXPECT_EQ(full.error().code(), Errc::no_space);
    EXPECT_STREQ(full.error().message(), "xenstore watch w: all 8 watch slots are in use");
    ASSERT_TRUE(s.unwatch("w", "t3").ok());
    EXPECT_EQ(s.watch("w2", "t0").error().code(), Errc::invalid_argument);  // token in use
    ASSERT_TRUE(s.watch("w2", "extra").ok());
    EXPECT_EQ(s.wait_watch("never-set", Deadline::after_ms(10), nullptr, 0).error().code(), Errc::invalid_argument);
}

TEST(XenStore, RefusedWatchFreesItsSlot) {
    XenstoreGuest g;
    g.daemon.fail_next("w", "EACCES");
    Status refused = g.store->watch("w", "t");
    EXPECT_STREQ(refused.error().message(), "xenstore watch w: EACCES");
    ASSERT_TRUE(g.store->watch("w", "t").ok());
}

TEST(XenStore, EventPathThatDoesNotFitIsAnError) {
    XenstoreGuest g;
    ASSERT_TRUE(g.store->watch("some/long/path", "t").ok());
    char small[4];
    Status s = g.store->wait_watch("t", Deadline::after_ms(1000), small, sizeof small);
    EXPECT_EQ(s.error().code(), Errc::no_space);
}

TEST(XenStore, StrayAndMalformedEventsAreDiscarded) {
    XenstoreGuest g;
    ASSERT_TRUE(g.store->watch("w", "mine").ok());
    char path[64];
    ASSERT_TRUE(g.store->wait_watch("mine", Deadline::after_ms(1000), path, sizeof path).ok());
    using std::string_literals::operator""s;
    g.daemon.send_raw(SimXenstore::message(XsType::watch_event, 0, 0, "w\0other\0"s));  // unknown token
    g.daemon.send_raw(SimXenstore::message(XsType::watch_event, 0, 0, "w-no-nul"s));    // unterminated path
    g.daemon.send_raw(SimXenstore::message(XsType::watch_event, 0, 0, "w\0mine"s));     // unterminated token
    g.daemon.send_raw(SimXenstore::message(XsType::watch_event, 0, 0, ""s));            // empty
    g.daemon.send_raw(SimXenstore::message(XsType::watch_event, 0, 0, std::string(300, 'p') + "\0mine\0"s));
    EXPECT_EQ(read_str(*g.store, "name"), "guest");
    EXPECT_EQ(g.store->discarded_messages(), 5u);
    EXPECT_EQ(g.store->wait_watch("mine", Deadline::after_ms(10), path, sizeof path).error().code(), Errc::timeout);
}

// --- transactions ------------------------------------------------------------------------------------

TEST(XenStore, TransactionCommitsOrAborts) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    Result<Tx> tx = s.transaction_start();
    ASSERT_TRUE(tx.ok());
    EXPECT_NE(tx.value().id, 0u);
    ASSERT_TRUE(s.write("t/a", "1", tx.value()).ok());
    EXPECT_EQ(read_str(s, "t/a", tx.value()), "1");
    EXPECT_FALSE(g.daemon.exists("t/a"));  // not visible before the commit
    ASSERT_TRUE(s.transaction_end(tx.value(), true).ok());
    EXPECT_EQ(g.daemon.get("t/a"), "1");

    Result<Tx> tx2 = s.transaction_start();
    ASSERT_TRUE(s.write("t/b", "2", tx2.value()).ok());
    ASSERT_TRUE(s.transaction_end(tx2.value(), false).ok());
    EXPECT_FALSE(g.daemon.exists("t/b"));
    EXPECT_EQ(g.daemon.open_transactions(), 0u);
    Status ended = s.transaction_end(tx2.value(), true);  // already ended
    EXPECT_EQ(ended.error().code(), Errc::not_found);
    EXPECT_EQ(std::string(ended.error().message()),
              "xenstore transaction commit " + std::to_string(tx2.value().id) + ": ENOENT");
}

TEST(XenStore, ConflictingCommitFailsWithEagain) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    g.daemon.set("c/x", "0");
    Tx tx = s.transaction_start().value();
    EXPECT_EQ(read_str(s, "c/x", tx), "0");
    g.daemon.set("c/x", "other domain");  // changes what the transaction read
    ASSERT_TRUE(s.write("c/y", "mine", tx).ok());
    Status commit = s.transaction_end(tx, true);
    ASSERT_FALSE(commit.ok());
    EXPECT_EQ(commit.error().code(), Errc::busy);
    EXPECT_EQ(commit.error().xen_errno(), xen::kEAGAIN);
    EXPECT_FALSE(g.daemon.exists("c/y"));
}

TEST(XenStore, TransactRetriesOnEagain) {
    XenstoreGuest g;
    XenStore& s = *g.store;
    g.daemon.set("c/x", "1");
    int attempts = 0;
    Status done = s.transact([&](Tx tx) -> Status {
        ++attempts;
        std::uint64_t v = TRY(s.read_u64("c/x", tx));
        if (attempts == 1) g.daemon.set("c/x", "10");  // someone else gets in between, once
        return s.writef(tx, "c/x", "%lu", v + 1);
    });
    ASSERT_TRUE(done.ok()) << done.error().message();
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(g.daemon.get("c/x"), "11");
    EXPECT_EQ(g.daemon.conflicts(), 1u);
    EXPECT_EQ(g.daemon.commits(), 1u);
}

TEST(XenStore, TransactGivesUpAfterMaxAttempts) {
    XenstoreGuest g;
    g.daemon.force_conflicts(100);
    int attempts = 0;
    Status done = g.store->transact(
        [&](Tx tx) -> Status {
            ++attempts;
            return g.store->write("k", "v", tx);
        },
        3);
    EXPECT_EQ(attempts, 3);
    ASSERT_FALSE(done.ok());
    EXPECT_EQ(done.error().xen_errno(), xen::kEAGAIN);
    EXPECT_NE(std::string(done.error().message()).find("gave up after 3 attempts"), std::string::npos);
    EXPECT_EQ(g.daemon.open_transactions(), 0u);
}

TEST(XenStore, TransactAbortsWhenTheBodyFails) {
    XenstoreGuest g;
    Status done = g.store->transact([&](Tx tx) -> Status {
        TRY(g.store->write("k", "v", tx));
        return Error::make(Errc::io, "body failed");
    });
    EXPECT_STREQ(done.error().message(), "body failed");
    EXPECT_FALSE(g.daemon.exists("k"));
    EXPECT_EQ(g.daemon.open_transactions(), 0u);
}

// --- a broken daemon: each ends in a clear error within a bounded time ------------------------------

// Runs op, asserts it took at least min_ms and well under a second.
template <typename Op>
auto timed(std::uint64_t min_ms, Op op) {
    std::uint64_t start = now_ms();
    auto result = op();
    std::uint64_t took = now_ms() - start;
    EXPECT_GE(took, min_ms);
    EXPECT_LT(took, 1000u);
    return result;
}

// --- pipelined removals ---------------------------------------------------------------------

// remove_each over a list of paths; each path's outcome in results ("ok" or the message).
Status remove_all(XenStore& s, const std::vector<std::string>& paths, std::vector<std::string>* results = nullptr) {
    std::vector<Status> got(paths.size());
    auto path = [](void* ctx, std::size_t i, char(&out)[XenStore::kMaxPath]) {
        const std::string& p = (*static_cast<const std::vector<std::string>*>(ctx))[i];
        std::snprintf(out, sizeof out, "%s", p.c_str());
    };
    Status all = s.remove_each(paths.size(), path, const_cast<std::vector<std::string>*>(&paths), got.data());
    if (results != nullptr) {
        results->clear();
        for (const Status& r : got) results->push_back(r.ok() ? "ok" : r.error().message());
    }
    return all;
}

TEST(XenStorePipeline, RemovesEveryPathWithAllRequestsInTheRingAtOnce) {
    XenstoreGuest g;
    std::vector<std::string> paths;
    for (int i = 0; i < 21; ++i) {
        paths.push_back("device/vbd/51712/ring-ref" + std::to_string(i));
        g.daemon.set(paths.back(), "8");
    }
    g.daemon.set("device/vbd/51712/state", "6");
    const std::uint64_t before = g.store->requests();
    std::vector<std::string> results;
    ASSERT_TRUE(remove_all(*g.store, paths, &results).ok());
    EXPECT_EQ(results, std::vector<std::string>(21, "ok"));
    for (const std::string& p : paths) EXPECT_FALSE(g.daemon.exists(p)) << p;
    EXPECT_EQ(g.daemon.get("device/vbd/51712/state"), "6");  // nothing else
    EXPECT_EQ(g.store->requests() - before, 21u);            // still one request per node...
    EXPECT_EQ(g.daemon.requests_of(XsType::rm), 21u);
    EXPECT_EQ(g.daemon.most_requests_at_once(), 21u);  // ...but all in flight together
    // Missing nodes are not an error; the client goes on as before.
    ASSERT_TRUE(remove_all(*g.store, paths).ok());
    ASSERT_TRUE(g.store->write("data/a", "1").ok());
    EXPECT_EQ(read_str(*g.store, "data/a"), "1");
    EXPECT_EQ(g.store->discarded_messages(), 0u);
}

TEST(XenStorePipeline, MoreThanOneGroupAndMoreThanTheRingHolds) {
    XenstoreGuest g;
    std::vector<std::string> paths;
    for (int i = 0; i < 150; ++i) {  // > kMaxPipelined, and 150 x ~80 bytes > a message buffer
        paths.push_back("device/vif/0/a-rather-long-key-name-so-that-the-requests-fill-the-ring-" + std::to_string(i));
        g.daemon.set(paths.back(), "1");
    }
    g.daemon.set_max_chunk(7);  // and the replies trickle in
    ASSERT_TRUE(remove_all(*g.store, paths).ok());
    for (const std::string& p : paths) EXPECT_FALSE(g.daemon.exists(p)) << p;
    EXPECT_EQ(g.daemon.requests_of(XsType::rm), 150u);
    EXPECT_GT(g.daemon.most_requests_at_once(), 1u);
    EXPECT_LE(g.daemon.most_requests_at_once(), XenStore::kMaxPipelined);
}

TEST(XenStorePipeline, AnErrorReplyFailsThatPathOnly) {
    XenstoreGuest g;
    const std::vector<std::string> paths = {"d/a", "d/b", "d/c"};
    for (const std::string& p : paths) g.daemon.set(p, "1");
    g.daemon.fail_next("d/b", "EACCES");
    std::vector<std::string> results;
    Status s = remove_all(*g.store, paths, &results);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "xenstore rm d/b: EACCES");
    EXPECT_EQ(s.error().xen_errno(), 13);
    EXPECT_EQ(results, (std::vector<std::string>{"ok", "xenstore rm d/b: EACCES", "ok"}));
    EXPECT_FALSE(g.daemon.exists("d/a"));
    EXPECT_TRUE(g.daemon.exists("d/b"));
    EXPECT_FALSE(g.daemon.exists("d/c"));
}

TEST(XenStorePipeline, AReplyOfAnotherTypeFailsThatPathOnly) {
    XenstoreGuest g;
    const std::vector<std::string> paths = {"d/a", "d/b"};
    for (const std::string& p : paths) g.daemon.set(p, "1");
    g.daemon.corrupt_next_reply(SimXenstore::Garbage::unknown_type);
    std::vector<std::string> results;
    EXPECT_FALSE(remove_all(*g.store, paths, &results).ok());
    EXPECT_EQ(results, (std::vector<std::string>{
                           "xenstore rm d/a: xenstored answered with message type 99 (expected 13 or ERROR)", "ok"}));
    EXPECT_EQ(g.store->protocol_errors(), 1u);
}

TEST(XenStorePipeline, AReplyWithAnotherReqIdIsDiscardedAndItsPathTimesOut) {
    XenstoreGuest g(quick(50));
    const std::vector<std::string> paths = {"d/a", "d/b", "d/c"};
    for (const std::string& p : paths) g.daemon.set(p, "1");
    g.daemon.corrupt_next_reply(SimXenstore::Garbage::wrong_req_id);  // d/a's
    std::vector<std::string> results;
    Status s = timed(50, [&] { return remove_all(*g.store, paths, &results); });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    EXPECT_EQ(results, (std::vector<std::string>{
                           "xenstore rm d/a: timed out after 50 ms waiting for xenstored's reply (2 of 3 pipelined "
                           "removals answered)",
                           "ok", "ok"}));
    EXPECT_EQ(g.store->discarded_messages(), 1u);
    EXPECT_EQ(read_str(*g.store, "d/x"), "error: xenstore read d/x: ENOENT");  // the connection goes on
}

TEST(XenStorePipeline, ASecondReplyToTheSameRequestIsDiscarded) {
    XenstoreGuest g(quick(50));
    const std::vector<std::string> paths = {"d/a", "d/b"};
    for (const std::string& p : paths) g.daemon.set(p, "1");
    // d/a is answered; d/b's reply carries d/a's req_id: it must not count
    // for d/b (nor twice for d/a).
    g.daemon.rewrite_next_reply([](xen::XsMsgHeader&, std::string&) {});
    g.daemon.rewrite_next_reply([](xen::XsMsgHeader& h, std::string&) { h.req_id -= 1; });
    std::vector<std::string> results;
    EXPECT_FALSE(remove_all(*g.store, paths, &results).ok());
    EXPECT_EQ(results, (std::vector<std::string>{"ok",
                                                 "xenstore rm d/b: timed out after 50 ms waiting for xenstored's reply "
                                                 "(1 of 2 pipelined removals answered)"}));
    EXPECT_EQ(g.store->discarded_messages(), 1u);
}

TEST(XenStorePipeline, ADaemonThatNeverAnswersCostsOneDeadline) {
    XenstoreGuest g(quick(50));
    std::vector<std::string> paths;
    for (int i = 0; i < 150; ++i)
        paths.push_back("device/vif/0/a-long-key-name-to-fill-the-request-ring-" + std::to_string(i));
    g.daemon.set_stalled(true);
    std::vector<std::string> results;
    Status s = timed(50, [&] { return remove_all(*g.store, paths, &results); });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    ASSERT_EQ(results.size(), 150u);
    // The first group did not even fit the ring; the later ones were never sent.
    EXPECT_NE(results[0].find("timed out after 50 ms waiting for xenstored to take the pipelined requests (1024 of "),
              std::string::npos)
        << results[0];
    EXPECT_EQ(results[149],
              "xenstore rm device/vif/0/a-long-key-name-to-fill-the-request-ring-149: not sent: an "
              "earlier pipelined removal failed");
    // Once the daemon is back, what was half sent goes out first and its
    // replies are discarded as late; new requests work.
    g.daemon.set_stalled(false);
    g.daemon.set("k", "v");
    EXPECT_EQ(read_str(*g.store, "k"), "v");
    ASSERT_TRUE(remove_all(*g.store, {"k"}).ok());
    EXPECT_FALSE(g.daemon.exists("k"));
}

TEST(XenStorePipeline, BadPathsFailBeforeAnythingIsSentAndTheRestGoOn) {
    XenstoreGuest g;
    g.daemon.set("d/a", "1");
    std::vector<std::string> results;
    EXPECT_FALSE(remove_all(*g.store, {"", "d/a"}, &results).ok());
    EXPECT_EQ(results, (std::vector<std::string>{"xenstore rm '': empty path", "ok"}));
    EXPECT_FALSE(g.daemon.exists("d/a"));
    EXPECT_EQ(g.daemon.requests_of(XsType::rm), 1u);
    ASSERT_TRUE(remove_all(*g.store, {}).ok());
}

TEST(XenStoreFaults, StalledDaemonTimesOutThenRecovers) {
    XenstoreGuest g(quick(50));
    g.daemon.set("k", "v");
    g.daemon.set_stalled(true);
    std::string got = timed(50, [&] { return read_str(*g.store, "k"); });
    EXPECT_EQ(got, "error: xenstore read k: timed out after 50 ms waiting for xenstored's reply");
    g.daemon.set_stalled(false);
    EXPECT_EQ(read_str(*g.store, "k"), "v");
    EXPECT_EQ(g.store->discarded_messages(), 1u);  // the late reply to the first read
}

TEST(XenStoreFaults, StalledDaemonWithABigRequestHalfSent) {
    XenstoreGuest g(quick(50));
    g.daemon.set_stalled(true);
    std::string value(3000, 'v');
    Status s = timed(50, [&] { return g.store->write("big", value); });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    EXPECT_STREQ(s.error().message(),
                 "xenstore write big: timed out after 50 ms waiting for xenstored to take the request (1024 of 3020 "
                 "bytes sent)");
    // The stream must stay message-aligned: the rest goes out first.
    g.daemon.set_stalled(false);
    ASSERT_TRUE(g.store->write("small", "1").ok());
    EXPECT_EQ(g.daemon.get("big"), value);
    EXPECT_EQ(g.daemon.get("small"), "1");
}

TEST(XenStoreFaults, HeaderClaimingTooMuchIsRejectedAndTheRingResynchronised) {
    XenstoreGuest g(quick(50));
    g.daemon.set("k", "v");
    g.daemon.corrupt_next_reply(SimXenstore::Garbage::bad_len);
    std::string got = timed(0, [&] { return read_str(*g.store, "k"); });
    EXPECT_EQ(got, "error: xenstore read k: message header claims 5000 payload bytes (XENSTORE_PAYLOAD_MAX is 4096)");
    EXPECT_EQ(g.store->protocol_errors(), 1u);
    EXPECT_EQ(read_str(*g.store, "k"), "v");
}

TEST(XenStoreFaults, WrongRequestIdIsSkippedAndTheTimeoutSaysSo) {
    XenstoreGuest g(quick(50));
    g.daemon.set("k", "v");
    g.daemon.corrupt_next_reply(SimXenstore::Garbage::wrong_req_id);
    std::string got = timed(50, [&] { return read_str(*g.store, "k"); });
    EXPECT_EQ(got,
              "error: xenstore read k: timed out after 50 ms waiting for xenstored's reply (discarded 1 reply with "
              "another req_id)");
    EXPECT_EQ(read_str(*g.store, "k"), "v");
}

TEST(XenStoreFaults, LateReplyBeforeTheRealOneIsSkipped) {
    XenstoreGuest g(quick(50));
    g.daemon.set("k", "v");
    g.daemon.send_raw(SimXenstore::message(XsType::read, 0xdead, 0, "stale"));
    EXPECT_EQ(read_str(*g.store, "k"), "v");
    EXPECT_EQ(g.store->discarded_messages(), 1u);
}

TEST(XenStoreFaults, UnexpectedReplyTypeFailsTheRequest) {
    XenstoreGuest g(quick(50));
    g.daemon.set("k", "v");
    g.daemon.corrupt_next_reply(SimXenstore::Garbage::unknown_type);
    EXPECT_EQ(read_str(*g.store, "k"),
              "error: xenstore read k: xenstored answered with message type 99 (expected 2 or ERROR)");
    EXPECT_EQ(read_str(*g.store, "k"), "v");  // framing was intact: nothing lost
}

TEST(XenStoreFaults, MalformedPayloadsAreRejected) {
    using std::string_literals::operator""s;
    XenstoreGuest g(quick(50));
    g.daemon.set("d/a", "");
    char buf[64];
    g.daemon.rewrite_next_reply([](xen::XsMsgHeader&, std::string& p) { p = "a\0b"s; });  // unterminated name
    EXPECT_EQ(g.store->directory("d", buf, sizeof buf).error().code(), Errc::bad_data);
    g.daemon.rewrite_next_reply([](xen::XsMsgHeader&, std::string& p) { p = "a\0\0"s; });  // empty name
    EXPECT_EQ(g.store->directory("d", buf, sizeof buf).error().code(), Errc::bad_data);
    for (std::string id : {"abc\0"s, "0\0"s, "99999999999\0"s, ""s, "12\0\0"s, "4294967296"s}) {
        g.daemon.rewrite_next_reply([id](xen::XsMsgHeader&, std::string& p) { p = id; });
        Result<Tx> tx = g.store->transaction_start();
        ASSERT_FALSE(tx.ok()) << id;
        EXPECT_EQ(tx.error().code(), Errc::bad_data);
    }
    g.daemon.rewrite_next_reply([](xen::XsMsgHeader&, std::string& p) { p = "77"s; });  // no NUL: still a clean id
    EXPECT_EQ(g.store->transaction_start().value().id, 77u);
    EXPECT_EQ(list(*g.store, "d"), (std::vector<std::string>{"a"}));
}

TEST(XenStoreFaults, CorruptResponseIndexIsAnErrorNotAnOverread) {
    XenstoreGuest g(quick(50));
    g.daemon.set("k", "v");
    g.daemon.set_stalled(true);
    auto& ring = g.daemon.ring();
    ring.rsp_prod = ring.rsp_cons + 5000;
    std::string got = timed(0, [&] { return read_str(*g.store, "k"); });
    EXPECT_NE(got.find("xenstore read k: response ring indices are corrupt"), std::string::npos) << got;
    EXPECT_EQ(ring.rsp_cons, ring.rsp_prod);  // dropped, not read
    g.daemon.set_stalled(false);
    EXPECT_EQ(read_str(*g.store, "k"), "v");
}

TEST(XenStoreFaults, CorruptRequestIndexIsAnError) {
    XenstoreGuest g(quick(50));
    g.daemon.set_stalled(true);
    auto& ring = g.daemon.ring();
    ring.req_cons = ring.req_prod + 2000;  // "consumed" bytes never produced
    Status s = timed(0, [&] { return g.store->write("k", "v"); });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::bad_data);
    EXPECT_NE(std::string(s.error().message()).find("request ring indices are corrupt"), std::string::npos);
}

TEST(XenStoreFaults, DaemonReportingAConnectionErrorFailsFast) {
    XenstoreGuest g(quick(1000));
    g.daemon.set_stalled(true);
    g.daemon.ring().error = 3;  // "protocol violation" (xenstore-ring.txt)
    Status s = timed(0, [&] { return g.store->write("k", "v"); });
    EXPECT_EQ(s.error().code(), Errc::io);
    EXPECT_STREQ(s.error().message(), "xenstore write k: xenstored stopped serving the ring (connection error 3)");
}

TEST(XenStoreFaults, WaitWatchOnAStalledDaemonEndsAtItsDeadline) {
    XenstoreGuest g(quick(50));
    ASSERT_TRUE(g.store->watch("w", "t").ok());
    char path[16];
    ASSERT_TRUE(g.store->wait_watch("t", Deadline::after_ms(100), path, sizeof path).ok());
    g.daemon.set_stalled(true);
    Status s = timed(30, [&] { return g.store->wait_watch("t", Deadline::after_ms(30), path, sizeof path); });
    EXPECT_EQ(s.error().code(), Errc::timeout);
}

// --- reconnection (hand-off) --------------------------------------------------------------------

TEST(XenStore, ReconnectResetsTheRingWhenSupported) {
    XenstoreGuest g(quick(200));
    ASSERT_TRUE(g.store->watch("w", "t").ok());
    ASSERT_TRUE(g.store->write("k", "v").ok());
    ASSERT_TRUE(g.store->reconnect(Deadline::after_ms(200)).ok());
    EXPECT_EQ(g.daemon.reconnects(), 1u);
    EXPECT_EQ(g.daemon.watch_count(), 0u);
    EXPECT_EQ(g.daemon.ring().connection, xen::kXenstoreConnected);
    EXPECT_EQ(g.daemon.ring().req_prod, 0u);
    // The client forgot the watches with the connection, and works on.
    EXPECT_EQ(g.store->wait_watch("t", Deadline::after_ms(10), nullptr, 0).error().code(), Errc::invalid_argument);
    EXPECT_EQ(read_str(*g.store, "k"), "v");
}

TEST(XenStore, ReconnectIsANoOpWithoutTheFeature) {
    XenstoreGuest g(quick(200), /*features=*/0);
    ASSERT_TRUE(g.store->reconnect(Deadline::after_ms(200)).ok());
    EXPECT_EQ(g.daemon.reconnects(), 0u);
    EXPECT_EQ(g.daemon.ring().connection, xen::kXenstoreConnected);
    EXPECT_EQ(read_str(*g.store, "name"), "guest");
}

TEST(XenStoreFaults, ReconnectWithAStalledDaemonTimesOut) {
    XenstoreGuest g(quick(50));
    g.daemon.set_stalled(true);
    Status s = timed(50, [&] { return g.store->reconnect(Deadline::after_ms(50)); });
    EXPECT_EQ(s.error().code(), Errc::timeout);
    EXPECT_STREQ(s.error().message(),
                 "xenstore reconnect: timed out after 50 ms waiting for xenstored to reset the ring");
}

TEST(XenStoreFaults, RequestsWaitForAReconnectionFoundInProgress) {
    XenstoreGuest g(quick(50));
    g.daemon.set_stalled(true);
    g.daemon.ring().connection = xen::kXenstoreReconnect;  // someone else started one
    std::string got = timed(50, [&] { return read_str(*g.store, "name"); });
    EXPECT_EQ(got,
              "error: xenstore read name: timed out after 50 ms waiting for xenstored to take the request (0 of 21 "
              "bytes sent); ring reconnection in progress");
    g.daemon.set_stalled(false);
    EXPECT_EQ(read_str(*g.store, "name"), "guest");
}

// --- the `xenstore` command -----------------------------------------------------------------------

// The shell on the XenStore guest's console, with its XenStore client as the
// xenstore service (or none: not connected).
struct XenstoreShellRig {
    XenstoreGuest g;
    sim::ShellRig shell{g.guest};

    explicit XenstoreShellRig(bool connected = true) : g(quick(100)) {
        shell.services.xenstore = connected ? g.store.get() : nullptr;
        g.daemon.set("device/vbd/51712/state", "4");
        g.daemon.set("device/vbd/51712/backend", "/local/domain/0/backend/vbd/1/51712");
        g.daemon.set("device/vbd/51712/odd", std::string("a\"b\\c\x01", 6));
        g.daemon.set("/local/domain/0/backend/vbd/1/51712/state", "4");
    }

    std::string session(const std::string& input) { return shell.session(input); }
};

class XenstoreCommand : public sim::ShellCaseTest {};

TEST_P(XenstoreCommand, Output) {
    XenstoreShellRig rig;
    EXPECT_TRUE(sim::check(GetParam(), rig.session(GetParam().input)));
}

XB_SHELL_CASES(
    XenstoreCommand, sim::output_has("read_relative", "xenstore read name\r", "xenstore read name\r\nguest\r\n=> "),
    sim::output_has("read_absolute", "xenstore read /local/domain/0/backend/vbd/1/51712/state\r", "\r\n4\r\n=> "),
    sim::output_has("read_missing", "xenstore read nope\r", "xenstore read nope: ENOENT\r\n=> "),
    sim::output_has("write_then_read", "xenstore write data/x 'hello world'; xenstore read data/x\r",
                    "\r\nhello world\r\n=> "),
    sim::output_has("ls_home", "xenstore ls\r", "device\r\ndomid = \"1\"\r\nname = \"guest\"\r\n=> "),
    sim::output_has(
        "ls_dir", "xenstore ls device/vbd/51712\r",
        "backend = \"/local/domain/0/backend/vbd/1/51712\"\r\nodd = \"a\\\"b\\\\c\\x01\"\r\nstate = \"4\"\r\n"),
    sim::output_has("ls_root", "xenstore ls /\r", "local\r\n=> "),
    sim::output_has("ls_missing", "xenstore ls nope\r", "xenstore directory nope: ENOENT\r\n=> "),
    sim::output_has(
        "no_subcommand", "xenstore\r",
        "xenstore: expects a subcommand (usage: xenstore read <path> | write <path> <value> | ls [path])\r\n"),
    sim::output_has("unknown_subcommand", "xenstore frob\r", "xenstore: unknown subcommand 'frob' (usage: xenstore "),
    sim::output_has("read_no_path", "xenstore read\r", "xenstore: read expects one path (usage: "),
    sim::output_has("write_no_value", "xenstore write a\r", "xenstore: write expects a path and one value"),
    sim::output_has("write_two_values", "xenstore write a b c\r", "xenstore: write expects a path and one value"),
    sim::output_has("ls_two_paths", "xenstore ls a b\r", "xenstore: ls expects at most one path"),
    sim::output_has("help", "help xenstore\r", "xenstore - read, write or list XenStore nodes"));

TEST(XenstoreCommand, WriteReachesXenstore) {
    XenstoreShellRig rig;
    rig.session("xenstore write device/vbd/51712/state 6\r");
    EXPECT_EQ(rig.g.daemon.get("device/vbd/51712/state"), "6");
}

TEST(XenstoreCommand, NotConnected) {
    XenstoreShellRig rig(false);
    std::string out = rig.session("xenstore read name\r");
    EXPECT_NE(out.find("xenstore: not connected\r\n"), std::string::npos) << out;
    XenstoreShellRig no_services;
    no_services.shell.ctx.services = nullptr;
    out = no_services.session("xenstore ls\r");
    EXPECT_NE(out.find("xenstore: not connected\r\n"), std::string::npos) << out;
}

TEST(XenstoreCommand, StalledDaemonGivesAnErrorNotAHang) {
    XenstoreShellRig rig;
    rig.g.daemon.set_stalled(true);
    std::uint64_t start = now_ms();
    std::string out = rig.session("xenstore read name\r");
    EXPECT_LT(now_ms() - start, 1000u);
    EXPECT_NE(out.find("xenstore read name: timed out after 100 ms"), std::string::npos) << out;
}

}  // namespace
