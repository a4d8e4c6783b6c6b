#include "lib/regex_lite.h"

namespace xb {

Status Regex::compile(std::string_view p) {
    count_ = 0;
    groups_ = 0;
    anchored_start_ = anchored_end_ = false;
    std::size_t i = 0;
    if (!p.empty() && p[0] == '^') {
        anchored_start_ = true;
        i = 1;
    }
    unsigned open_stack[kMaxGroups] = {};
    unsigned depth = 0;
    while (i < p.size()) {
        const char c = p[i];
        if (c == '$' && i + 1 == p.size()) {
            anchored_end_ = true;
            break;
        }
        if (count_ == kMaxItems)
            return Error::make(Errc::invalid_argument, "regex too long (at most %u atoms)", kMaxItems);
        Item& it = items_[count_];
        it = Item{};
        if (c == '*' || c == '+' || c == '?') {
            if (count_ == 0 || items_[count_ - 1].kind == Kind::open || items_[count_ - 1].kind == Kind::close ||
                items_[count_ - 1].min != 1 || items_[count_ - 1].max != 1) {
                return Error::make(Errc::invalid_argument, "regex: '%c' at offset %zu repeats nothing it can", c, i);
            }
            Item& prev = items_[count_ - 1];
            prev.min = c == '+' ? 1 : 0;
            prev.max = c == '?' ? 1 : 0;
            ++i;
            continue;
        }
        if (c == '(') {
            if (groups_ == kMaxGroups)
                return Error::make(Errc::invalid_argument, "regex: more than %u groups", kMaxGroups);
            if (depth == kMaxGroups) return Error::make(Errc::invalid_argument, "regex: groups nested too deep");
            it.kind = Kind::open;
            it.group = static_cast<std::uint8_t>(++groups_);
            open_stack[depth++] = groups_;
            ++count_;
            ++i;
            continue;
        }
        if (c == ')') {
            if (depth == 0) return Error::make(Errc::invalid_argument, "regex: unmatched ')' at offset %zu", i);
            it.kind = Kind::close;
            it.group = static_cast<std::uint8_t>(open_stack[--depth]);
            ++count_;
            ++i;
            continue;
        }
        if (c == '|') return Error::make(Errc::invalid_argument, "regex: '|' (alternation) is not supported");
        if (c == '.') {
            it.kind = Kind::any;
            ++i;
        } else if (c == '\\') {
            if (i + 1 == p.size()) return Error::make(Errc::invalid_argument, "regex: trailing backslash");
            it.kind = Kind::chr;
            it.c = p[i + 1];
            i += 2;
        } else if (c == '[') {
            it.kind = Kind::set;
            std::size_t j = i + 1;
            bool negate = false;
            if (j < p.size() && p[j] == '^') {
                negate = true;
                ++j;
            }
            bool first = true;
            while (j < p.size() && (first || p[j] != ']')) {
                unsigned lo = static_cast<unsigned char>(p[j]);
                unsigned hi = lo;
                if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
                    hi = static_cast<unsigned char>(p[j + 2]);
                    if (hi < lo) return Error::make(Errc::invalid_argument, "regex: bad range at offset %zu", j);
                    j += 3;
                } else {
                    ++j;
                }
                for (unsigned v = lo; v <= hi; ++v) it.set[v / 8] |= static_cast<std::uint8_t>(1u << (v % 8));
                first = false;
            }
            if (j >= p.size()) return Error::make(Errc::invalid_argument, "regex: unterminated '[' at offset %zu", i);
            if (negate) {
                for (auto& b : it.set) b = static_cast<std::uint8_t>(~b);
            }
            i = j + 1;
        } else {
            it.kind = Kind::chr;
            it.c = c;
            ++i;
        }
        ++count_;
    }
    if (depth != 0) return Error::make(Errc::invalid_argument, "regex: unmatched '('");
    return ok();
}

bool Regex::matches_one(const Item& it, char c) const {
    switch (it.kind) {
        case Kind::chr: return it.c == c;
        case Kind::any: return true;
        case Kind::set: {
            const auto v = static_cast<unsigned char>(c);
            return (it.set[v / 8] >> (v % 8)) & 1;
        }
        default: return false;
    }
}

