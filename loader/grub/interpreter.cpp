// The parser and executor of the grub.cfg subset (see README.md). A text is
// parsed and executed in one pass; branches not taken, and the bodies of
// functions and menu entries, are parsed without executing (so their syntax
// is checked and their extent found) and bodies are kept as source text, as
// GRUB keeps entry->sourcecode and runs it only when the entry boots.
#include "loader/grub/interpreter.h"

#include <cstdarg>
#include <cstring>
#include <new>

#include "lib/format.h"

namespace xb::loader::grub {

namespace {

// Errors made out of line and returned straight into the caller's result: an
// Error::make in a function on the interpreter's recursion (parse_list ... run_file)
// cost its frame an Error and its copies, 300-500 bytes under LTO, paid at every level
// (scripts/check-stack.py).
template <class R>
[[gnu::noinline, gnu::cold, gnu::format(printf, 2, 3)]] R fail(Errc code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    R r = Error::vmake(code, fmt, ap);
    va_end(ap);
    return r;
}

// The same for an error that ends the whole run (sets the interpreter's fatal_).
template <class R>
[[gnu::noinline, gnu::cold, gnu::format(printf, 3, 4)]] R fail_fatal(bool& fatal, Errc code, const char* fmt, ...) {
    fatal = true;
    va_list ap;
    va_start(ap, fmt);
    R r = Error::vmake(code, fmt, ap);
    va_end(ap);
    return r;
}

bool is_keyword(const Token& t, std::string_view kw) { return t.kind == TokKind::word && t.plain && t.raw == kw; }

void copy_str(char* dst, std::size_t size, std::string_view s) {
    const std::size_t n = s.size() < size - 1 ? s.size() : size - 1;
    std::memcpy(dst, s.data(), n);
    dst[n] = '\0';
}

bool copy_checked(char* dst, std::size_t size, std::string_view s) {
    if (s.size() >= size) return false;
    copy_str(dst, size, s);
    return true;
}

// Commands that only concern a screen, modules or firmware: accepted silently.
constexpr std::string_view kSilent[] = {
    "insmod",           "load_video", "loadfont", "terminal_output", "terminal_input",
    "terminal",         "serial",     "gfxmode",  "recordfail",      "hwmatch",
    "savedefault",      "font",       "play",     "fwsetup",         "smbios",
    "background_image", "terminfo",   "boot",     "clear",           "set_gfxpayload",
};

bool is_boot_command(std::string_view n) {
    return n == "linux" || n == "linuxefi" || n == "linux16" || n == "initrd" || n == "initrdefi" || n == "initrd16";
}

bool is_silent(std::string_view name) {
    for (std::string_view s : kSilent)
        if (s == name) return true;
    return false;
}

// Splits "(dev)rest" into dev and rest; rest is the whole text without parentheses.
bool split_device(std::string_view spec, std::string_view& dev, std::string_view& rest) {
    if (spec.empty() || spec.front() != '(') {
        dev = {};
        rest = spec;
        return true;
    }
    const std::size_t close = spec.find(')');
    if (close == std::string_view::npos) return false;
    dev = spec.substr(1, close - 1);
    rest = spec.substr(close + 1);
    return true;
}

std::string_view strip_parens(std::string_view dev) {
    if (dev.size() >= 2 && dev.front() == '(' && dev.back() == ')') return dev.substr(1, dev.size() - 2);
    return dev;
}

std::string_view dirname(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return {};
    return path.substr(0, slash);
}

// Decimal or 0x hex, the whole string; GRUB's grub_strtoul(val, 0, 0).
std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    unsigned base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    std::uint64_t v = 0;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return std::nullopt;
        if (v > (UINT64_MAX - d) / base) return std::nullopt;
        v = v * base + d;
    }
    return v;
}

// Appends to a bounded buffer; false when it does not fit.
struct Appender {
    char* buf;
    std::size_t size;
    std::size_t len = 0;
    bool put(std::string_view s) {
        if (s.size() >= size - len) return false;
        std::memcpy(buf + len, s.data(), s.size());
        len += s.size();
        buf[len] = '\0';
        return true;
    }
};

}  // namespace

std::string_view Interpreter::body(EntryRef ref) const {
    const MenuEntry& e = entries_[ref.index];
    return {bodies_ + e.body_offset, e.body_size};
}

void Interpreter::reset() {
    env_.clear();
    count_ = 0;
    base_ = 0;
    parent_ = -1;
    recording_ = true;
    function_count_ = 0;
    bodies_used_ = 0;
    texts_used_ = 0;
    file_depth_ = 0;
    call_depth_ = 0;
    levels_ = 0;
    frame_ = nullptr;
    status_ = 0;
    returning_ = false;
    finished_ = false;
    fatal_ = false;
    save_env_noted_ = false;
    steps_ = 0;
    spec_ = nullptr;
}

