// A small, bounded regular-expression matcher for `setexpr sub/gsub`.
// The subset (documented in docs/user-guide.md):
//   c        a literal character;  \c  the character c (\. \* \\ \[ ...)
//   .        any character
//   [abc] [a-z] [^0-9]   a set (']' first is literal; '-' first or last too)
//   x* x+ x?  repeats of the atom before (greedy); not after a group
//   ( ... )  a capture group (\1..\9 in the replacement); no '|' alternation
//   ^ $      start / end of the text (only at the pattern's start / end)
// Bounded: patterns of at most kMaxItems atoms, and at most kMaxSteps
// matching steps per search (a pathological pattern is an error, not a hang).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/result.h"

namespace xb {

class Regex {
  public:
    static constexpr unsigned kMaxItems = 64;
    static constexpr unsigned kMaxGroups = 9;
    static constexpr std::uint32_t kMaxSteps = 1000000;

    struct Match {
        std::size_t start = 0, end = 0;  // of the whole match
        std::size_t group_start[kMaxGroups + 1] = {};
        std::size_t group_end[kMaxGroups + 1] = {};
        bool group_set[kMaxGroups + 1] = {};
    };

    Status compile(std::string_view pattern);
    // The leftmost match starting at or after `from`; false if none. Errors:
    // the step budget ran out.
    Result<bool> search(std::string_view text, std::size_t from, Match& m) const;

  private:
    enum class Kind : std::uint8_t { chr, any, set, open, close };
    struct Item {
        Kind kind = Kind::chr;
        char c = 0;
        std::uint8_t group = 0;
        std::uint8_t min = 1, max = 1;  // max 0 = unbounded
        std::uint8_t set[32] = {};      // bit per byte value
    };
    bool matches_one(const Item& it, char c) const;
    bool match_here(unsigned item, std::size_t pos, std::string_view text, Match& m, std::uint32_t& steps,
                    bool& budget) const;

    Item items_[kMaxItems];
    unsigned count_ = 0;
    unsigned groups_ = 0;
    bool anchored_start_ = false;
    bool anchored_end_ = false;
};

// Replaces the first (global=false) or every match of re in text by
// replacement (\0 the match, \1..\9 groups, \\ a backslash), into out
// (capacity cap). Errors: result too long, regex step budget.
Result<std::size_t> regex_substitute(const Regex& re, std::string_view text, std::string_view replacement, bool global,
                                     char* out, std::size_t cap);

}  // namespace xb
