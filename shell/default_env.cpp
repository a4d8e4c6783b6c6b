#include "shell/default_env.h"
#include <new>

#include "xenboot/default_env.h"

namespace xb::cmd {
namespace {

constexpr const char (&kDefaults)[sizeof kXenbootDefaultEnv] = kXenbootDefaultEnv;

// Calls fn(line_number, name, value) for each name=value line; returns an
// error for a line that is neither blank, a comment nor name=value.
template <typename Fn>
Status for_each_line(std::string_view text, Fn fn) {
    unsigned line_no = 0;
    while (!text.empty()) {
        ++line_no;
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line[0] == '#') continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos || !Environment::valid_name(line.substr(0, eq))) {
            return Error::make(Errc::bad_data, "default environment line %u: not name=value", line_no);
        }
        TRY(fn(line_no, line.substr(0, eq), line.substr(eq + 1)));
    }
    return ok();
}

}  // namespace

std::string_view default_env_text() { return std::string_view(kDefaults, sizeof kDefaults - 1); }

Status load_env_text(Environment& env, std::string_view text) {
    return for_each_line(text, [&](unsigned line_no, std::string_view name, std::string_view value) -> Status {
        Status s = env.set(name, value);
        if (!s.ok()) s.error().prefix("default environment line %u", line_no);
        return s;
    });
}

std::optional<std::string_view> default_env_value(std::string_view name) {
    std::optional<std::string_view> found;
    (void)for_each_line(default_env_text(), [&](unsigned, std::string_view n, std::string_view v) -> Status {
        if (n == name) found = v;
        return ok();
    });
    if (found && found->empty()) return std::nullopt;
    return found;
}

BootargsResult load_bootargs_env(Environment& env, std::string_view args) {
    BootargsResult r;
    char* word = new (std::nothrow) char[Environment::kMaxName + Environment::kMaxValue + 2];
    if (word == nullptr) {
        ++r.failed;
        return r;
    }
    std::size_t i = 0;
    const std::size_t n = args.size();
    while (i < n) {
        while (i < n && (args[i] == ' ' || args[i] == '\t' || args[i] == '\n')) ++i;
        if (i == n) break;
        std::size_t len = 0;
        bool overflow = false;
        char quote = 0;
        for (; i < n; ++i) {
            const char c = args[i];
            if (quote == 0 && (c == ' ' || c == '\t' || c == '\n')) break;
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
                continue;
            }
            if (quote != 0 && c == quote) {
                quote = 0;
                continue;
            }
            if (len < Environment::kMaxName + Environment::kMaxValue + 1) word[len++] = c;
            else overflow = true;
        }
        const std::string_view w(word, len);
        const std::size_t eq = w.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        const std::string_view name = w.substr(0, eq);
        // Names start with a letter or '_' (so "-x=1" is an option, not a variable).
        const char first = name[0];
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) continue;
        if (!Environment::valid_name(name)) continue;
        if (overflow || !env.set(name, w.substr(eq + 1)).ok()) ++r.failed;
        else ++r.set;
    }
    delete[] word;
    return r;
}

}  // namespace xb::cmd