// GRUB sets these before reading the config: normal/main.c (features,
// grub_cpu, grub_platform, all exported), kern/main.c (root and prefix from
// where core.img was loaded, exported), the EFI loader (cmdpath = the
// directory of the EFI application). xenboot has no EFI application: it is
// taken to sit next to the config, so cmdpath, prefix and (by
// read_config_file) config_directory are all "(dev)<directory of path>".
Status Interpreter::set_grub_variables(std::string_view dev, std::string_view path) {
    static constexpr std::string_view kFeatures[] = {
        "feature_chainloader_bpb",      "feature_ntldr",
        "feature_platform_search_hint", "feature_default_font_path",
        "feature_all_video_module",     "feature_menuentry_id",
        "feature_menuentry_options",    "feature_200_final",
        "feature_nativedisk_cmd",       "feature_timeout_style",
    };
    for (std::string_view f : kFeatures) {
        TRY(env_.set(f, "y"));
        TRY(env_.mark_exported(f));
    }
    TRY(env_.set("grub_cpu", "arm64"));
    TRY(env_.mark_exported("grub_cpu"));
    TRY(env_.set("grub_platform", "efi"));
    TRY(env_.mark_exported("grub_platform"));
    TRY(env_.set("color_normal", "light-gray/black"));
    TRY(env_.set("color_highlight", "black/light-gray"));
    char dir[600];
    const std::string_view d = dirname(path);
    format_to(dir, sizeof dir, "(%.*s)%.*s", static_cast<int>(dev.size()), dev.data(), static_cast<int>(d.size()),
              d.data());
    TRY(env_.set("cmdpath", dir));
    TRY(env_.mark_exported("cmdpath"));
    TRY(env_.set("prefix", dir));
    TRY(env_.mark_exported("prefix"));
    TRY(env_.set("root", dev));
    TRY(env_.mark_exported("root"));
    return ok();
}

Status Interpreter::run_config(std::string_view dev, std::string_view path) {
    reset();
    if (dev.empty() || dev.size() >= sizeof(FileRef::dev) || path.empty() || path.front() != '/')
        return fail<Status>(Errc::invalid_argument, "bad config location (%.*s)%.*s", static_cast<int>(dev.size()),
                            dev.data(), static_cast<int>(path.size()), path.data());
    TRY(set_grub_variables(dev, path));
    char spec[600];
    format_to(spec, sizeof spec, "(%.*s)%.*s", static_cast<int>(dev.size()), dev.data(), static_cast<int>(path.size()),
              path.data());
    TRY(run_file(spec, true, 0, nullptr));
    finalize_menu();
    if (count_ == 0) return fail<Status>(Errc::not_found, "%s: no menu entries", spec);
    return ok();
}

// The menu that was shown last is entries_[base_, count_): move it to the front.
void Interpreter::finalize_menu() {
    if (base_ == 0) return;
    const unsigned n = count_ - base_;
    for (unsigned i = 0; i < n; ++i) {
        entries_[i] = entries_[base_ + i];
        if (entries_[i].parent >= 0) entries_[i].parent -= static_cast<int>(base_);
    }
    count_ = n;
    base_ = 0;
}

void Interpreter::report(const char* file, unsigned line, const Error& e) {
    char msg[Error::kMaxMessage + 160];
    format_to(msg, sizeof msg, "%s:%u: %s", file, line, e.message());
    host_.print(msg);
}

Status Interpreter::check_step(const char* file, unsigned line) {
    if (host_.interrupted()) return fail_fatal<Status>(fatal_, Errc::interrupted, "%s:%u: interrupted", file, line);
    if (++steps_ > step_budget_)
        return fail_fatal<Status>(fatal_, Errc::bad_data, "%s:%u: step budget of %lu commands exhausted", file, line,
                                  step_budget_);
    return ok();
}

std::optional<std::string_view> Interpreter::lookup(void* ctx, std::string_view name) {
    return static_cast<Interpreter*>(ctx)->lookup_var(name);
}

std::optional<std::string_view> Interpreter::lookup_var(std::string_view name) {
    if (name == "?") {
        format_to(number_, sizeof number_, "%d", status_);
        return std::string_view(number_);
    }
    if (name == "#") {
        format_to(number_, sizeof number_, "%u", frame_ != nullptr ? frame_->count() - 1 : 0U);
        return std::string_view(number_);
    }
    if (!name.empty() && name[0] >= '0' && name[0] <= '9') {
        const std::optional<std::uint64_t> n = parse_number(name);
        if (!n || frame_ == nullptr) return std::nullopt;
        if (*n == 0) return (*frame_)[0];
        if (*n >= frame_->count()) return std::nullopt;
        return (*frame_)[static_cast<unsigned>(*n)];
    }
    return env_.get(name);
}

