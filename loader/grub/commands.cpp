// The commands of the interpreter that are more than a line: test/[,
// load_env and blscfg.
#include <cstring>
#include <new>

#include "lib/format.h"
#include "loader/bls.h"
#include "loader/grub/interpreter.h"
#include "loader/grubenv.h"

namespace xb::loader::grub {

namespace {

// test / [ (GRUB grub-core/commands/test.c): a small recursive-descent
// evaluator over the arguments; -a binds tighter than -o.
struct TestEval {
    const ArgList& args;
    unsigned pos;
    unsigned end;
    Result<bool> (*file_test)(void* ctx, char op, std::string_view path);
    void* ctx;

    bool at(std::string_view s) const { return pos < end && args[pos] == s; }

    Result<bool> expr_or() {
        bool v = TRY(expr_and());
        while (at("-o")) {
            ++pos;
            const bool r = TRY(expr_and());
            v = v || r;
        }
        return v;
    }
    Result<bool> expr_and() {
        bool v = TRY(unary());
        while (at("-a")) {
            ++pos;
            const bool r = TRY(unary());
            v = v && r;
        }
        return v;
    }
    // Each '!' and '(' is a level of recursion (unary, expr_or, expr_and: ~900 bytes), and
    // the 128 arguments an ArgList holds would be 114 KiB of frames on the 64 KiB stack:
    // at most this many in one expression, on top of the interpreter's own levels
    // (scripts/check-stack.py).
    static constexpr unsigned kMaxNesting = 8;
    unsigned nested = 0;

