// The environment commands, as U-Boot's: setenv, printenv, editenv, askenv,
// saveenv, env (set, print, default, delete, run, exists, edit, ask, import,
// export, save), run. The defaults `env default` restores are the board's
// (Context::env_defaults). import/export parse and write U-Boot's formats
// through shell/env_text.h.
#include <cstring>
#include <new>

#include "commands/builtins.h"
#include "lib/crc32.h"
#include "lib/deadline.h"
#include "lib/format.h"
#include "lib/scope_guard.h"
#include "shell/default_env.h"
#include "shell/env_text.h"
#include "shell/interpreter.h"
#include "shell/line_editor.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

Status need_env(Context& ctx) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    return ok();
}

// U-Boot's message for a variable that is not there; the caller goes on with
// the next name and fails quietly at the end.
void report_undefined(Context& ctx, const char* name) { ctx.con.printf("## Error: \"%s\" not defined\n", name); }

// setenv name [value...]: the values joined by single blanks, as U-Boot does;
// no value deletes. A shell-local variable of the same name is left alone
// (U-Boot's hush: the local keeps hiding the environment variable).
// -f (force: U-Boot's write-protected variables; xenboot has none, so it
// changes nothing) may come first, as in U-Boot: "-f" is never a name.
Status set_var(Context& ctx, int argc, char* const argv[]) {
    while (argc > 1 && argv[1][0] == '-') {
        for (const char* o = argv[1] + 1; *o != '\0'; ++o) {
            if (*o != 'f') return usage_error("unknown option '-%c'", *o);
        }
        if (argv[1][1] == '\0') return usage_error("'-' is not a variable name");
        --argc;
        ++argv;
    }
    if (argc < 2) return usage_error("missing variable name");
    if (!Environment::valid_name(argv[1])) {
        ctx.con.printf("## Error: illegal character '=' or blank in variable name \"%s\"\n", argv[1]);
        return quiet_failure();
    }
    char* value = new (std::nothrow) char[Environment::kMaxValue + 1];
    if (value == nullptr) return Error::make(Errc::no_memory, "no memory");
    ScopeGuard free_value([value] { delete[] value; });
    std::size_t len = 0;
    for (int i = 2; i < argc; ++i) {
        const std::size_t n = strlen(argv[i]);
        const std::size_t need = n + (i > 2 ? 1 : 0);
        if (len + need > Environment::kMaxValue) {
            return Error::make(Errc::no_space, "value of '%s' too long (at most %zu bytes)", argv[1],
                               Environment::kMaxValue);
        }
        if (i > 2) value[len++] = ' ';
        memcpy(value + len, argv[i], n);
        len += n;
    }
    return ctx.env->set(argv[1], std::string_view(value, len));
}

void print_one(Context& ctx, std::string_view name, std::string_view value) {
    ctx.con.printf("%.*s=%.*s\n", static_cast<int>(name.size()), name.data(), static_cast<int>(value.size()),
                   value.data());
}

Status print_vars(Context& ctx, int argc, char* const argv[]) {
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-a") == 0) first = 2;
    if (first >= argc) {
        std::size_t bytes = 0;
        for (unsigned i = 0; i < ctx.env->count(); ++i) {
            print_one(ctx, ctx.env->name(i), ctx.env->value(i));
            bytes += ctx.env->name(i).size() + ctx.env->value(i).size() + 2;
        }
        ctx.con.printf("\nEnvironment size: %zu bytes, %u variables\n", bytes, ctx.env->count());
        return ok();
    }
    bool all_defined = true;
    for (int i = first; i < argc; ++i) {
        std::optional<std::string_view> v = ctx.env->get(argv[i]);
        if (!v) {
            report_undefined(ctx, argv[i]);
            all_defined = false;
            continue;
        }
        print_one(ctx, argv[i], *v);
    }
    return all_defined ? ok() : quiet_failure();
}

// ------------------------------------------------ env's sub-commands
// Each is a Command of its own ("env set"), run through run_command, so its
// errors and usage line name the sub-command the user typed.

// env set [-f] name [value...]
Status env_set(Context& ctx, int argc, char* const argv[]) { return set_var(ctx, argc, argv); }

Status env_print(Context& ctx, int argc, char* const argv[]) { return print_vars(ctx, argc, argv); }