Result<Interpreter::Stop> Interpreter::parse_list(Source& src, bool exec, unsigned nesting) {
    if (nesting > kMaxNesting)
        return fail<Result<Stop>>(Errc::bad_data, "%s:%u: syntax error: blocks nested deeper than %u", src.file,
                                  src.line, kMaxNesting);
    if (levels_ >= kMaxLevels)
        return fail_fatal<Result<Stop>>(fatal_, Errc::bad_data,
                                        "%s:%u: blocks, functions and files nested deeper than %u in all", src.file,
                                        src.line, kMaxLevels);
    struct Level {
        unsigned& n;
        ~Level() { --n; }
    } level{++levels_};
    for (;;) {
        if (finished_) return Stop::finished;
        const std::size_t pos = src.pos;
        const unsigned line_before = src.line;
        const Token t = TRY(next_token(src, nullptr, lookup, this));
        if (t.kind == TokKind::end) return Stop::end;
        if (t.kind == TokKind::separator) continue;
        if (is_keyword(t, "then")) return Stop::then_kw;
        if (is_keyword(t, "elif")) return Stop::elif_kw;
        if (is_keyword(t, "else")) return Stop::else_kw;
        if (is_keyword(t, "fi")) return Stop::fi_kw;
        if (is_keyword(t, "}")) return Stop::close_brace;
        const bool run = exec && !returning_;
        TRY(check_step(src.file, t.line));
        if (is_keyword(t, "if")) {
            const Stop s = TRY(parse_if(src, run, nesting + 1, t.line));
            if (s == Stop::finished) return s;
            continue;
        }
        if (is_keyword(t, "function")) {
            TRY(parse_function(src, run, nesting + 1, t.line));
            continue;
        }
        if (is_keyword(t, "menuentry") || is_keyword(t, "submenu")) {
            TRY(parse_menuentry(src, run, nesting + 1, t.raw == "submenu", t.line));
            continue;
        }
        if (is_keyword(t, "{"))
            return fail<Result<Stop>>(Errc::bad_data, "%s:%u: syntax error: unexpected '{'", src.file, t.line);
        if (t.plain && (t.raw == "while" || t.raw == "for" || t.raw == "until"))
            return fail<Result<Stop>>(Errc::bad_data, "%s:%u: syntax error: '%.*s' loops are not supported", src.file,
                                      t.line, static_cast<int>(t.raw.size()), t.raw.data());
        src.pos = pos;
        src.line = line_before;
        TRY(parse_simple(src, run, t.line));
        if (fatal_) return fail<Result<Stop>>(Errc::bad_data, "internal: fatal error lost");
    }
}

Result<Interpreter::Stop> Interpreter::parse_if(Source& src, bool exec, unsigned nesting, unsigned line) {
    bool taken = false;
    for (;;) {
        Stop s = TRY(parse_list(src, exec && !taken, nesting));
        if (s == Stop::finished) return s;
        if (s != Stop::then_kw)
            return fail<Result<Stop>>(Errc::bad_data, "%s:%u: syntax error: 'if' without 'then'", src.file, line);
        const bool cond = exec && !taken && status_ == 0 && !returning_;
        s = TRY(parse_list(src, cond, nesting));
        if (s == Stop::finished) return s;
        if (cond) taken = true;
        if (s == Stop::elif_kw) continue;
        if (s == Stop::else_kw) {
            s = TRY(parse_list(src, exec && !taken, nesting));
            if (s == Stop::finished) return s;
        }
        if (s != Stop::fi_kw)
            return fail<Result<Stop>>(Errc::bad_data, "%s:%u: syntax error: 'if' without 'fi'", src.file, line);
        if (exec && !taken && !returning_) status_ = 0;
        return Stop::end;
    }
}

Status Interpreter::capture_body(Source& src, unsigned nesting, unsigned open_line, std::string_view& body,
                                 unsigned& body_line) {
    const std::size_t start = src.pos;
    body_line = src.line;
    // Bodies are parsed, not run: their syntax is checked and their end found.
    const bool saved_returning = returning_;
    const Stop s = TRY(parse_list(src, false, nesting));
    returning_ = saved_returning;
    if (s != Stop::close_brace) {
        if (s == Stop::end)
            return fail<Status>(Errc::bad_data, "%s:%u: syntax error: '{' without '}'", src.file, open_line);
        return fail<Status>(Errc::bad_data, "%s:%u: syntax error: unexpected '%s'", src.file, src.line,
                            s == Stop::fi_kw     ? "fi"
                            : s == Stop::then_kw ? "then"
                            : s == Stop::else_kw ? "else"
                                                 : "elif");
    }
    // src.pos is just past the '}'.
    body = src.text.substr(start, src.pos - 1 - start);
    return ok();
}

Result<std::uint32_t> Interpreter::store_body(std::string_view text) {
    if (text.size() > kBodyArena - bodies_used_)
        return fail_fatal<Result<std::uint32_t>>(fatal_, Errc::no_space,
                                                 "menu entry and function bodies larger than %zu bytes", kBodyArena);
    std::memcpy(bodies_ + bodies_used_, text.data(), text.size());
    const auto off = static_cast<std::uint32_t>(bodies_used_);
    bodies_used_ += text.size();
    return off;
}

