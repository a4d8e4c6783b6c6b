// ScopeGuard: the undo runs on every way out of the scope (fall-through and
// early return), exactly once, never after cancel(), and guards unwind in
// reverse order of creation like the resources they release.
#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "lib/result.h"
#include "lib/scope_guard.h"

namespace {

using xb::Errc;
using xb::Error;
using xb::ScopeGuard;
using xb::Status;

TEST(ScopeGuard, RunsOnceAtScopeExit) {
    int runs = 0;
    {
        ScopeGuard undo([&] { ++runs; });
        EXPECT_TRUE(undo.armed());
        EXPECT_EQ(runs, 0);
    }
    EXPECT_EQ(runs, 1);
}

TEST(ScopeGuard, CancelKeepsTheWork) {
    int runs = 0;
    {
        ScopeGuard undo([&] { ++runs; });
        undo.cancel();
        EXPECT_FALSE(undo.armed());
    }
    EXPECT_EQ(runs, 0);
}

// A three-step set-up in the shape the drivers use: each step's undo is armed
// once the step is done, and all of them are cancelled only at the end.
Status set_up(int fail_at, std::string& log) {
    log += "a";
    ScopeGuard undo_a([&] { log += "A"; });
    if (fail_at == 1) return Error::make(Errc::io, "step 1");
    log += "b";
    ScopeGuard undo_b([&] { log += "B"; });
    auto step2 = [&]() -> Status {
        if (fail_at == 2) return Error::make(Errc::io, "step 2");
        return xb::ok();
    };
    TRY(step2());
    log += "c";
    undo_a.cancel();
    undo_b.cancel();
    return xb::ok();
}

TEST(ScopeGuard, EarlyReturnsUndoInReverseOrder) {
    std::string log;
    EXPECT_FALSE(set_up(1, log).ok());
    EXPECT_EQ(log, "aA");
    log.clear();
    Status s = set_up(2, log);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "step 2");
    EXPECT_EQ(log, "abBA");  // TRY's return runs the guards, newest first
    log.clear();
    EXPECT_TRUE(set_up(0, log).ok());
    EXPECT_EQ(log, "abc");
}

TEST(ScopeGuard, WorksWithAPlainFunctionObject) {
    struct Counter {
        int* n;
        void operator()() const { ++*n; }
    };
    int n = 0;
    { ScopeGuard<Counter> undo(Counter{&n}); }
    {
        auto undo = ScopeGuard(Counter{&n});  // guaranteed elision: no move needed
    }
    EXPECT_EQ(n, 2);
    static_assert(!std::is_copy_constructible_v<ScopeGuard<Counter>>);
    static_assert(!std::is_move_constructible_v<ScopeGuard<Counter>>);
    static_assert(sizeof(ScopeGuard<Counter>) <= 2 * sizeof(int*));  // stored by value, no heap
}

}  // namespace