// env default -a | var...: restores the defaults (-a: the whole environment
// becomes the defaults; named: each gets its default value, or is deleted if
// it has none). The defaults are the board's as computed at start-up
// (Context::env_defaults: configs/, the xl cmdline's name=value words, the
// load addresses, fdtcontroladdr), so `env default -a` leaves a bootable
// environment. -f is accepted and ignored (no variable is write-protected).
// Every name is tried; the first failure is the one reported.
Status env_default(Context& ctx, int argc, char* const argv[]) {
    int i = 1;
    if (i < argc && strcmp(argv[i], "-f") == 0) ++i;
    if (i >= argc) return usage_error("expects -a or variable names");
    if (strcmp(argv[i], "-a") == 0) {
        if (i + 1 != argc) return Error::make(Errc::invalid_argument, "-a takes no variable names");
        if (ctx.env_defaults != nullptr) {
            TRY(ctx.env->copy_from(*ctx.env_defaults));
        } else {
            ctx.env->clear();
            TRY(load_default_env(*ctx.env));
        }
        ctx.con.printf("## Resetting to default environment\n");
        return ok();
    }
    Status first = ok();
    for (; i < argc; ++i) {
        std::optional<std::string_view> d =
            ctx.env_defaults != nullptr ? ctx.env_defaults->get(argv[i]) : default_env_value(argv[i]);
        Status s = d ? ctx.env->set(argv[i], *d) : ok();
        if (!d) ctx.env->remove(argv[i]);
        if (!s.ok() && first.ok()) first = s;
    }
    return first;
}

Status env_delete(Context& ctx, int argc, char* const argv[]) {
    int i = 1;
    if (i < argc && strcmp(argv[i], "-f") == 0) ++i;
    if (i >= argc) return usage_error("expects variable names");
    bool all_defined = true;
    for (; i < argc; ++i) {
        if (!ctx.env->remove(argv[i])) {
            report_undefined(ctx, argv[i]);
            all_defined = false;
        }
    }
    return all_defined ? ok() : quiet_failure();
}

// env exists name: the status only, as U-Boot's.
Status env_exists(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2) return usage_error("expects one name");
    return ctx.env->get(argv[1]) ? ok() : quiet_failure();
}

// Reads a line with the line editor, after prompt, starting from initial;
// the text goes to out (NUL-terminated) and its length is returned.
Result<std::size_t> read_value(Context& ctx, const char* prompt, std::string_view initial, char* out,
                               std::size_t size) {
    LineEditor editor(ctx.con);
    editor.set_prompt(prompt);
    editor.set_context(&ctx);
    ctx.con.write(prompt);
    if (!editor.preload(initial)) {
        ctx.con.write("\n");
        return Error::make(Errc::no_space, "value too long to edit (more than %zu bytes)", LineEditor::kMaxLine - 1);
    }
    for (;;) {
        const int c = ctx.read_char();
        if (c < 0) {
            TRY(ctx.con.wait_input(Deadline::never()));
            continue;
        }
        const LineEditor::Event e = editor.feed(static_cast<char>(c));
        if (e == LineEditor::Event::interrupted) return Error::make(Errc::interrupted, "interrupted");
        if (e != LineEditor::Event::line) continue;
        const std::string_view line = editor.line();
        const std::size_t n = line.size() < size ? line.size() : size - 1;
        memcpy(out, line.data(), n);
        out[n] = '\0';
        return n;
    }
}

// Sets name to value, or deletes it when value is empty (U-Boot's editenv
// and askenv do so with an empty line).
Status set_or_delete(Context& ctx, const char* name, std::string_view value) {
    if (value.empty()) {
        ctx.env->remove(name);
        return ok();
    }
    return ctx.env->set(name, value);
}

// env edit name: the value in the line editor (prompt "edit: ", as U-Boot's).
Status env_edit(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2) return usage_error("expects one name");
    if (!Environment::valid_name(argv[1])) return Error::make(Errc::invalid_argument, "invalid name '%s'", argv[1]);
    char* buf = new (std::nothrow) char[LineEditor::kMaxLine];
    if (buf == nullptr) return Error::make(Errc::no_memory, "no memory");
    ScopeGuard free_buf([buf] { delete[] buf; });
    const std::size_t n = TRY(read_value(ctx, "edit: ", ctx.env->get(argv[1]).value_or(""), buf, LineEditor::kMaxLine));
    return set_or_delete(ctx, argv[1], std::string_view(buf, n));
}