Status Interpreter::parse_function(Source& src, bool exec, unsigned nesting, unsigned line) {
    const Token name = TRY(next_token(src, nullptr, lookup, this));
    if (name.kind != TokKind::word || !name.plain)
        return fail<Status>(Errc::bad_data, "%s:%u: syntax error: 'function' without a name", src.file, line);
    Token brace = TRY(next_token(src, nullptr, lookup, this));
    while (brace.kind == TokKind::separator && brace.raw == "\n") brace = TRY(next_token(src, nullptr, lookup, this));
    if (!is_keyword(brace, "{"))
        return fail<Status>(Errc::bad_data, "%s:%u: syntax error: function %.*s without '{'", src.file, line,
                            static_cast<int>(name.raw.size()), name.raw.data());
    std::string_view text;
    unsigned body_line = 0;
    TRY(capture_body(src, nesting, brace.line, text, body_line));
    if (!exec) return ok();
    if (name.raw.size() >= sizeof(Function::name))
        return fail<Status>(Errc::bad_data, "%s:%u: function name too long", src.file, line);
    Function* f = const_cast<Function*>(find_function(name.raw));
    if (f == nullptr) {
        if (function_count_ == kMaxFunctions)
            return fail_fatal<Status>(fatal_, Errc::no_space, "%s:%u: more than %u functions", src.file, line,
                                      kMaxFunctions);
        f = &functions_[function_count_++];
    }
    copy_str(f->name, sizeof f->name, name.raw);
    f->body_offset = TRY(store_body(text));
    f->body_size = static_cast<std::uint32_t>(text.size());
    copy_str(f->file, sizeof f->file, src.file);
    f->line = body_line;
    status_ = 0;
    return ok();
}

const Interpreter::Function* Interpreter::find_function(std::string_view name) const {
    for (unsigned i = 0; i < function_count_; ++i)
        if (name == functions_[i].name) return &functions_[i];
    return nullptr;
}

Status Interpreter::parse_menuentry(Source& src, bool exec, unsigned nesting, bool submenu, unsigned line) {
    if (call_depth_ + 1 >= kMaxCallDepth + 2)
        return fail_fatal<Status>(fatal_, Errc::bad_data, "%s:%u: submenus nested deeper than %u", src.file, line,
                                  kMaxCallDepth);
    // Only a command that runs touches its ArgList: a body being skipped may
    // be inside the command whose arguments are still in use.
    ArgList& args = args_[call_depth_ + 1];
    if (exec) args.clear();
    for (;;) {
        const Token t = TRY(next_token(src, exec ? &args : nullptr, lookup, this));
        if (t.kind != TokKind::word)
            return fail<Status>(Errc::bad_data, "%s:%u: syntax error: %s without '{'", src.file, line,
                                submenu ? "submenu" : "menuentry");
        if (is_keyword(t, "{")) break;  // expanded as the last argument: add_entry skips it
    }
    std::string_view text;
    unsigned body_line = 0;
    TRY(capture_body(src, nesting, line, text, body_line));
    if (!exec) return ok();
    int index = -1;
    const Status added = add_entry(args, submenu, text, src.file, body_line, index);
    if (!added.ok()) {
        if (fatal_) return added.error();
        report(src.file, line, added.error());
        status_ = 1;
        return ok();
    }
    status_ = 0;
    if (!submenu || !recording_) return ok();
    // GRUB runs a submenu's body when it is chosen, in a new context; the
    // entries it defines are recorded now, from the same environment.
    Env* saved = new (std::nothrow) Env(env_);
    if (saved == nullptr)
        return fail_fatal<Status>(fatal_, Errc::no_memory, "%s:%u: no memory for a submenu", src.file, line);
    env_.keep_exported_only();
    const int saved_parent = parent_;
    parent_ = index;
    ++call_depth_;
    const Status r = run_text(text, src.file, body_line, nesting);
    --call_depth_;
    parent_ = saved_parent;
    env_ = *saved;
    delete saved;
    if (!r.ok()) {
        if (fatal_) return r.error();
        report(src.file, line, r.error());
    }
    return ok();
}

