#include <gtest/gtest.h>

#include <cstring>

#include <string>

#include "arch/arch.h"
#include "tests/sim/fakes.h"

namespace {

using namespace xb;
using sim::ConsoleGuest;
using sim::SimConsoleBackend;

TEST(PvConsole, WritesReachTheBackendWithCrLf) {
    ConsoleGuest g;
    g.console->write("hello\nworld\n");
    EXPECT_EQ(g.backend.output(), "hello\r\nworld\r\n");
}

TEST(PvConsole, OneNotificationPerWriteNotPerCharacter) {
    ConsoleGuest g;
    unsigned before = g.xen.notifications(SimConsoleBackend::kPort);
    g.console->write(std::string(200, 'x'));
    EXPECT_EQ(g.xen.notifications(SimConsoleBackend::kPort) - before, 1u);
    before = g.xen.notifications(SimConsoleBackend::kPort);
    g.console->printf("%s %d %s\n", "a formatted line of", 42, "characters");
    EXPECT_EQ(g.xen.notifications(SimConsoleBackend::kPort) - before, 1u);
}

TEST(PvConsole, LargeOutputWrapsTheRing) {
    ConsoleGuest g;
    std::string big;
    for (int i = 0; i < 10000; ++i) big += static_cast<char>('a' + i % 26);
    g.console->write(big);
    g.console->write(big);
    EXPECT_EQ(g.backend.output(), big + big);
    EXPECT_EQ(g.console->dropped_bytes(), 0u);
}

TEST(PvConsole, StalledBackendCostsBoundedTimeThenDrops) {
    ConsoleGuest g(pvconsole::PvConsole::Config{50});
    g.backend.set_stalled(true);
    auto start = arch::counter();
    g.console->write(std::string(3000, 'y'));  // more than the 2 KiB ring
    g.console->write(std::string(100, 'z'));   // must not wait again
    auto ms = arch::ticks_to_ms(arch::counter() - start);
    EXPECT_GE(ms, 50u);
    EXPECT_LT(ms, 2000u);
    EXPECT_EQ(g.console->dropped_bytes(), 3000u - 2048u + 100u);
    g.backend.set_stalled(false);
    g.backend.service();
    g.console->write("back\n");
    EXPECT_EQ(g.backend.output().substr(g.backend.output().size() - 6), "back\r\n");
}

TEST(PvConsole, ReadsTypedInput) {
    ConsoleGuest g;
    g.backend.type("ab");
    g.backend.service();
    EXPECT_EQ(g.console->read_char(), 'a');
    EXPECT_EQ(g.console->read_char(), 'b');
    EXPECT_EQ(g.console->read_char(), -1);
}

TEST(PvConsole, MoreInputThanTheRingHoldsArrivesInOrder) {
    ConsoleGuest g;
    std::string text;
    for (int i = 0; i < 3000; ++i) text += static_cast<char>('0' + i % 10);
    g.backend.type(text);
    std::string got;
    while (got.size() < text.size()) {
        int c = g.console->read_char();
        if (c < 0) {
            ASSERT_TRUE(g.console->wait_input(Deadline::never()).ok());
            continue;
        }
        got += static_cast<char>(c);
    }
    EXPECT_EQ(got, text);
}

TEST(PvConsole, WaitInputSleepsInPollAndWakesOnInput) {
    ConsoleGuest g;
    g.backend.type("x");
    ASSERT_TRUE(g.console->wait_input(Deadline::never()).ok());
    EXPECT_GT(g.xen.polls(), 0u);
    EXPECT_EQ(g.console->read_char(), 'x');
    // Nothing will ever come: a real guest sleeps; the sim reports starvation.
    EXPECT_FALSE(g.console->wait_input(Deadline::never()).ok());
    EXPECT_EQ(g.xen.starved_polls(), 1u);
    // A timed wait returns when the deadline passes.
    EXPECT_TRUE(g.console->wait_input(Deadline::after_ms(20)).ok());
}

// Background work (disks connecting) runs from the input wait: polled every
// slice while it has work left, never in the way of typed input, and once it
// is done the console sleeps until input again.
struct CountingIdle final : pvconsole::PvConsole::Idle {
    unsigned work_left = 0;
    unsigned polls = 0;
    std::uint64_t last_poll_ticks = 0;
    bool poll() override {
        ++polls;
        last_poll_ticks = arch::counter();
        if (work_left != 0) --work_left;
        return work_left != 0;
    }
};

TEST(PvConsole, IdleWorkRunsWhileWaitingForInput) {
    ConsoleGuest g;
    CountingIdle idle;
    idle.work_left = 20;
    g.console->set_idle(&idle);
    const auto t0 = arch::counter();
    // A timed wait longer than the work: every step taken, a slice apart.
    EXPECT_TRUE(g.console->wait_input(Deadline::after_ms(500)).ok());
    EXPECT_EQ(idle.work_left, 0u);
    EXPECT_GE(idle.polls, 20u);
    EXPECT_LE(arch::ticks_to_ms(idle.last_poll_ticks - t0), 20u * pvconsole::PvConsole::kIdleSliceMs + 10u);
    // Typed input ends the wait at once, work or not.
    idle.work_left = 1000;
    g.backend.type("k");
    const unsigned before = idle.polls;
    ASSERT_TRUE(g.console->wait_input(Deadline::never()).ok());
    EXPECT_LE(idle.polls - before, 1u);
    EXPECT_EQ(g.console->read_char(), 'k');
    // Work done: an untimed wait sleeps in poll until input (the sim reports
    // starvation when none will come) instead of calling again and again.
    idle.work_left = 3;
    EXPECT_FALSE(g.console->wait_input(Deadline::never()).ok());
    EXPECT_EQ(idle.work_left, 0u);
    EXPECT_EQ(g.xen.starved_polls(), 1u);
    g.console->set_idle(nullptr);
}

TEST(PvConsole, CorruptIndicesFromTheBackendAreSurvived) {
    ConsoleGuest g;
    auto& ring = g.backend.ring();
    ring.in_prod = ring.in_cons + 5000;  // more than the ring holds
    EXPECT_EQ(g.console->read_char(), -1);
    EXPECT_EQ(g.console->bad_index_resets(), 1u);
    EXPECT_EQ(ring.in_cons, ring.in_prod);
    g.backend.set_stalled(true);
    ring.out_cons = ring.out_prod + 100;  // consumer ahead of producer: impossible
    g.console->write("still safe");
    EXPECT_GE(g.console->bad_index_resets(), 2u);
}

}  // namespace
