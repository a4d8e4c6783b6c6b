#include <gtest/gtest.h>

#include <cstring>

#include "lib/result.h"

namespace {

using xb::Errc;
using xb::Error;
using xb::Result;
using xb::Status;

Result<int> parse_positive(int v) {
    if (v <= 0) return Error::make(Errc::invalid_argument, "value %d is not positive", v);
    return v;
}

Result<int> doubled(int v) {
    int x = TRY(parse_positive(v));
    return 2 * x;
}

Status checked(int v) {
    TRY_CTX(parse_positive(v), "checking %s", "input");
    return xb::ok();
}

TEST(Result, ValueAndError) {
    Result<int> good = parse_positive(3);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good.value(), 3);
    Result<int> bad = parse_positive(-1);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code(), Errc::invalid_argument);
    EXPECT_STREQ(bad.error().message(), "value -1 is not positive");
    EXPECT_EQ(bad.value_or(9), 9);
}

TEST(Result, TryPropagates) {
    EXPECT_EQ(doubled(4).value(), 8);
    EXPECT_STREQ(doubled(0).error().message(), "value 0 is not positive");
}

TEST(Result, TryCtxPrefixesContext) {
    EXPECT_TRUE(checked(1).ok());
    Status s = checked(-5);
    ASSERT_FALSE(s.ok());
    EXPECT_STREQ(s.error().message(), "checking input: value -5 is not positive");
}

TEST(Result, XenErrorCarriesErrno) {
    Error e = Error::xen(16, Errc::hypercall, "add_to_physmap: %s", "EBUSY");
    EXPECT_EQ(e.xen_errno(), 16);
    EXPECT_EQ(e.code(), Errc::hypercall);
}

TEST(Result, LongContextIsTruncatedNotOverflowed) {
    Error e = Error::make(Errc::io, "%s", std::string(400, 'x').c_str());
    e.prefix("%s", std::string(400, 'y').c_str());
    EXPECT_EQ(std::strlen(e.message()), Error::kMaxMessage - 1);
}

// Reading the wrong member of a Result is a caller's bug: it must stop at once
// with the error that was ignored, not return whatever the union holds.
TEST(ResultDeathTest, ValueOfAnErrorPanicsWithTheError) {
    Result<int> bad = parse_positive(-2);
    EXPECT_DEATH((void)bad.value(),
                 "Result::value\\(\\) called on an error \\(invalid argument\\): value -2 is not positive");
    const Result<int>& cref = bad;
    EXPECT_DEATH((void)cref.value(), "value -2 is not positive");
    EXPECT_DEATH((void)parse_positive(-3).value(), "value -3 is not positive");
    Status failed = checked(-4);
    EXPECT_DEATH(failed.value(), "checking input: value -4 is not positive");
}

TEST(ResultDeathTest, ErrorOfASuccessPanics) {
    Result<int> good = parse_positive(1);
    EXPECT_DEATH((void)good.error(), "Result::error\\(\\) called on a success");
    const Status done = xb::ok();
    EXPECT_DEATH((void)done.error(), "Result::error\\(\\) called on a success");
}

TEST(Result, CheckedAccessorsStillServeTheRightMember) {
    Result<int> good = parse_positive(5);
    EXPECT_EQ(good.value(), 5);
    EXPECT_EQ(std::move(good).value(), 5);
    Status failed = checked(-1);
    EXPECT_EQ(failed.error().code(), Errc::invalid_argument);
    xb::ok().value();  // a success has its (empty) value
}

}  // namespace