    Result<bool> unary() {
        if (pos >= end) return Error::make(Errc::invalid_argument, "test: expression expected");
        if ((at("!") || at("(")) && ++nested > kMaxNesting)
            return Error::make(Errc::invalid_argument, "test: more than %u '!' and '(' in one expression", kMaxNesting);
        if (at("!")) {
            ++pos;
            return !TRY(unary());
        }
        if (at("(")) {
            ++pos;
            const bool v = TRY(expr_or());
            if (!at(")")) return Error::make(Errc::invalid_argument, "test: ')' expected");
            ++pos;
            return v;
        }
        return primary();
    }
    static bool is_binary(std::string_view op) {
        return op == "=" || op == "==" || op == "!=" || op == "<" || op == ">" || op == "-eq" || op == "-ne" ||
               op == "-lt" || op == "-le" || op == "-gt" || op == "-ge";
    }
    static long to_long(std::string_view s) {
        bool neg = false;
        if (!s.empty() && s[0] == '-') {
            neg = true;
            s.remove_prefix(1);
        }
        long v = 0;
        for (char c : s) {
            if (c < '0' || c > '9' || v > 100000000000L) break;
            v = v * 10 + (c - '0');
        }
        return neg ? -v : v;
    }
    Result<bool> primary() {
        const std::string_view a = args[pos];
        if (pos + 2 < end + 1 && pos + 1 < end && is_binary(args[pos + 1]) && pos + 2 < end) {
            const std::string_view op = args[pos + 1];
            const std::string_view b = args[pos + 2];
            pos += 3;
            if (op == "=" || op == "==") return a == b;
            if (op == "!=") return a != b;
            if (op == "<") return a < b;
            if (op == ">") return a > b;
            const long x = to_long(a), y = to_long(b);
            if (op == "-eq") return x == y;
            if (op == "-ne") return x != y;
            if (op == "-lt") return x < y;
            if (op == "-le") return x <= y;
            if (op == "-gt") return x > y;
            return x >= y;
        }
        if (a.size() == 2 && a[0] == '-' && pos + 1 < end) {
            const char op = a[1];
            const std::string_view b = args[pos + 1];
            if (op == 'z' || op == 'n') {
                pos += 2;
                return op == 'z' ? b.empty() : !b.empty();
            }
            if (op == 'e' || op == 'f' || op == 'd' || op == 's') {
                pos += 2;
                const Result<bool> r = file_test(ctx, op, b);
                return r.ok() ? r.value() : false;  // no device or no file: false, as GRUB
            }
        }
        ++pos;
        return !a.empty();
    }
};

}  // namespace

Status Interpreter::cmd_test(const ArgList& args, bool bracket) {
    unsigned end = args.count();
    if (bracket) {
        if (end < 2 || args[end - 1] != "]") return Error::make(Errc::invalid_argument, "[: ']' expected");
        --end;
    }
    if (end <= 1) {
        status_ = -1;  // an empty test is false
        return ok();
    }
    auto file_test = [](void* ctx, char op, std::string_view path) -> Result<bool> {
        return static_cast<Interpreter*>(ctx)->test_file(op, path);
    };
    TestEval eval{args, 1, end, file_test, this};
    const bool v = TRY(eval.expr_or());
    if (eval.pos != end)
        return Error::make(Errc::invalid_argument, "test: unexpected '%.*s'", static_cast<int>(args[eval.pos].size()),
                           args[eval.pos].data());
    if (!v) status_ = -1;
    return ok();
}

namespace {

struct EnvLoad {
    Interpreter* self;
    Env* env;
    const ArgList* args;
    unsigned names_from;
    Status result;
};

}  // namespace

// load_env [-f FILE] [--skip-sig] [NAME...] (GRUB commands/loadenv.c): the
// variables of a grubenv block, or only the NAMEs; default $prefix/grubenv.
Status Interpreter::cmd_load_env(const ArgList& args) {
    std::string_view file;
    unsigned names = args.count();
    bool have_file = false;
    for (unsigned i = 1; i < args.count(); ++i) {
        const std::string_view a = args[i];
        if ((a == "-f" || a == "--file") && i + 1 < args.count()) {
            file = args[++i];
            have_file = true;
        } else if (a.substr(0, 7) == "--file=") {
            file = a.substr(7);
            have_file = true;
        } else if (a == "-s" || a == "--skip-sig") {
        } else {
            names = i;
            break;
        }
    }
    char path[600];
    if (!have_file) {
        const std::optional<std::string_view> prefix = env_.get("prefix");
        if (!prefix) return Error::make(Errc::not_found, "load_env: variable 'prefix' isn't set");
        format_to(path, sizeof path, "%.*s/grubenv", static_cast<int>(prefix->size()), prefix->data());
        file = path;
    }
    FileRef ref;
    TRY(resolve_file(file, ref));
    char block[4096];
    const std::uint64_t size = TRY_CTX(host_.read_file(ref.dev, ref.path, block), "load_env (%s)%s", ref.dev, ref.path);
    if (size > sizeof block) return Error::make(Errc::bad_data, "load_env: read more than asked");
    EnvLoad ctx{this, &env_, &args, names, ok()};
    auto visit = [](void* c, std::string_view key, std::string_view value) -> bool {
        auto& l = *static_cast<EnvLoad*>(c);
        if (l.names_from < l.args->count()) {
            bool wanted = false;
            for (unsigned i = l.names_from; i < l.args->count(); ++i) wanted = wanted || (*l.args)[i] == key;
            if (!wanted) return true;
        }
        if (!valid_var_name(key)) return true;
        l.result = l.env->set(key, value);
        return l.result.ok();
    };
    TRY_CTX(parse_grubenv(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(block),
                                                        static_cast<std::size_t>(size)),
                          visit, &ctx),
            "load_env (%s)%s", ref.dev, ref.path);
    return ctx.result;
}

