#include <gtest/gtest.h>

#include <cstring>

#include <string>

#include "lib/format.h"

namespace {

std::string fmt(const char* f, auto... args) {
    char buf[256];
    xb::format_to(buf, sizeof buf, f, args...);
    return buf;
}

TEST(Format, Integers) {
    EXPECT_EQ(fmt("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
    EXPECT_EQ(fmt("%x %X %#x", 0xbeefu, 0xbeefu, 0x10u), "beef BEEF 0x10");
    EXPECT_EQ(fmt("%lld %llu", -9223372036854775807LL - 1, 18446744073709551615ULL),
              "-9223372036854775808 18446744073709551615");
    EXPECT_EQ(fmt("%zu %hhu %hd", std::size_t{12}, 300, 70000), "12 44 4464");
}

TEST(Format, WidthPrecisionFlags) {
    EXPECT_EQ(fmt("[%5d][%-5d][%05d]", 42, 42, -42), "[   42][42   ][-0042]");
    EXPECT_EQ(fmt("0x%016llx", 0x40000000ULL), "0x0000000040000000");
    EXPECT_EQ(fmt("[%-10s][%.3s][%*d]", "help", "abcdef", 4, 7), "[help      ][abc][   7]");
    EXPECT_EQ(fmt("%.3u", 5u), "005");
}

TEST(Format, PrecisionBoundsTheReadOfAStringWithoutNul) {
    // A view into a larger text: the byte after the precision is not read
    // (ASan would report the heap read one past the allocation).
    auto* text = new char[3]{'a', 'b', 'c'};
    EXPECT_EQ(fmt("[%.*s]", 3, text), "[abc]");
    delete[] text;
}

TEST(Format, StringsCharsPercent) {
    EXPECT_EQ(fmt("%s|%c|%%", "x", 'y'), "x|y|%");
    EXPECT_EQ(fmt("%s", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0x1000)), "0x1000");
    EXPECT_EQ(fmt("trailing %"), "trailing ");
    EXPECT_EQ(fmt("%q"), "%q");
}

TEST(Format, TruncatesSafelyAndReportsFullLength) {
    char buf[8];
    std::memset(buf, 'Z', sizeof buf);
    std::size_t n = xb::format_to(buf, 6, "%s", "hello world");
    EXPECT_EQ(n, 11u);
    EXPECT_STREQ(buf, "hello");
    EXPECT_EQ(buf[6], 'Z');  // nothing written past the given size
    EXPECT_EQ(xb::format_to(nullptr, 0, "%d", 12345), 5u);
}

TEST(Format, LongOutputCrossesChunkBoundaries) {
    std::string big(1000, 'a');
    char buf[2048];
    xb::format_to(buf, sizeof buf, "<%s>", big.c_str());
    EXPECT_EQ(std::string(buf), "<" + big + ">");
}

}  // namespace
