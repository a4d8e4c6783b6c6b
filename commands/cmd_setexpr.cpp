// setexpr, as U-Boot's:
//   setexpr[.b|.w|.l|.q] name value              name = value
//   setexpr[.b|.w|.l|.q] name value1 op value2   op: + - * / % & | ^
//   setexpr name sub regex replacement [value]   first match replaced
//   setexpr name gsub regex replacement [value]  every match replaced
// Values are hex (with or without 0x) or *addr (the value of that size at addr,
// which must lie in RAM); the result is set as hex without 0x, cut to the size
// (default .q: xenboot is 64-bit, its addresses may not fit 32 bits). sub/gsub
// work on the text of value, or of the variable itself when value is absent,
// with the regex subset of lib/regex_lite.h. The result goes to the
// environment, like setenv (a local variable of the same name still hides it).
#include <cstring>
#include <new>

#include "commands/builtins.h"
#include "lib/scope_guard.h"
#include "shell/interpreter.h"
#include "shell/parse.h"
#include "lib/regex_lite.h"

namespace xb::cmd {
namespace {

Result<std::uint64_t> value_of(Context& ctx, const char* text, unsigned size) {
    std::uint64_t v = 0;
    if (text[0] == '*') {
        const std::uint64_t addr = TRY(parse_hex(text + 1, "address"));
        TRY(ctx.sys.memory.require_ram(Range{addr, size}, "setexpr"));
        std::uint8_t bytes[8] = {};
        memcpy(bytes, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(addr)), size);
        for (unsigned i = size; i-- > 0;) v = (v << 8) | bytes[i];
    } else {
        v = TRY(parse_hex(text, "value"));
    }
    return size == 8 ? v : v & ((std::uint64_t{1} << (size * 8)) - 1);
}

Status substitute(Context& ctx, int argc, char* const argv[], bool global) {
    // argv: name sub|gsub regex replacement [value]
    if (argc != 5 && argc != 6) {
        return Error::make(Errc::invalid_argument, "%s expects regex replacement [value]", argv[2]);
    }
    std::optional<std::string_view> current;
    if (argc == 6) current = std::string_view(argv[5]);
    else if (ctx.interp != nullptr) current = ctx.interp->lookup(argv[1]);
    else current = ctx.env->get(argv[1]);
    if (!current) {
        ctx.con.printf("## Error: \"%s\" not defined\n", argv[1]);
        return quiet_failure();
    }
    Regex* re = new (std::nothrow) Regex();
    char* out = new (std::nothrow) char[Environment::kMaxValue];
    ScopeGuard free_both([re, out] {
        delete re;
        delete[] out;
    });
    if (re == nullptr || out == nullptr) return Error::make(Errc::no_memory, "no memory");
    TRY(re->compile(argv[3]));
    const std::size_t n = TRY(regex_substitute(*re, *current, argv[4], global, out, Environment::kMaxValue));
    return ctx.env->set(argv[1], std::string_view(out, n));
}

}  // namespace

Status do_setexpr(Context& ctx, int argc, char* const argv[]) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    unsigned size = 8;
    if (const char* dot = strchr(argv[0], '.'); dot != nullptr) {
        if (strcmp(dot, ".b") == 0) size = 1;
        else if (strcmp(dot, ".w") == 0) size = 2;
        else if (strcmp(dot, ".l") == 0) size = 4;
        else if (strcmp(dot, ".q") == 0) size = 8;
        else return usage_error("unknown size '%s'", dot);
    }
    if (argc >= 3 && (strcmp(argv[2], "sub") == 0 || strcmp(argv[2], "gsub") == 0)) {
        return substitute(ctx, argc, argv, argv[2][0] == 'g');
    }
    if (argc != 3 && argc != 5) return usage_error("expects name value [op value]");
    const std::uint64_t a = TRY(value_of(ctx, argv[2], size));
    std::uint64_t r = a;
    if (argc == 5) {
        const std::uint64_t b = TRY(value_of(ctx, argv[4], size));
        const char* op = argv[3];
        if (strlen(op) != 1) return usage_error("unknown operator '%s'", op);
        switch (op[0]) {
            case '+': r = a + b; break;
            case '-': r = a - b; break;
            case '*': r = a * b; break;
            case '&': r = a & b; break;
            case '|': r = a | b; break;
            case '^': r = a ^ b; break;
            case '/':
            case '%':
                if (b == 0) return Error::make(Errc::invalid_argument, "division by zero");
                r = op[0] == '/' ? a / b : a % b;
                break;
            default: return usage_error("unknown operator '%s'", op);
        }
    }
    if (size != 8) r &= (std::uint64_t{1} << (size * 8)) - 1;
    return ctx.env->set_hex(argv[1], r);
}

}  // namespace xb::cmd