// env ask name [message...] [size]: a last argument in decimal is the most
// characters kept (U-Boot: "unlike in other commands where size values are
// hexadecimal"); the message defaults to "Please enter 'name': ".
Status env_ask(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a name");
    if (!Environment::valid_name(argv[1])) return Error::make(Errc::invalid_argument, "invalid name '%s'", argv[1]);
    std::size_t keep = LineEditor::kMaxLine - 1;
    if (argc > 2) {
        Result<std::uint64_t> n = parse_dec(argv[argc - 1], "size");
        if (n.ok()) {
            if (n.value() < keep) keep = static_cast<std::size_t>(n.value());
            --argc;
        }
    }
    char* buf = new (std::nothrow) char[2 * LineEditor::kMaxLine];
    if (buf == nullptr) return Error::make(Errc::no_memory, "no memory");
    ScopeGuard free_buf([buf] { delete[] buf; });
    char* prompt = buf + LineEditor::kMaxLine;
    if (argc == 2) {
        format_to(prompt, LineEditor::kMaxLine, "Please enter '%s': ", argv[1]);
    } else {
        std::size_t pos = 0;
        prompt[0] = '\0';
        for (int i = 2; i < argc; ++i) {
            pos += format_to(prompt + pos, LineEditor::kMaxLine - pos, "%s ", argv[i]);
            if (pos >= LineEditor::kMaxLine - 1) break;
        }
    }
    std::size_t n = TRY(read_value(ctx, prompt, "", buf, LineEditor::kMaxLine));
    if (n > keep) n = keep;
    return set_or_delete(ctx, argv[1], std::string_view(buf, n));
}

Status env_save(Context&, int, char* const[]) {
    return Error::make(Errc::unsupported,
                       "xenboot has no environment storage; put settings in uEnv.txt (load it and env import -t "
                       "${loadaddr} ${filesize}) or boot.scr on the boot disk, or name=value words in the guest's "
                       "xl cmdline");
}

// Options as U-Boot's: letters may be grouped ("-tr"); one format at most.
struct EnvFormat {
    char sep = '\n';
    bool chosen = false;
    bool checksum = false;
};

Status pick_format(EnvFormat& f, char letter) {
    if (f.chosen) return Error::make(Errc::invalid_argument, "only one of -b, -c or -t allowed");
    f.chosen = true;
    f.sep = letter == 't' ? '\n' : '\0';
    f.checksum = letter == 'c';
    return ok();
}

// Applies what an import holds: only the named variables when names are
// given (seen[] says which came), all otherwise. dry_run only validates.
struct ImportSink : EnvImportSink {
    Environment& env;
    std::span<char* const> names;
    bool* seen;
    bool dry_run;
    ImportSink(Environment& e, std::span<char* const> n, bool* s, bool dry) : env(e), names(n), seen(s), dry_run(dry) {}
    Status entry(std::string_view name, std::string_view value, unsigned line) override {
        if (!names.empty()) {
            bool wanted = false;
            for (std::size_t i = 0; i < names.size(); ++i) {
                if (name == names[i]) {
                    wanted = true;
                    seen[i] = true;
                }
            }
            if (!wanted) return ok();
        }
        if (dry_run) return ok();
        if (value.empty()) {
            env.remove(name);
            return ok();
        }
        Status s = env.set(name, value);
        if (!s.ok()) s.error().prefix("line %u", line);
        return s;
    }
};

constexpr std::uint64_t kMaxImportScan = 1u << 20;  // U-Boot's MAX_ENV_SIZE order of size

