#include "loader/extlinux.h"

#include <cstring>

namespace xb::loader {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

// Splits off the first blank-separated word; `rest` is what follows, trimmed.
std::string_view first_word(std::string_view s, std::string_view& rest) {
    std::size_t n = 0;
    while (n < s.size() && !is_blank(s[n])) ++n;
    rest = trim(s.substr(n));
    return s.substr(0, n);
}

bool equals_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

template <std::size_t N>
Status store(char (&field)[N], std::string_view value, const char* what, unsigned line) {
    if (value.size() >= N) {
        return Error::make(Errc::bad_data, "extlinux.conf line %u: %s longer than %zu bytes", line, what, N - 1);
    }
    std::memcpy(field, value.data(), value.size());
    field[value.size()] = '\0';
    return ok();
}

Result<std::uint32_t> parse_decimal(std::string_view value, const char* what, unsigned line) {
    if (value.empty()) return Error::make(Errc::bad_data, "extlinux.conf line %u: %s without a value", line, what);
    std::uint32_t n = 0;
    for (char c : value) {
        if (c < '0' || c > '9' || n > (0xffffffffu - static_cast<unsigned>(c - '0')) / 10) {
            return Error::make(Errc::bad_data, "extlinux.conf line %u: %s '%.*s' is not a decimal number below 2^32",
                               line, what, static_cast<int>(value.size() > 32 ? 32 : value.size()), value.data());
        }
        n = n * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return n;
}

enum class Keyword {
    unknown,
    // global: they end the label being defined, as in U-Boot
    label,
    default_,
    ontimeout,
    timeout,
    prompt,
    include,
    menu_title,
    menu_include,
    // label
    kernel,
    initrd,
    fdt,
    fdtdir,
    append,
    menu_label,
    menu_default,
    localboot,
};

struct KeywordName {
    const char* name;
    Keyword keyword;
};

constexpr KeywordName kKeywords[] = {
    {"label", Keyword::label},          {"default", Keyword::default_},
    {"ontimeout", Keyword::ontimeout},  {"timeout", Keyword::timeout},
    {"prompt", Keyword::prompt},        {"include", Keyword::include},
    {"kernel", Keyword::kernel},        {"linux", Keyword::kernel},
    {"initrd", Keyword::initrd},        {"fdt", Keyword::fdt},
    {"devicetree", Keyword::fdt},       {"fdtdir", Keyword::fdtdir},
    {"devicetreedir", Keyword::fdtdir}, {"append", Keyword::append},
    {"localboot", Keyword::localboot},
};

constexpr KeywordName kMenuKeywords[] = {
    {"title", Keyword::menu_title},
    {"include", Keyword::menu_include},
    {"label", Keyword::menu_label},
    {"default", Keyword::menu_default},
};

template <std::size_t N>
Keyword lookup(const KeywordName (&table)[N], std::string_view word) {
    for (const KeywordName& k : table) {
        if (equals_nocase(word, k.name)) return k.keyword;
    }
    return Keyword::unknown;
}

// Splits a statement into its keyword ("menu X" is one keyword) and argument.
Keyword classify(std::string_view statement, std::string_view& argument) {
    const std::string_view word = first_word(statement, argument);
    if (!equals_nocase(word, "menu")) return lookup(kKeywords, word);
    std::string_view rest;
    const std::string_view sub = first_word(argument, rest);
    argument = rest;
    return lookup(kMenuKeywords, sub);
}

bool is_global(Keyword k) { return k >= Keyword::label && k <= Keyword::menu_include; }

class Parser {
  public:
    explicit Parser(ExtlinuxConfig& out) : out_(out) {}

    Status statement(std::string_view text, unsigned line) {
        std::string_view arg;
        const Keyword k = classify(text, arg);
        if (k == Keyword::unknown) return ok();  // ignored, as U-Boot ignores unknown commands
        if (is_global(k)) {
            current_ = nullptr;
            return global(k, arg, line);
        }
        if (current_ == nullptr) return ok();  // a label statement outside any label: ignored
        return label_statement(k, arg, line);
    }

    Status finish() {
        if (out_.label_count == 0) return Error::make(Errc::not_found, "extlinux.conf: no label");
        if (default_label_ >= 0) {
            out_.default_index = static_cast<unsigned>(default_label_);
            out_.default_found = true;
            return ok();
        }
        const std::string_view wanted(out_.default_name);
        for (unsigned i = 0; i < out_.label_count && !wanted.empty(); ++i) {
            if (wanted == out_.labels[i].name) {
                out_.default_index = i;
                out_.default_found = true;
                return ok();
            }
        }
        out_.default_index = 0;
        out_.default_found = false;
        return ok();
    }

  private:
    Status global(Keyword k, std::string_view arg, unsigned line) {
        switch (k) {
            case Keyword::label: {
                if (arg.empty())
                    return Error::make(Errc::bad_data, "extlinux.conf line %u: label without a name", line);
                if (out_.label_count == ExtlinuxConfig::kMaxLabels) {
                    return Error::make(Errc::bad_data, "extlinux.conf line %u: more than %u labels", line,
                                       ExtlinuxConfig::kMaxLabels);
                }
                ExtlinuxLabel& l = out_.labels[out_.label_count];
                TRY(store(l.name, arg, "label name", line));
                l.line = line;
                ++out_.label_count;
                current_ = &l;
                return ok();
            }
            case Keyword::default_:
            case Keyword::ontimeout:  // U-Boot treats it as `default`
                if (arg.empty()) return ok();
                default_label_ = -1;
                return store(out_.default_name, arg, "default label name", line);
            case Keyword::timeout:
                out_.timeout_ds = TRY(parse_decimal(arg, "timeout", line));
                out_.has_timeout = true;
                return ok();
            case Keyword::prompt: out_.prompt = TRY(parse_decimal(arg, "prompt", line)) != 0; return ok();
            case Keyword::menu_title: return store(out_.title, arg, "menu title", line);
            case Keyword::include:
            case Keyword::menu_include:
                if (out_.include_line == 0) out_.include_line = line;
                return ok();
            default: return ok();
        }
    }

    Status path(char (&field)[ExtlinuxLabel::kPathSize], std::string_view arg, const char* what, unsigned line) {
        if (arg.empty()) return Error::make(Errc::bad_data, "extlinux.conf line %u: %s without a path", line, what);
        return store(field, arg, what, line);
    }

    Status label_statement(Keyword k, std::string_view arg, unsigned line) {
        ExtlinuxLabel& l = *current_;
        switch (k) {
            case Keyword::kernel: return path(l.kernel, arg, "kernel", line);
            case Keyword::initrd: return path(l.initrd, arg, "initrd", line);
            case Keyword::fdt: return path(l.fdt, arg, "fdt", line);
            case Keyword::fdtdir: return path(l.fdtdir, arg, "fdtdir", line);
            case Keyword::append: return store(l.append, arg, "append", line);
            case Keyword::menu_label: return store(l.menu_label, arg, "menu label", line);
            case Keyword::menu_default:
                default_label_ = static_cast<int>(&l - out_.labels);
                out_.default_name[0] = '\0';
                return ok();
            case Keyword::localboot: l.localboot = true; return ok();
            default: return ok();
        }
    }

    ExtlinuxConfig& out_;
    ExtlinuxLabel* current_ = nullptr;
    int default_label_ = -1;  // set by `menu default`, cleared by a later `default`
};

// Builds a normalised absolute path: components are collected first (".."
// pops one, stopping at the root) and written out at the end, so `out` needs
// room for the result only, not for the components a ".." takes away.
class PathBuilder {
  public:
    static constexpr std::size_t kMaxDepth = 64;

    explicit PathBuilder(std::span<char> out) : out_(out) {}

    Status add(std::string_view path) {
        while (!path.empty()) {
            const std::size_t slash = path.find('/');
            const std::string_view component = path.substr(0, slash);
            path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
            if (component.empty() || component == ".") continue;
            if (component == "..") {
                if (depth_ > 0) --depth_;
                continue;
            }
            if (depth_ == kMaxDepth) {
                return Error::make(Errc::no_space, "extlinux path deeper than %zu components", kMaxDepth);
            }
            parts_[depth_++] = component;
        }
        return ok();
    }

    Status finish() {
        std::size_t length = 0;
        for (std::size_t i = 0; i < depth_; ++i) {
            if (length + 1 + parts_[i].size() + 1 > out_.size()) return too_long();
            out_[length++] = '/';
            std::memcpy(out_.data() + length, parts_[i].data(), parts_[i].size());
            length += parts_[i].size();
        }
        if (length == 0) {
            if (out_.size() < 2) return too_long();
            out_[length++] = '/';
        }
        out_[length] = '\0';
        return ok();
    }

  private:
    Status too_long() const {
        return Error::make(Errc::no_space, "extlinux path longer than %zu bytes", out_.empty() ? 0 : out_.size() - 1);
    }

    std::span<char> out_;
    std::string_view parts_[kMaxDepth];
    std::size_t depth_ = 0;
};

}  // namespace

Status parse_extlinux(std::string_view text, ExtlinuxConfig& out) {
    std::memset(&out, 0, sizeof out);
    const std::size_t nul = text.find('\0');
    if (nul != std::string_view::npos) text = text.substr(0, nul);
    Parser parser(out);
    unsigned line = 0;
    while (!text.empty()) {
        ++line;
        const std::size_t eol = text.find('\n');
        const std::string_view raw = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        const std::string_view statement = trim(raw);
        if (statement.empty() || statement.front() == '#') continue;
        TRY(parser.statement(statement, line));
    }
    return parser.finish();
}

Status resolve_extlinux_path(std::string_view conf_path, std::string_view path, std::string_view leaf,
                             std::span<char> out) {
    if (path.empty()) return Error::make(Errc::invalid_argument, "empty path in extlinux.conf");
    PathBuilder builder(out);
    if (path.front() != '/') {
        const std::size_t slash = conf_path.rfind('/');
        TRY(builder.add(slash == std::string_view::npos ? std::string_view() : conf_path.substr(0, slash)));
    }
    TRY(builder.add(path));
    TRY(builder.add(leaf));
    return builder.finish();
}

}  // namespace xb::loader
