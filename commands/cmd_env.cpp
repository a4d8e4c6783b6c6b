// The environment commands, as U-Boot's: setenv, printenv, env (set, print,
// default, delete, run, exists), run. The defaults `env default` restores are
// the board's (configs/xenguest.env, see shell/default_env.h).
#include <cstring>
#include <new>

#include "commands/builtins.h"
#include "lib/scope_guard.h"
#include "shell/default_env.h"
#include "shell/interpreter.h"

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
Status set_var(Context& ctx, int argc, char* const argv[]) {
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
Status env_set(Context& ctx, int argc, char* const argv[]) {
    if (argc > 1 && strcmp(argv[1], "-f") == 0) return set_var(ctx, argc - 1, argv + 1);
    return set_var(ctx, argc, argv);
}

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

constexpr Command kEnvSubs[] = {
    {"env set", "", "[-f] name [value...]", env_set},
    {"env print", "", "[-a | name...]", env_print},
    {"env default", "", "[-f] -a | var...", env_default},
    {"env delete", "", "[-f] var...", env_delete},
    {"env run", "", "var...", do_run},
    {"env exists", "", "name", env_exists},
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