Status Interpreter::add_entry(const ArgList& raw, bool submenu, std::string_view body, const char* file, unsigned line,
                              int& index) {
    // raw = [options and title..., "{"] (the keyword itself was consumed)
    const char* what = submenu ? "submenu" : "menuentry";
    if (!recording_) return ok();
    if (count_ == kMaxEntries)
        return fail_fatal<Status>(fatal_, Errc::no_space, "%s:%u: more than %u menu entries", file, line, kMaxEntries);
    MenuEntry& e = entries_[count_];
    std::memset(&e, 0, sizeof e);
    bool have_title = false, have_id = false;
    Appender classes{e.classes, sizeof e.classes};
    if (raw.count() == 0) return fail<Status>(Errc::invalid_argument, "%s: missing title", what);
    const unsigned n = raw.count() - 1;  // without the trailing "{"
    for (unsigned i = 0; i < n; ++i) {
        std::string_view a = raw[i];
        std::string_view value;
        auto option = [&](std::string_view name) -> Result<bool> {
            if (a == name) {
                if (i + 1 >= n)
                    return Error::make(Errc::invalid_argument, "%s: %.*s needs a value", what,
                                       static_cast<int>(name.size()), name.data());
                value = raw[++i];
                return true;
            }
            if (a.size() > name.size() && a.substr(0, name.size()) == name && a[name.size()] == '=') {
                value = a.substr(name.size() + 1);
                return true;
            }
            return false;
        };
        if (TRY(option("--class"))) {
            if ((classes.len != 0 && !classes.put(" ")) || !classes.put(value))
                return fail<Status>(Errc::no_space, "%s: too many classes", what);
        } else if (TRY(option("--id"))) {
            if (!copy_checked(e.id, sizeof e.id, value)) return fail<Status>(Errc::no_space, "%s: id too long", what);
            have_id = true;
        } else if (TRY(option("--users"))) {
            if (!copy_checked(e.users, sizeof e.users, value))
                return fail<Status>(Errc::no_space, "%s: --users too long", what);
        } else if (TRY(option("--hotkey"))) {
            copy_str(e.hotkey, sizeof e.hotkey, value);
        } else if (TRY(option("--source"))) {
            // GRUB's --source gives the body as an argument: not used by generated configs.
        } else if (a == "--unrestricted") {
            e.unrestricted = true;
        } else if (a.size() > 2 && a.substr(0, 2) == "--") {
            return fail<Status>(Errc::invalid_argument, "%s: unknown option %.*s", what, static_cast<int>(a.size()),
                                a.data());
        } else if (!have_title) {
            if (!copy_checked(e.title, sizeof e.title, a))
                return fail<Status>(Errc::no_space, "%s: title longer than %zu bytes", what, sizeof e.title - 1);
            have_title = true;
        }
        // Further words are the entry's arguments in GRUB; generated configs do not use them.
    }
    if (!have_title) return fail<Status>(Errc::invalid_argument, "%s: missing title", what);
    if (!have_id && !copy_checked(e.id, sizeof e.id, e.title))
        return fail<Status>(Errc::no_space, "%s: title too long for an id", what);
    e.submenu = submenu;
    e.parent = parent_;
    e.body_offset = TRY(store_body(body));
    e.body_size = static_cast<std::uint32_t>(body.size());
    copy_str(e.file, sizeof e.file, file);
    e.line = line;
    index = static_cast<int>(count_++);
    return ok();
}

Status Interpreter::parse_simple(Source& src, bool exec, unsigned line) {
    ArgList& args = args_[call_depth_];
    if (exec) args.clear();
    Token first{};
    bool have_first = false;
    // NAME=value as the first word is an assignment (GRUB's lexer decides it
    // from the text): its value is not split at blanks.
    bool assignment = false;
    {
        const std::size_t pos = src.pos;
        const unsigned line_before = src.line;
        const Token t = TRY(next_token(src, nullptr, lookup, this));
        const std::size_t eq = t.raw.find('=');
        assignment = t.kind == TokKind::word && eq != std::string_view::npos && eq > 0 &&
                     valid_var_name(t.raw.substr(0, eq)) && !(t.raw[0] >= '0' && t.raw[0] <= '9');
        src.pos = pos;
        src.line = line_before;
    }
    for (;;) {
        const std::size_t pos = src.pos;
        const unsigned line_before = src.line;
        const Token t = TRY(next_token(src, exec ? &args : nullptr, lookup, this, !(assignment && !have_first)));
        if (t.kind != TokKind::word) break;
        if (is_keyword(t, "}") && have_first) {
            // "... }" ends the command and the block.
            src.pos = pos;
            src.line = line_before;
            break;
        }
        if (!have_first) first = t, have_first = true;
    }
    if (!exec) return ok();
    // NAME=value as a command: an assignment (GRUB's lexer decides it from the text).
    if (assignment && args.count() >= 1) {
        const std::size_t eq = first.raw.find('=');
        const std::string_view a = args[0];
        const Status r = env_.set(a.substr(0, eq), a.substr(eq + 1));
        status_ = r.ok() ? 0 : 1;
        if (!r.ok()) report(src.file, line, r.error());
        return ok();
    }
    if (args.count() == 0) return ok();
    bool negate = false;
    if (args[0] == "!") {
        negate = true;
        args.drop_first();
        if (args.count() == 0) return ok();
    }
    status_ = 0;
    const Status r = run_command(args, src.file, line);
    if (!r.ok()) {
        if (fatal_) return r.error();
        if (spec_ != nullptr && !have_boot_error_ && is_boot_command(args[0])) {
            // linux/initrd failing makes the entry unbootable (GRUB: nothing loaded).
            boot_error_ = r.error();
            boot_error_.prefix("%s:%u", src.file, line);
            have_boot_error_ = true;
        }
        if (r.error().code() != Errc::reported) report(src.file, line, r.error());
        status_ = 1;
    }
    if (status_ < 0) status_ = 1;  // a false test or `false`: quiet
    if (negate && !returning_) status_ = status_ == 0 ? 1 : 0;
    return ok();
}

Status Interpreter::run_text(std::string_view text, const char* file, unsigned line, unsigned nesting) {
    Source src{text, 0, line, file};
    const Stop s = TRY(parse_list(src, true, nesting));
    if (s == Stop::end || s == Stop::finished) return ok();
    const char* kw = s == Stop::close_brace ? "}"
                     : s == Stop::fi_kw     ? "fi"
                     : s == Stop::then_kw   ? "then"
                     : s == Stop::else_kw   ? "else"
                                            : "elif";
    return fail<Status>(Errc::bad_data, "%s:%u: syntax error: unexpected '%s'", file, src.line, kw);
}