// env import [-d] [-t [-r] | -b | -c] addr [size | -] [var...]
Status env_import(Context& ctx, int argc, char* const argv[]) {
    EnvFormat fmt;
    bool del = false, crlf = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
        for (const char* o = argv[i] + 1; *o != '\0'; ++o) {
            switch (*o) {
                case 't':
                case 'b':
                case 'c': TRY(pick_format(fmt, *o)); break;
                case 'r': crlf = true; break;
                case 'd': del = true; break;
                default: return usage_error("unknown option '-%c'", *o);
            }
        }
    }
    if (i >= argc) return usage_error("expects an address");
    if (!fmt.chosen) ctx.con.printf("## Warning: defaulting to text format\n");
    const std::uint64_t addr = TRY(parse_hex(argv[i++], "address"));
    std::optional<std::uint64_t> size;
    if (i < argc) {
        if (strcmp(argv[i], "-") != 0) size = TRY(parse_hex(argv[i], "size"));
        ++i;
    }
    const std::span<char* const> names(argv + i, static_cast<std::size_t>(argc - i));
    if (names.size() > 64) return Error::make(Errc::invalid_argument, "at most 64 variable names");
    if (!size) {
        if (fmt.checksum) return Error::make(Errc::invalid_argument, "the checksum format (-c) needs the size");
        // Up to the end marker (U-Boot: '\0', "\0\0" for -b); a file just
        // loaded has none, so at most $filesize bytes, which are then all.
        Result<std::uint64_t> filesize = env_hex(ctx.env, "filesize");
        std::uint64_t limit = filesize.ok() ? filesize.value() : kMaxImportScan;
        // Not past the end of the RAM bank (the scan stops there).
        for (unsigned b = 0; b < ctx.sys.memory.ram_count(); ++b) {
            const Range& bank = ctx.sys.memory.ram(b);
            if (addr >= bank.base && addr < bank.end() && bank.end() - addr < limit) limit = bank.end() - addr;
        }
        TRY(ctx.sys.memory.require_ram({addr, limit}, "env import"));
        const auto* p = reinterpret_cast<const char*>(static_cast<std::uintptr_t>(addr));
        std::uint64_t n = 0;
        while (n < limit && !(p[n] == '\0' && (fmt.sep != '\0' || (n + 1 < limit && p[n + 1] == '\0')))) ++n;
        if (n == limit && !filesize.ok()) {
            return Error::make(Errc::bad_data, "no end marker within 0x%lx bytes at 0x%lx: give the size", limit, addr);
        }
        size = n < limit ? n + (fmt.sep == '\0' ? 2 : 1) : limit;
        if (size.value() > limit) size = limit;
        ctx.con.printf("## Info: input data size = %lu = 0x%lX\n", size.value(), size.value());
    }
    TRY(ctx.sys.memory.require_ram({addr, *size}, "env import"));
    std::span<const char> data(reinterpret_cast<const char*>(static_cast<std::uintptr_t>(addr)),
                               static_cast<std::size_t>(*size));
    if (fmt.checksum) data = TRY(env_checksum_payload(data));
    EnvImportOptions opt;
    opt.sep = fmt.sep;
    opt.crlf_is_lf = crlf;
    bool seen[64] = {};
    ImportSink check(*ctx.env, names, seen, true);
    TRY_CTX(parse_env_import(data, opt, check), "0x%lx", addr);
    if (del && names.empty()) ctx.env->clear();
    if (del) {
        for (std::size_t k = 0; k < names.size(); ++k) {
            if (!seen[k]) ctx.env->remove(names[k]);
        }
    }
    ImportSink apply(*ctx.env, names, seen, false);
    return parse_env_import(data, opt, apply);
}

