// test / [ (U-Boot's test command, a subset of POSIX test) and itest.
//   test:  -n S, -z S, S (non-empty), S1 = S2, S1 != S2, S1 < S2, S1 > S2,
//          N1 -eq|-ne|-lt|-gt|-le|-ge N2 (decimal, signed), ! E, E -a E, E -o E
//          (-a binds tighter than -o), -e IFACE DEV[:PART] PATH (a file exists,
//          through Services::file_exists). Status 0 true, 1 false (quietly) or
//          error (with its message).
//   itest[.b|.w|.l|.q|.s] A OP B: OP is -eq == -ne != <> -lt < -gt > -le <= -ge >=;
//          A and B are hex (as everywhere in U-Boot) or *ADDR, the value of that
//          size at ADDR (which must lie in RAM); .s compares strings. Values are
//          cut to the size (default .l) and compared unsigned.
#include <cstring>

#include "commands/builtins.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

class TestExpr {
  public:
    TestExpr(Context& ctx, int argc, char* const argv[]) : ctx_(ctx), argc_(argc), argv_(argv) {}

    // ok() true, quiet_failure() false; a malformed expression is an error.
    Status run() {
        if (argc_ == 0) return quiet_failure();
        const bool v = parse_or();
        if (!failed_ && i_ != argc_) error("unexpected '%s'", argv_[i_]);
        if (failed_) return error_;
        return v ? ok() : quiet_failure();
    }

  private:
    // Keeps the first error; parsing winds down without evaluating further.
    [[gnu::format(printf, 2, 3)]] void error(const char* fmt, ...) {
        if (failed_) return;
        failed_ = true;
        char msg[120];
        va_list ap;
        va_start(ap, fmt);
        vformat_to(msg, sizeof msg, fmt, ap);
        va_end(ap);
        error_ = Error::make(Errc::invalid_argument, "%s", msg);
    }
    bool at(const char* s) const { return i_ < argc_ && strcmp(argv_[i_], s) == 0; }
    const char* take() {
        if (i_ >= argc_) {
            error("argument expected");
            return "";
        }
        return argv_[i_++];
    }

    bool parse_or() {
        bool v = parse_and();
        while (!failed_ && at("-o")) {
            ++i_;
            const bool r = parse_and();
            v = v || r;
        }
        return v;
    }
    bool parse_and() {
        bool v = parse_not();
        while (!failed_ && at("-a")) {
            ++i_;
            const bool r = parse_not();
            v = v && r;
        }
        return v;
    }
    bool parse_not() {
        bool negate = false;
        // Iterative: "! ! ! x" cannot nest deeply.
        while (at("!") && i_ + 1 < argc_) {
            ++i_;
            negate = !negate;
        }
        const bool v = parse_primary();
        return negate ? !v : v;
    }
    static bool is_binary(const char* op) {
        static constexpr const char* kOps[] = {"=", "!=", "<", ">", "-eq", "-ne", "-lt", "-gt", "-le", "-ge"};
        for (const char* k : kOps) {
            if (strcmp(op, k) == 0) return true;
        }
        return false;
    }
    bool number(const char* s, long long& out) {
        const char* p = s;
        bool neg = false;
        if (*p == '-' || *p == '+') neg = *p++ == '-';
        Result<std::uint64_t> v = parse_dec(p, "number");
        if (!v.ok() || v.value() > 0x7fffffffffffffffULL) {
            error("invalid number '%s'", s);
            return false;
        }
        out = neg ? -static_cast<long long>(v.value()) : static_cast<long long>(v.value());
        return true;
    }
    bool parse_primary() {
        if (i_ >= argc_) {
            error("argument expected");
            return false;
        }
        // A binary operator in second place wins ("-n = -n" compares strings).
        if (i_ + 2 < argc_ && is_binary(argv_[i_ + 1])) {
            const char* a = argv_[i_];
            const char* op = argv_[i_ + 1];
            const char* b = argv_[i_ + 2];
            i_ += 3;
            if (strcmp(op, "=") == 0) return strcmp(a, b) == 0;
            if (strcmp(op, "!=") == 0) return strcmp(a, b) != 0;
            if (strcmp(op, "<") == 0) return strcmp(a, b) < 0;
            if (strcmp(op, ">") == 0) return strcmp(a, b) > 0;
            long long x = 0, y = 0;
            if (!number(a, x) || !number(b, y)) return false;
            if (strcmp(op, "-eq") == 0) return x == y;
            if (strcmp(op, "-ne") == 0) return x != y;
            if (strcmp(op, "-lt") == 0) return x < y;
            if (strcmp(op, "-gt") == 0) return x > y;
            if (strcmp(op, "-le") == 0) return x <= y;
            return x >= y;
        }
        const char* a = take();
        if (strcmp(a, "-n") == 0 && i_ < argc_) return take()[0] != '\0';
        if (strcmp(a, "-z") == 0 && i_ < argc_) return take()[0] == '\0';
        if (strcmp(a, "-e") == 0 && i_ + 3 <= argc_) {
            const char* iface = take();
            const char* devpart = take();
            const char* path = take();
            return file_exists(iface, devpart, path);
        }
        if (strcmp(a, "-e") == 0) {
            error("-e expects <interface> <dev[:part]> <path>");
            return false;
        }
        return a[0] != '\0';
    }
    bool file_exists(const char* iface, const char* devpart, const char* path) {
        if (ctx_.services == nullptr || ctx_.services->file_exists == nullptr) {
            error("-e: no filesystems");
            return false;
        }
        Result<bool> r = ctx_.services->file_exists(ctx_, iface, devpart, path);
        if (!r.ok()) {
            error("-e: %s", r.error().message());
            return false;
        }
        return r.value();
    }