Status Interpreter::call_function(const Function& f, const ArgList& args, const char* file, unsigned line) {
    if (call_depth_ >= kMaxCallDepth)
        return fail_fatal<Status>(fatal_, Errc::bad_data, "%s:%u: functions nested deeper than %u (%s)", file, line,
                                  kMaxCallDepth, f.name);
    // The arguments must survive the body, which parses into args_[depth + 1].
    const ArgList* saved_frame = frame_;
    frame_ = &args;
    ++call_depth_;
    status_ = 0;
    const Status r = run_text({bodies_ + f.body_offset, f.body_size}, f.file, f.line, 0);
    --call_depth_;
    frame_ = saved_frame;
    returning_ = false;
    return r;
}

Status Interpreter::run_command(const ArgList& args, const char* file, unsigned line) {
    const std::string_view name = args[0];
    if (const Function* f = find_function(name)) return call_function(*f, args, file, line);
    if (name == "set") return cmd_set(args);
    if (name == "unset") {
        for (unsigned i = 1; i < args.count(); ++i) env_.unset(args[i]);
        return ok();
    }
    if (name == "export") {
        for (unsigned i = 1; i < args.count(); ++i) {
            // GRUB's export takes a name; `export $prefix` (Fedora's stub)
            // exports a variable named after the value, which is harmless.
            if (args[i].size() <= Env::kMaxName && args[i].find('\0') == std::string_view::npos)
                TRY(env_.mark_exported(args[i]));
        }
        return ok();
    }
    if (name == "true") return ok();
    if (name == "false") {
        status_ = -1;
        return ok();
    }
    if (name == "return") {
        int v = 0;
        if (args.count() > 1) {
            const std::optional<std::uint64_t> n = parse_number(args[1]);
            v = n && *n < 256 ? static_cast<int>(*n) : 1;
        } else {
            v = status_;
        }
        returning_ = frame_ != nullptr;
        status_ = v;
        return ok();
    }
    if (name == "echo") {
        char* line_buf = scratch_;
        Appender out{line_buf, 1024};
        line_buf[0] = '\0';
        bool first = true;
        for (unsigned i = 1; i < args.count(); ++i) {
            if (first && (args[i] == "-n" || args[i] == "-e")) continue;
            if (!first) out.put(" ");
            if (!out.put(args[i])) break;
            first = false;
        }
        host_.print(line_buf);
        return ok();
    }
    if (name == "[" || name == "test") return cmd_test(args, name == "[");
    if (name == "search") return cmd_search(args, 1, -1);
    if (name == "search.fs_uuid") return cmd_search(args, 1, static_cast<int>(Host::SearchKind::fs_uuid));
    if (name == "search.fs_label") return cmd_search(args, 1, static_cast<int>(Host::SearchKind::label));
    if (name == "search.file") return cmd_search(args, 1, static_cast<int>(Host::SearchKind::file));
    if (name == "source" || name == ".") return cmd_source(args, false, file, line);
    if (name == "configfile") return cmd_source(args, true, file, line);
    if (name == "load_env") return cmd_load_env(args);
    if (name == "save_env") {
        if (!save_env_noted_) host_.print("save_env: not saved (xenboot does not write disks)");
        save_env_noted_ = true;
        return ok();
    }
    if (name == "blscfg") return cmd_blscfg();
    if (name == "linux" || name == "linuxefi" || name == "linux16") return cmd_linux(args);
    if (name == "initrd" || name == "initrdefi" || name == "initrd16") return cmd_initrd(args);
    if (name == "devicetree") {
        if (spec_ != nullptr) spec_->has_devicetree = true;
        return ok();
    }
    if (is_silent(name)) return ok();
    return fail<Status>(Errc::not_found, "can't find command '%.*s'", static_cast<int>(name.size()), name.data());
}

Status Interpreter::cmd_set(const ArgList& args) {
    if (args.count() < 2) return ok();  // GRUB lists the variables: nothing to do here
    const std::string_view a = args[1];
    const std::size_t eq = a.find('=');
    // GRUB (kern/corecmd.c): `set x` without '=' is "not an assignment".
    if (eq == std::string_view::npos) return fail<Status>(Errc::invalid_argument, "set: not an assignment");
    if (a.substr(0, eq) == "gfxpayload") return ok();
    return env_.set(a.substr(0, eq), a.substr(eq + 1));
}