// env export [-t | -b | -c] [-s size] addr [var...]; sets filesize (with the
// terminating '\\0', as U-Boot). -c without -s: just the size needed.
Status env_export(Context& ctx, int argc, char* const argv[]) {
    EnvFormat fmt;
    std::optional<std::uint64_t> size;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
        bool took_size = false;
        for (const char* o = argv[i] + 1; *o != '\0' && !took_size; ++o) {
            switch (*o) {
                case 't':
                case 'b':
                case 'c': TRY(pick_format(fmt, *o)); break;
                case 's':
                    if (i + 1 >= argc) return usage_error("-s expects a size");
                    size = TRY(parse_hex(argv[++i], "size"));
                    took_size = true;
                    break;
                default: return usage_error("unknown option '-%c'", *o);
            }
        }
    }
    if (i >= argc) return usage_error("expects an address");
    const std::uint64_t addr = TRY(parse_hex(argv[i++], "address"));
    const std::span<const char* const> names(const_cast<const char* const*>(argv + i),
                                             static_cast<std::size_t>(argc - i));
    const std::size_t header = fmt.checksum ? 4 : 0;
    const std::size_t len = TRY(export_env(*ctx.env, names, fmt.sep, {}));
    const std::uint64_t total = size ? *size : header + len;
    if (header + len > total) {
        return Error::make(Errc::no_space, "the export needs 0x%zx bytes, -s gives 0x%lx", header + len, total);
    }
    TRY(ctx.sys.memory.require_free({addr, total}, "env export"));
    char* out = reinterpret_cast<char*>(static_cast<std::uintptr_t>(addr));
    memset(out, 0, static_cast<std::size_t>(total));
    std::span<char> payload(out + header, static_cast<std::size_t>(total) - header);
    TRY(export_env(*ctx.env, names, fmt.sep, payload));
    if (fmt.checksum) {
        const std::uint32_t crc = crc32(0, payload.data(), payload.size());
        for (unsigned b = 0; b < 4; ++b) out[b] = static_cast<char>(crc >> (8 * b));
    }
    return ctx.env->set_hex("filesize", fmt.checksum ? total : len);
}

constexpr Command kEnvSubs[] = {
    {"env set", "", "[-f] name [value...]", env_set},
    {"env print", "", "[-a | name...]", env_print},
    {"env default", "", "[-f] -a | var...", env_default},
    {"env delete", "", "[-f] var...", env_delete},
    {"env run", "", "var...", do_run},
    {"env exists", "", "name", env_exists},
    {"env edit", "", "name", env_edit},
    {"env ask", "", "name [message...] [size]", env_ask},
    {"env import", "", "[-d] [-t [-r] | -b | -c] addr [size | -] [var...]", env_import},
    {"env export", "", "[-t | -b | -c] [-s size] addr [var...]", env_export},
    {"env save", "", "", env_save},
};

}  // namespace

Status do_setenv(Context& ctx, int argc, char* const argv[]) {
    TRY(need_env(ctx));
    return set_var(ctx, argc, argv);
}

Status do_printenv(Context& ctx, int argc, char* const argv[]) {
    TRY(need_env(ctx));
    return print_vars(ctx, argc, argv);
}

Status do_editenv(Context& ctx, int argc, char* const argv[]) {
    TRY(need_env(ctx));
    return env_edit(ctx, argc, argv);
}

Status do_askenv(Context& ctx, int argc, char* const argv[]) {
    TRY(need_env(ctx));
    return env_ask(ctx, argc, argv);
}

Status do_saveenv(Context& ctx, int argc, char* const argv[]) { return env_save(ctx, argc, argv); }

namespace {

// What must hold before `run` runs anything. Not inlined: its error objects
// stay off the stack while the scripts run.
[[gnu::noinline]] Status check_run(Context& ctx, int argc) {
    if (argc < 2) return usage_error("expects variable names");
    TRY(need_env(ctx));
    if (ctx.interp == nullptr) return Error::make(Errc::unsupported, "no shell");
    return ok();
}

}  // namespace

// run var...: runs each environment variable's text as a script; stops at the
// first that fails (U-Boot: "any failing command will cause run to terminate")
// and, as U-Boot's run, gives status 1 then (the script said why). One Status,
// returned by name: the frame stays small while scripts nest.
Status do_run(Context& ctx, int argc, char* const argv[]) {
    Status s = check_run(ctx, argc);
    for (int i = 1; s.ok() && i < argc; ++i) {
        std::optional<std::string_view> text = ctx.env->get(argv[i]);
        if (!text) report_undefined(ctx, argv[i]);
        if (!text || ctx.interp->run_script(*text, argv[i]) != 0) set_quiet_failure(s);
    }
    return s;
}

Status do_env(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a subcommand");
    TRY(need_env(ctx));
    for (const Command& sub : kEnvSubs) {
        if (strcmp(sub.name + 4, argv[1]) == 0) {  // after "env "
            return run_command(ctx, sub, argc - 1, argv + 1) == 0 ? ok() : quiet_failure();
        }
    }
    return usage_error("unknown subcommand '%s'", argv[1]);
}

Status do_true(Context&, int, char* const[]) { return ok(); }
Status do_false(Context&, int, char* const[]) { return quiet_failure(); }

}  // namespace xb::cmd