// Recursion depth is at most count_ (one level per item; repeats loop).
bool Regex::match_here(unsigned item, std::size_t pos, std::string_view text, Match& m, std::uint32_t& steps,
                       bool& budget) const {
    if (++steps > kMaxSteps) {
        budget = true;
        return false;
    }
    if (item == count_) {
        if (anchored_end_ && pos != text.size()) return false;
        m.end = pos;
        return true;
    }
    const Item& it = items_[item];
    if (it.kind == Kind::open || it.kind == Kind::close) {
        const std::size_t saved_start = m.group_start[it.group], saved_end = m.group_end[it.group];
        const bool saved_set = m.group_set[it.group];
        if (it.kind == Kind::open) m.group_start[it.group] = pos;
        else {
            m.group_end[it.group] = pos;
            m.group_set[it.group] = true;
        }
        if (match_here(item + 1, pos, text, m, steps, budget)) return true;
        m.group_start[it.group] = saved_start;
        m.group_end[it.group] = saved_end;
        m.group_set[it.group] = saved_set;
        return false;
    }
    // Greedy: take as many as allowed, then give back one at a time.
    std::size_t n = 0;
    const std::size_t max = it.max == 0 ? text.size() - pos : it.max;
    while (n < max && pos + n < text.size() && matches_one(it, text[pos + n])) ++n;
    for (;;) {
        if (n < it.min) return false;
        if (match_here(item + 1, pos + n, text, m, steps, budget)) return true;
        if (budget || n == 0) return false;
        --n;
    }
}

Result<bool> Regex::search(std::string_view text, std::size_t from, Match& m) const {
    std::uint32_t steps = 0;
    bool budget = false;
    if (anchored_start_ && from != 0) return false;  // '^' matches only at the start of the text
    for (std::size_t start = from; start <= text.size(); ++start) {
        m = Match{};
        m.start = start;
        if (match_here(0, start, text, m, steps, budget)) {
            m.group_start[0] = m.start;
            m.group_end[0] = m.end;
            m.group_set[0] = true;
            return true;
        }
        if (budget) return Error::make(Errc::invalid_argument, "regex: too complex (more than %u steps)", kMaxSteps);
        if (anchored_start_) break;
    }
    return false;
}

Result<std::size_t> regex_substitute(const Regex& re, std::string_view text, std::string_view rep, bool global,
                                     char* out, std::size_t cap) {
    std::size_t len = 0;
    auto put = [&](std::string_view s) -> bool {
        if (s.size() > cap - len) return false;
        for (char c : s) out[len++] = c;
        return true;
    };
    const auto too_long = [&] {
        return Error::make(Errc::invalid_argument, "result too long (at most %zu bytes)", cap);
    };
    std::size_t from = 0;
    for (;;) {
        Regex::Match m;
        const bool found = TRY(re.search(text, from, m));
        if (!found) break;
        if (!put(text.substr(from, m.start - from))) return too_long();
        for (std::size_t i = 0; i < rep.size(); ++i) {
            if (rep[i] == '\\' && i + 1 < rep.size() && rep[i + 1] >= '0' && rep[i + 1] <= '9') {
                const unsigned g = static_cast<unsigned>(rep[i + 1] - '0');
                if (g <= Regex::kMaxGroups && m.group_set[g] &&
                    !put(text.substr(m.group_start[g], m.group_end[g] - m.group_start[g]))) {
                    return too_long();
                }
                ++i;
                continue;
            }
            if (rep[i] == '\\' && i + 1 < rep.size() && rep[i + 1] == '\\') ++i;
            if (!put(rep.substr(i, 1))) return too_long();
        }
        if (m.end == m.start) {  // an empty match: copy one character and go on past it
            if (m.end < text.size() && !put(text.substr(m.end, 1))) return too_long();
            from = m.end + 1;
        } else {
            from = m.end;
        }
        if (!global || from > text.size()) break;
    }
    if (from < text.size() && !put(text.substr(from))) return too_long();
    return len;
}

}  // namespace xb
