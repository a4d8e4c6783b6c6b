// Table-driven shell tests: one case type, "input -> expected output (exact,
// contained or a regex) and, when the suite checks it, exit status", printed
// readably by gtest and named after the case. A suite is a fixture, one
// TEST_P that feeds GetParam().input to its rig and calls check(), and a
// table:
//
//   class EchoCases : public sim::ShellCaseTest {};
//   TEST_P(EchoCases, Output) {
//       sim::ShellRig rig;
//       int status = -1;
//       const std::string out = rig.run(GetParam().input, &status);
//       EXPECT_TRUE(sim::check(GetParam(), out, status));
//   }
//   XB_SHELL_CASES(EchoCases, sim::output_is("plain", "echo a", "a\n", 0),
//                             sim::output_has("blanks", "echo a  b", "a b"));
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <regex>
#include <string>
#include <string_view>
#include <utility>

namespace xb::sim {

enum class Expect { exact, contains, regex };

struct ShellCase {
    std::string name;      // the test's name in gtest: Table/Suite.Test/name
    std::string input;     // what the suite feeds its rig: typed bytes or script text
    std::string expected;  // the output, a part of it, or a regex (ECMAScript, searched)
    Expect how = Expect::contains;
    std::optional<int> status;  // the exit status, checked when present
};

// The whole output is `output`.
inline ShellCase output_is(std::string name, std::string input, std::string output,
                           std::optional<int> status = std::nullopt) {
    return {std::move(name), std::move(input), std::move(output), Expect::exact, status};
}
// The output contains `part`.
inline ShellCase output_has(std::string name, std::string input, std::string part,
                            std::optional<int> status = std::nullopt) {
    return {std::move(name), std::move(input), std::move(part), Expect::contains, status};
}
// Some part of the output matches `pattern`.
inline ShellCase output_matches(std::string name, std::string input, std::string pattern,
                                std::optional<int> status = std::nullopt) {
    return {std::move(name), std::move(input), std::move(pattern), Expect::regex, status};
}

// Text with control bytes, quotes and backslashes escaped, in quotes: what a
// failure shows, so CR, ESC or a missing blank are visible. (Not "quoted":
// argument-dependent lookup would pick std::quoted for a std::string.)
inline std::string escaped(std::string_view text) {
    static const char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        switch (c) {
            case '\r': out += "\\r"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            default:
                if (b < 0x20 || b >= 0x7f) {
                    out += "\\x";
                    out += kHex[b >> 4];
                    out += kHex[b & 15];
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

inline const char* expect_name(Expect how) {
    switch (how) {
        case Expect::exact: return "is";
        case Expect::contains: return "contains";
        case Expect::regex: return "matches";
    }
    return "?";
}

// gtest prints a parameter with this (found by argument-dependent lookup).
inline void PrintTo(const ShellCase& c, std::ostream* os) {
    *os << c.name << ": input " << escaped(c.input) << ", output " << expect_name(c.how) << ' ' << escaped(c.expected);
    if (c.status.has_value()) *os << ", status " << *c.status;
}

// Checks what the suite's rig produced for the case's input against the case.
inline ::testing::AssertionResult check(const ShellCase& c, std::string_view output,
                                        std::optional<int> status = std::nullopt) {
    bool output_ok = false;
    switch (c.how) {
        case Expect::exact: output_ok = output == c.expected; break;
        case Expect::contains: output_ok = output.find(c.expected) != std::string_view::npos; break;
        case Expect::regex: {
            const std::string text(output);
            output_ok = std::regex_search(text, std::regex(c.expected));
            break;
        }
    }
    const bool status_ok = !c.status.has_value() || status == c.status;
    if (output_ok && status_ok) return ::testing::AssertionSuccess();
    ::testing::AssertionResult failure = ::testing::AssertionFailure();
    failure << "input " << escaped(c.input) << '\n';
    if (!output_ok) {
        failure << "output was " << escaped(output) << "\n  expected it " << expect_name(c.how) << ' '
                << escaped(c.expected) << '\n';
    }
    if (!status_ok) {
        failure << "status was ";
        if (status.has_value()) {
            failure << *status;
        } else {
            failure << "not reported";
        }
        failure << ", expected " << *c.status << '\n';
    }
    return failure;
}

// The gtest name of a case: its own.
inline std::string case_name(const ::testing::TestParamInfo<ShellCase>& info) { return info.param.name; }

class ShellCaseTest : public ::testing::TestWithParam<ShellCase> {};

}  // namespace xb::sim

// Instantiates suite (a sim::ShellCaseTest) as Table/suite over the cases given.
#define XB_SHELL_CASES(suite, ...) \
    INSTANTIATE_TEST_SUITE_P(Table, suite, ::testing::Values(__VA_ARGS__), ::xb::sim::case_name)