Status Interpreter::resolve_file(std::string_view spec, FileRef& out) const {
    std::string_view dev, path;
    if (!split_device(spec, dev, path))
        return fail<Status>(Errc::invalid_argument, "bad device in '%.*s'", static_cast<int>(spec.size()), spec.data());
    if (spec.empty() || spec.front() != '(') {
        const std::optional<std::string_view> root = env_.get("root");
        if (!root || root->empty())
            return fail<Status>(Errc::not_found, "no device for '%.*s': $root is not set",
                                static_cast<int>(spec.size()), spec.data());
        dev = strip_parens(*root);
    }
    if (path.empty()) path = "/";
    if (path.front() != '/')
        return fail<Status>(Errc::invalid_argument, "invalid file name '%.*s'", static_cast<int>(spec.size()),
                            spec.data());
    if (dev.empty())
        return fail<Status>(Errc::invalid_argument, "no device in '%.*s'", static_cast<int>(spec.size()), spec.data());
    if (!copy_checked(out.dev, sizeof out.dev, dev))
        return fail<Status>(Errc::invalid_argument, "bad device name '%.*s'", static_cast<int>(dev.size()), dev.data());
    if (!copy_checked(out.path, sizeof out.path, path))
        return fail<Status>(Errc::no_space, "path longer than %zu bytes", sizeof out.path - 1);
    return ok();
}

Status Interpreter::cmd_search(const ArgList& args, unsigned first, int forced_kind) {
    Host::SearchKind kind = Host::SearchKind::file;
    std::string_view var;
    std::string_view key;
    bool have_key = false;
    if (forced_kind >= 0) {
        // search.fs_uuid KEY [VAR [HINT...]]
        kind = static_cast<Host::SearchKind>(forced_kind);
        if (args.count() <= first)
            return fail<Status>(Errc::invalid_argument, "%.*s: one argument expected", static_cast<int>(args[0].size()),
                                args[0].data());
        key = args[first];
        have_key = true;
        if (args.count() > first + 1) var = args[first + 1];
    } else {
        for (unsigned i = first; i < args.count(); ++i) {
            const std::string_view a = args[i];
            if (a == "--file" || a == "-f") kind = Host::SearchKind::file;
            else if (a == "--label" || a == "-l") kind = Host::SearchKind::label;
            else if (a == "--fs-uuid" || a == "-u") kind = Host::SearchKind::fs_uuid;
            else if (a == "--set" || a == "-s") var = "root";
            else if (a.substr(0, 6) == "--set=") var = a.substr(6);
            else if (a == "--no-floppy" || a == "-n" || a == "--root-dev-only" || a == "-r" || a == "--efidisk-only" ||
                     a == "--cryptodisk-only") {
            } else if (a.substr(0, 6) == "--hint") {
                // All devices are searched in order: hints change nothing.
                if (a.find('=') == std::string_view::npos && i + 1 < args.count()) ++i;
            } else if (a.size() > 1 && a[0] == '-') {
                return fail<Status>(Errc::invalid_argument, "search: unknown option %.*s", static_cast<int>(a.size()),
                                    a.data());
            } else if (!have_key) {
                key = a;
                have_key = true;
            }
        }
        if (!have_key) return fail<Status>(Errc::invalid_argument, "search: one argument expected");
    }
    char found[64];
    const Result<std::size_t> r = host_.search(kind, key, found);
    if (!r.ok()) {
        if (r.error().code() == Errc::not_found)
            return fail<Status>(Errc::not_found, "no such device: %.*s", static_cast<int>(key.size()), key.data());
        return r.error();
    }
    if (r.value() >= sizeof found) return fail<Status>(Errc::bad_data, "search: device name too long");
    const std::string_view dev(found, r.value());
    if (var.empty()) {
        host_.print(dev);
        return ok();
    }
    return env_.set(var, dev);
}

Result<Host::FileInfo> Interpreter::stat_file(const FileRef& ref) {
    const Result<Host::FileInfo> info = host_.stat(ref.dev, ref.path);
    if (info.ok()) return info;
    if (info.error().code() == Errc::not_found) return Host::FileInfo{false, false, 0};
    Error e = info.error();
    e.prefix("(%s)%s", ref.dev, ref.path);
    return e;
}

Result<bool> Interpreter::test_file(char op, std::string_view spec) {
    FileRef ref;
    TRY(resolve_file(spec, ref));
    const Host::FileInfo info = TRY(stat_file(ref));
    switch (op) {
        case 'e': return info.exists;
        case 'f': return info.exists && !info.is_dir;
        case 'd': return info.exists && info.is_dir;
        default: return info.exists && !info.is_dir && info.size > 0;
    }
}

Status Interpreter::cmd_source(const ArgList& args, bool configfile, const char* file, unsigned line) {
    if (args.count() < 2) return fail<Status>(Errc::invalid_argument, "filename expected");
    if (spec_ != nullptr || !recording_) {
        if (configfile) return fail<Status>(Errc::unsupported, "configfile in a menu entry is not supported");
    }
    if (!configfile) return run_file(args[1], false, line, file);
    // configfile: a new context (only exported variables) and a new menu.
    Env* saved = new (std::nothrow) Env(env_);
    if (saved == nullptr) return fail_fatal<Status>(fatal_, Errc::no_memory, "configfile: no memory");
    env_.keep_exported_only();
    const unsigned saved_base = base_;
    const int saved_parent = parent_;
    base_ = count_;
    parent_ = -1;
    const Status r = run_file(args[1], true, line, file);
    if (r.ok() && count_ > base_) {
        // GRUB shows this menu and boots from it: it is the final one.
        finished_ = true;
        delete saved;
        return ok();
    }
    count_ = base_;
    base_ = saved_base;
    parent_ = saved_parent;
    env_ = *saved;
    delete saved;
    return r;
}

