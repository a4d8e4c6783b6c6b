// fdt::encode_value: the words of `fdt set path prop VALUE...` -> property
// bytes, table-driven: what the shell hands over (already split on blanks) and
// the exact bytes, or the error message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fdt/property_value.h"

namespace {

using namespace xb;

struct ValueCase {
    const char* name;
    std::vector<const char*> words;
    std::vector<std::uint8_t> bytes;  // expected value
    const char* error = nullptr;      // or the expected error
};

std::vector<std::uint8_t> str(const std::string& s) { return {s.begin(), s.end()}; }

class ValueCases : public ::testing::TestWithParam<ValueCase> {};

TEST_P(ValueCases, Encode) {
    const ValueCase& c = GetParam();
    std::vector<std::uint8_t> out(fdt::kMaxPropertyValue, 0xee);
    Result<std::size_t> len = fdt::encode_value(c.words, out);
    if (c.error != nullptr) {
        ASSERT_FALSE(len.ok());
        EXPECT_STREQ(len.error().message(), c.error);
        return;
    }
    ASSERT_TRUE(len.ok()) << len.error().message();
    EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<long>(len.value())), c.bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValueCases,
    ::testing::Values(
        ValueCase{"empty", {}, {}}, ValueCase{"one_cell_hex", {"<0x12345678>"}, {0x12, 0x34, 0x56, 0x78}},
        ValueCase{"decimal_and_octal", {"<42 010 0>"}, {0, 0, 0, 42, 0, 0, 0, 8, 0, 0, 0, 0}},
        ValueCase{"upper_hex", {"<0XABCDEF01>"}, {0xab, 0xcd, 0xef, 0x01}},
        // "<0x0 0x48000000 0x0 0x1000>" as the shell splits it.
        ValueCase{"cells_across_words",
                  {"<0x0", "0x48000000", "0x0", "0x1000>"},
                  {0, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0}},
        ValueCase{"brackets_apart", {"<", "1", "2", ">"}, {0, 0, 0, 1, 0, 0, 0, 2}},
        ValueCase{"blanks_inside_one_word", {"< 1\t 2 >"}, {0, 0, 0, 1, 0, 0, 0, 2}},
        ValueCase{"empty_cells", {"<>"}, {}},
        ValueCase{"max_cell", {"<0xffffffff 4294967295>"}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
        ValueCase{"bytes", {"[01 02 ff]"}, {1, 2, 0xff}},
        ValueCase{"bytes_packed_like_dtc", {"[0102aB]"}, {1, 2, 0xab}},
        ValueCase{"bytes_across_words", {"[1", "a", "0b0c]"}, {1, 0xa, 0xb, 0xc}}, ValueCase{"empty_bytes", {"[]"}, {}},
        ValueCase{"string", {"console=hvc0"}, str(std::string("console=hvc0") + '\0')},
        ValueCase{"string_list", {"xen,xen-4.17", "xen,xen"}, str(std::string("xen,xen-4.17\0xen,xen\0", 21))},
        ValueCase{"empty_string", {""}, {0}},
        ValueCase{"string_with_blank", {"root=/dev/xvda1 ro"}, str(std::string("root=/dev/xvda1 ro") + '\0')},
        ValueCase{"angle_inside_string", {"a<b"}, str(std::string("a<b") + '\0')},
        ValueCase{"cell_too_big", {"<0x100000000>"}, {}, "cell '0x100000000' does not fit in 32 bits"},
        ValueCase{"decimal_too_big", {"<4294967296>"}, {}, "cell '4294967296' does not fit in 32 bits"},
        ValueCase{"not_a_number", {"<0x1g>"}, {}, "cell '0x1g' is not a number"},
        ValueCase{"bad_octal", {"<08>"}, {}, "cell '08' is not a number"},
        ValueCase{"bare_0x", {"<0x>"}, {}, "cell '0x' is not a number"},
        ValueCase{"negative", {"<-1>"}, {}, "cell '-1' is not a number"},
        ValueCase{"unclosed_cells", {"<1", "2"}, {}, "missing '>' at the end of the value"},
        ValueCase{"text_after_cells", {"<1>", "junk"}, {}, "unexpected text after '>' (one value per property)"},
        ValueCase{"text_glued_after", {"<1>x"}, {}, "unexpected text after '>' (one value per property)"},
        ValueCase{"cells_then_bytes", {"<1>", "[2]"}, {}, "unexpected text after '>' (one value per property)"},
        ValueCase{"long_token",
                  {"<00000000000000000000000000000000000000000000001>"},
                  {},
                  "cell '000000000000000000000000000000000000000...' is too long"},
        ValueCase{"byte_not_hex", {"[0g]"}, {}, "byte '0g' is not hexadecimal"},
        ValueCase{"odd_digits", {"[123]"}, {}, "bytes '123' have an odd number of digits"},
        ValueCase{"unclosed_bytes", {"[01"}, {}, "missing ']' at the end of the value"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(FdtValue, BoundedByTheOutput) {
    std::vector<std::uint8_t> out(8);
    const std::vector<const char*> cells{"<1 2 3>"};
    Result<std::size_t> r = fdt::encode_value(cells, std::span<std::uint8_t>(out));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().message(), "value longer than 8 bytes");
    const std::vector<const char*> strings{"1234567", "x"};
    EXPECT_FALSE(fdt::encode_value(strings, std::span<std::uint8_t>(out)).ok());
    const std::vector<const char*> fits{"1234567"};
    EXPECT_EQ(fdt::encode_value(fits, std::span<std::uint8_t>(out)).value(), 8u);
    // Nothing is written past the span.
    std::vector<std::uint8_t> big(16, 0xee);
    const std::vector<const char*> bytes{"[0102030405060708090a]"};
    EXPECT_FALSE(fdt::encode_value(bytes, std::span<std::uint8_t>(big.data(), 4)).ok());
    for (std::size_t i = 4; i < big.size(); ++i) EXPECT_EQ(big[i], 0xee);
}

}  // namespace