    Context& ctx_;
    int argc_;
    char* const* argv_;
    int i_ = 0;
    bool failed_ = false;
    Status error_;
};

// itest operands: hex, or *ADDR read with the given size.
Result<std::uint64_t> itest_value(Context& ctx, const char* text, unsigned size) {
    if (text[0] == '*') {
        const std::uint64_t addr = TRY(parse_hex(text + 1, "address"));
        TRY(ctx.sys.memory.require_ram(Range{addr, size}, "itest"));
        std::uint8_t bytes[8] = {};
        memcpy(bytes, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(addr)), size);
        std::uint64_t v = 0;
        for (unsigned i = size; i-- > 0;) v = (v << 8) | bytes[i];  // little-endian, as the CPU reads it
        return v;
    }
    const std::uint64_t v = TRY(parse_hex(text, "value"));
    return size == 8 ? v : v & ((std::uint64_t{1} << (size * 8)) - 1);
}

}  // namespace

Status do_test(Context& ctx, int argc, char* const argv[]) {
    if (strcmp(argv[0], "[") == 0) {
        if (argc < 2 || strcmp(argv[argc - 1], "]") != 0) return Error::make(Errc::invalid_argument, "missing ']'");
        --argc;
    }
    return TestExpr(ctx, argc - 1, argv + 1).run();
}

Status do_itest(Context& ctx, int argc, char* const argv[]) {
    const char* dot = strchr(argv[0], '.');
    unsigned size = 4;
    bool strings = false;
    if (dot != nullptr) {
        if (strcmp(dot, ".b") == 0) size = 1;
        else if (strcmp(dot, ".w") == 0) size = 2;
        else if (strcmp(dot, ".l") == 0) size = 4;
        else if (strcmp(dot, ".q") == 0) size = 8;
        else if (strcmp(dot, ".s") == 0) strings = true;
        else return usage_error("unknown size '%s'", dot);
    }
    if (argc != 4) return usage_error("expects value1 op value2");
    const char* op = argv[2];
    int cmp = 0;
    if (strings) {
        cmp = strcmp(argv[1], argv[3]);
    } else {
        const std::uint64_t a = TRY(itest_value(ctx, argv[1], size));
        const std::uint64_t b = TRY(itest_value(ctx, argv[3], size));
        cmp = a < b ? -1 : a > b ? 1 : 0;
    }
    bool r;
    if (strcmp(op, "-eq") == 0 || strcmp(op, "==") == 0) r = cmp == 0;
    else if (strcmp(op, "-ne") == 0 || strcmp(op, "!=") == 0 || strcmp(op, "<>") == 0) r = cmp != 0;
    else if (strcmp(op, "-lt") == 0 || strcmp(op, "<") == 0) r = cmp < 0;
    else if (strcmp(op, "-gt") == 0 || strcmp(op, ">") == 0) r = cmp > 0;
    else if (strcmp(op, "-le") == 0 || strcmp(op, "<=") == 0) r = cmp <= 0;
    else if (strcmp(op, "-ge") == 0 || strcmp(op, ">=") == 0) r = cmp >= 0;
    else return usage_error("unknown operator '%s'", op);
    return r ? ok() : quiet_failure();
}

}  // namespace xb::cmd