Result<std::size_t> Interpreter::load_file(std::string_view spec, bool configfile, unsigned line, const char* from) {
    FileRef ref;
    TRY(resolve_file(spec, ref));
    if (file_depth_ >= kMaxFileDepth)
        return fail_fatal<Result<std::size_t>>(fatal_, Errc::bad_data,
                                               "%s:%u: configfile loop: more than %u nested files at (%s)%s", from,
                                               line, kMaxFileDepth, ref.dev, ref.path);
    std::size_t room = kTextArena - texts_used_;
    if (room > kMaxConfigSize) room = kMaxConfigSize;
    char* buf = texts_ + texts_used_;
    const Result<std::uint64_t> size = host_.read_file(ref.dev, ref.path, std::span<char>(buf, room));
    if (!size.ok()) {
        Error e = size.error();
        if (e.code() == Errc::no_space)
            return fail<Result<std::size_t>>(Errc::no_space, "(%s)%s: larger than %zu bytes", ref.dev, ref.path, room);
        if (e.code() == Errc::not_found)
            return fail<Result<std::size_t>>(Errc::not_found, "file '(%s)%s' not found", ref.dev, ref.path);
        e.prefix("reading (%s)%s", ref.dev, ref.path);
        return e;
    }
    if (size.value() > room)
        return fail<Result<std::size_t>>(Errc::bad_data, "(%s)%s: read more than asked", ref.dev, ref.path);
    char* name = file_names_[file_depth_];
    format_to(name, sizeof file_names_[0], "(%s)%s", ref.dev, ref.path);
    // read_config_file (normal/main.c) sets config_file and config_directory
    // for the file it reads and puts the old values back afterwards.
    if (configfile) {
        TRY(env_.set("config_file", name));
        TRY(env_.mark_exported("config_file"));
        const std::string_view d = dirname(ref.path);
        format_to(scratch_, sizeof scratch_, "(%s)%.*s", ref.dev, static_cast<int>(d.size()), d.data());
        TRY(env_.set("config_directory", scratch_));
        TRY(env_.mark_exported("config_directory"));
    }
    return static_cast<std::size_t>(size.value());
}

Status Interpreter::run_file(std::string_view spec, bool configfile, unsigned line, const char* from) {
    const std::size_t n = TRY(load_file(spec, configfile, line, from));
    const char* text = texts_ + texts_used_;
    const char* name = file_names_[file_depth_];
    texts_used_ += n;
    ++file_depth_;
    const Status r = run_text(std::string_view(text, n), name, 1, 0);
    --file_depth_;
    texts_used_ -= n;
    return r;
}

Status Interpreter::cmd_linux(const ArgList& args) {
    if (spec_ == nullptr) return ok();  // outside a menu entry: nothing to boot
    if (args.count() < 2)
        return fail<Status>(Errc::invalid_argument, "%.*s: filename expected", static_cast<int>(args[0].size()),
                            args[0].data());
    BootSpec& s = *spec_;
    have_linux_ = false;
    s.initrd_count = 0;
    FileRef ref;
    TRY(resolve_file(args[1], ref));
    const Host::FileInfo info = TRY(stat_file(ref));
    if (!info.exists || info.is_dir) return fail<Status>(Errc::not_found, "file '(%s)%s' not found", ref.dev, ref.path);
    s.kernel = ref;
    Appender cmdline{s.args, sizeof s.args};
    s.args[0] = '\0';
    for (unsigned i = 2; i < args.count(); ++i) {
        if ((i > 2 && !cmdline.put(" ")) || !cmdline.put(args[i]))
            return fail<Status>(Errc::no_space, "kernel command line longer than %zu bytes", sizeof s.args - 1);
    }
    have_linux_ = true;
    return ok();
}

Status Interpreter::cmd_initrd(const ArgList& args) {
    if (spec_ == nullptr) return ok();
    if (!have_linux_) return fail<Status>(Errc::invalid_argument, "you need to load the kernel first");
    if (args.count() < 2)
        return fail<Status>(Errc::invalid_argument, "%.*s: filename expected", static_cast<int>(args[0].size()),
                            args[0].data());
    BootSpec& s = *spec_;
    s.initrd_count = 0;
    for (unsigned i = 1; i < args.count(); ++i) {
        const std::string_view a = args[i];
        if (a.substr(0, 2) == "--") continue;  // --newc:NAME and the like
        if (s.initrd_count == sizeof s.initrds / sizeof s.initrds[0])
            return fail<Status>(Errc::no_space, "more than %zu initrds", sizeof s.initrds / sizeof s.initrds[0]);
        FileRef& ref = s.initrds[s.initrd_count];
        TRY(resolve_file(a, ref));
        const Host::FileInfo info = TRY(stat_file(ref));
        if (!info.exists || info.is_dir)
            return fail<Status>(Errc::not_found, "file '(%s)%s' not found", ref.dev, ref.path);
        ++s.initrd_count;
    }
    return ok();
}

}  // namespace xb::loader::grub