namespace {

constexpr unsigned kMaxBls = 64;
constexpr std::size_t kMaxBlsFile = 16 * 1024;

struct DirNames {
    char names[kMaxBls][128];
    unsigned count = 0;
    bool overflow = false;
};

void copy_string(char* dst, std::size_t size, std::string_view s) {
    const std::size_t n = s.size() < size - 1 ? s.size() : size - 1;
    std::memcpy(dst, s.data(), n);
    dst[n] = '\0';
}

// $root without parentheses into dst; 0 when empty or too long.
std::size_t strip_parens_to(std::string_view dev, char* dst, std::size_t size) {
    if (dev.size() >= 2 && dev.front() == '(' && dev.back() == ')') dev = dev.substr(1, dev.size() - 2);
    if (dev.empty() || dev.size() >= size) return 0;
    copy_string(dst, size, dev);
    return dev.size();
}

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

// blscfg (rhboot/grub2 grub-core/commands/blscfg.c, as the shared doc §3.3
// sums it up): every <dir>/*.conf becomes a menu entry, newest version first.
Status Interpreter::cmd_blscfg() {
    const std::optional<std::string_view> root = env_.get("root");
    if (!root || root->empty()) return Error::make(Errc::not_found, "blscfg: $root is not set");
    char dev[32];
    if (strip_parens_to(*root, dev, sizeof dev) == 0) return Error::make(Errc::invalid_argument, "blscfg: bad $root");
    auto* names = new (std::nothrow) DirNames;
    auto* entries = new (std::nothrow) BlsEntry[kMaxBls];
    auto* text = new (std::nothrow) char[kMaxBlsFile];
    Status r = ok();
    if (names == nullptr || entries == nullptr || text == nullptr)
        r = fatal(Error::make(Errc::no_memory, "blscfg: no memory"));
    char dir[256] = "";
    if (r.ok()) {
        const std::optional<std::string_view> blsdir = env_.get("blsdir");
        const std::string_view candidates[] = {blsdir && !blsdir->empty() ? *blsdir : std::string_view{},
                                               "/loader/entries", "/boot/loader/entries"};
        auto visit = [](void* c, std::string_view name) -> bool {
            auto& n = *static_cast<DirNames*>(c);
            if (!ends_with(name, ".conf") || name.size() >= sizeof n.names[0] ||
                name.find('/') != std::string_view::npos)
                return true;
            if (n.count == kMaxBls) {
                n.overflow = true;
                return false;
            }
            std::memcpy(n.names[n.count], name.data(), name.size());
            n.names[n.count][name.size()] = '\0';
            ++n.count;
            return true;
        };
        bool listed = false;
        for (std::string_view c : candidates) {
            if (c.empty() || c.size() >= sizeof dir) continue;
            names->count = 0;
            std::memcpy(dir, c.data(), c.size());
            dir[c.size()] = '\0';
            if (host_.list_dir(dev, dir, visit, names).ok()) {
                listed = true;
                break;
            }
        }
        if (!listed)
            r = Error::make(Errc::not_found, "blscfg: no /loader/entries or /boot/loader/entries on (%s)", dev);
        else if (names->overflow)
            r = Error::make(Errc::no_space, "blscfg: more than %u entries in (%s)%s", kMaxBls, dev, dir);
    }
    unsigned n = 0;
    for (unsigned i = 0; r.ok() && i < names->count; ++i) {
        char path[400];
        format_to(path, sizeof path, "%s/%s", dir, names->names[i]);
        const Result<std::uint64_t> size = host_.read_file(dev, path, std::span<char>(text, kMaxBlsFile));
        if (!size.ok() || size.value() > kMaxBlsFile) {
            char msg[Error::kMaxMessage + 64];
            format_to(msg, sizeof msg, "blscfg: (%s)%s: %s", dev, path,
                      size.ok() ? "too large" : size.error().message());
            host_.print(msg);
            continue;
        }
        const std::string_view file_name(names->names[i]);
        const Status p = parse_bls_entry({text, static_cast<std::size_t>(size.value())}, file_name, entries[n]);
        if (!p.ok()) {
            char msg[Error::kMaxMessage + 64];
            format_to(msg, sizeof msg, "blscfg: (%s)%s: %s", dev, path, p.error().message());
            host_.print(msg);
            continue;
        }
        ++n;
    }
    // Insertion sort of indices with blscfg's order.
    unsigned order[kMaxBls];
    for (unsigned i = 0; r.ok() && i < n; ++i) {
        unsigned j = i;
        while (j > 0 && bls_before(entries[i], entries[order[j - 1]])) {
            order[j] = order[j - 1];
            --j;
        }
        order[j] = i;
    }
    for (unsigned k = 0; r.ok() && k < n; ++k) r = add_bls_entry(entries[order[k]]);
    delete names;
    delete[] entries;
    delete[] text;
    return r;
}

// The menu entry blscfg makes of one BLS entry: its body is GRUB script, run
// at boot like any other, so $vars in options expand then.
Status Interpreter::add_bls_entry(const BlsEntry& b) {
    char* body = new (std::nothrow) char[kBlsBody];
    if (body == nullptr) return fatal(Error::make(Errc::no_memory, "blscfg: no memory"));
    std::size_t len = 0;
    bool fits = true;
    auto put = [&](std::string_view s) {
        if (s.size() >= kBlsBody - len) {
            fits = false;
            return;
        }
        std::memcpy(body + len, s.data(), s.size());
        len += s.size();
    };
    put("load_video\nset gfxpayload=keep\ninsmod gzio\nlinux ($root)");
    put(b.linux);
    put(" ");
    put(b.has_options ? std::string_view(b.options) : std::string_view("$default_kernelopts"));
    put("\n");
    const std::optional<std::string_view> early = env_.get("early_initrd");
    const bool have_early = early && !early->empty();
    if (b.initrd_count > 0 || have_early) {
        put("initrd");
        if (have_early) {
            // blscfg prepends $early_initrd, names in the kernel's directory.
            std::string_view list = *early;
            const std::string_view lin(b.linux);
            const std::size_t slash = lin.rfind('/');
            const std::string_view kdir = slash == std::string_view::npos ? std::string_view{} : lin.substr(0, slash);
            while (!list.empty()) {
                const std::size_t sp = list.find(' ');
                const std::string_view name = list.substr(0, sp);
                list = sp == std::string_view::npos ? std::string_view{} : list.substr(sp + 1);
                if (name.empty()) continue;
                put(" ($root)");
                put(kdir);
                put("/");
                put(name);
            }
        }
        for (unsigned i = 0; i < b.initrd_count && i < 8; ++i) {
            put(" ($root)");
            put(b.initrd[i]);
        }
        put("\n");
    }
    if (b.devicetree[0] != '\0') {
        put("devicetree ($root)");
        put(b.devicetree);
        put("\n");
    }
    Status r = ok();
    if (!fits) r = Error::make(Errc::no_space, "blscfg: entry %s too long", b.id);
    if (r.ok() && recording_) {
        if (count_ == kMaxEntries) {
            r = fatal(Error::make(Errc::no_space, "blscfg: more than %u menu entries", kMaxEntries));
        } else {
            MenuEntry& e = entries_[count_];
            std::memset(&e, 0, sizeof e);
            copy_string(e.title, sizeof e.title,
                        b.title[0] != '\0' ? std::string_view(b.title) : std::string_view(b.id));
            copy_string(e.id, sizeof e.id, b.id);
            copy_string(e.classes, sizeof e.classes,
                        b.grub_class[0] != '\0' ? std::string_view(b.grub_class) : "kernel");
            copy_string(e.users, sizeof e.users, b.grub_users);
            e.unrestricted = std::string_view(b.grub_arg).find("--unrestricted") != std::string_view::npos;
            e.parent = parent_;
            const Result<std::uint32_t> off = store_body({body, len});
            if (!off.ok()) {
                r = off.error();
            } else {
                e.body_offset = off.value();
                e.body_size = static_cast<std::uint32_t>(len);
                format_to(e.file, sizeof e.file, "%s.conf", b.id);
                e.line = 1;
                ++count_;
            }
        }
    }
    delete[] body;
    return r;
}

}  // namespace xb::loader::grub
