// Deadlines on the host's virtual clock: they expire when their budget has
// passed and saturate instead of wrapping when the budget is too large.
#include <gtest/gtest.h>

#include <cstdint>

#include "lib/clock.h"
#include "lib/deadline.h"

namespace {

using xb::Deadline;

TEST(Deadline, ZeroIsAlreadyExpired) { EXPECT_TRUE(Deadline::after_ms(0).expired()); }

TEST(Deadline, ExpiresWhenItsBudgetHasPassed) {
    const Deadline d = Deadline::after_ms(5);
    EXPECT_FALSE(d.expired());
    EXPECT_EQ(d.budget_ms(), 5u);
    // The host clock moves one tick per read: read it until the budget is spent.
    const std::uint64_t budget_ticks = 5 * xb::clock_hz() / 1000;
    for (std::uint64_t i = 0; i < budget_ticks + 1 && !d.expired(); ++i) (void)xb::clock_ticks();
    EXPECT_TRUE(d.expired());
}

// `sleep 18446744.074` once wrapped ms * hz round to a deadline in the past.
TEST(Deadline, HugeBudgetsSaturateInsteadOfWrapping) {
    for (std::uint64_t ms : {UINT64_MAX, UINT64_MAX / 1000, std::uint64_t{18446744074}, UINT64_MAX / 1000000 + 1}) {
        const Deadline d = Deadline::after_ms(ms);
        EXPECT_FALSE(d.expired()) << ms;
        EXPECT_GT(d.at(), xb::clock_ticks()) << ms;
        EXPECT_EQ(d.budget_ms(), ms);
    }
}

TEST(Deadline, NeverNeverExpires) {
    EXPECT_TRUE(Deadline::never().is_never());
    EXPECT_FALSE(Deadline::never().expired());
}

}  // namespace
