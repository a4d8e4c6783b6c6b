// The environment commands, as U-Boot's: setenv, printenv, env (set, print,
// default, delete, run, exists), run. The defaults `env default` restores are
// the board's (configs/xenguest.env, see shell/default_env.h).
#include <cstring>
#include <new>

#include "commands/builtins.h"
#include "shell/default_env.h"
#include "shell/interpreter.h"

namespace xb::cmd {
namespace {

bool have_env(Context& ctx, const char* name) {
    if (ctx.env != nullptr) return true;
    ctx.con.printf("%s: no environment\n", name);
    return false;
}

// setenv name [value...]: the values joined by single blanks, as U-Boot does;
// no value deletes. A shell-local variable of the same name is left alone
// (U-Boot's hush: the local keeps hiding the environment variable).
int set_var(Context& ctx, const char* who, int argc, char* const argv[]) {
    if (argc < 2) {
        ctx.con.printf("%s: missing variable name (usage: %s name [value...])\n", who, who);
        return 1;
    }
    if (!Environment::valid_name(argv[1])) {
        ctx.con.printf("## Error: illegal character '=' or blank in variable name \"%s\"\n", argv[1]);
        return 1;
    }
    char* value = new (std::nothrow) char[Environment::kMaxValue + 1];
    if (value == nullptr) {
        ctx.con.printf("%s: no memory\n", who);
        return 1;
    }
    std::size_t len = 0;
    bool too_long = false;
    for (int i = 2; i < argc && !too_long; ++i) {
        const std::size_t n = strlen(argv[i]);
        const std::size_t need = n + (i > 2 ? 1 : 0);
        if (len + need > Environment::kMaxValue) {
            too_long = true;
            break;
        }
        if (i > 2) value[len++] = ' ';
        memcpy(value + len, argv[i], n);
        len += n;
    }
    int rc = 0;
    if (too_long) {
        ctx.con.printf("%s: value of '%s' too long (at most %zu bytes)\n", who, argv[1], Environment::kMaxValue);
        rc = 1;
    } else {
        Status s = ctx.env->set(argv[1], std::string_view(value, len));
        if (!s.ok()) {
            ctx.con.printf("%s: %s\n", who, s.error().message());
            rc = 1;
        }
    }
    delete[] value;
    return rc;
}

void print_one(Context& ctx, std::string_view name, std::string_view value) {
    ctx.con.printf("%.*s=%.*s\n", static_cast<int>(name.size()), name.data(), static_cast<int>(value.size()), value.data());
}

int print_vars(Context& ctx, int argc, char* const argv[]) {
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-a") == 0) first = 2;
    if (first >= argc) {
        std::size_t bytes = 0;
        for (unsigned i = 0; i < ctx.env->count(); ++i) {
            print_one(ctx, ctx.env->name(i), ctx.env->value(i));
            bytes += ctx.env->name(i).size() + ctx.env->value(i).size() + 2;
        }
        ctx.con.printf("\nEnvironment size: %zu bytes, %u variables\n", bytes, ctx.env->count());
        return 0;
    }
    int rc = 0;
    for (int i = first; i < argc; ++i) {
        std::optional<std::string_view> v = ctx.env->get(argv[i]);
        if (!v) {
            ctx.con.printf("## Error: \"%s\" not defined\n", argv[i]);
            rc = 1;
            continue;
        }
        print_one(ctx, argv[i], *v);
    }
    return rc;
}

// env default -a | var...: restores the defaults (-a: the whole environment
// becomes the defaults; named: each gets its default value, or is deleted if
// it has none). -f is accepted and ignored (no variable is write-protected).
int env_default(Context& ctx, int argc, char* const argv[]) {
    int i = 1;
    if (i < argc && strcmp(argv[i], "-f") == 0) ++i;
    if (i >= argc) {
        ctx.con.printf("env default: expects -a or variable names (usage: env default [-f] -a | var...)\n");
        return 1;
    }
    if (strcmp(argv[i], "-a") == 0) {
        if (i + 1 != argc) {
            ctx.con.printf("env default: -a takes no variable names\n");
            return 1;
        }
        ctx.env->clear();
        Status s = load_default_env(*ctx.env);
        if (!s.ok()) {
            ctx.con.printf("env default: %s\n", s.error().message());
            return 1;
        }
        ctx.con.printf("## Resetting to default environment\n");
        return 0;
    }
    int rc = 0;
    for (; i < argc; ++i) {
        std::optional<std::string_view> d = default_env_value(argv[i]);
        Status s = d ? ctx.env->set(argv[i], *d) : ok();
        if (!d) ctx.env->remove(argv[i]);
        if (!s.ok()) {
            ctx.con.printf("env default: %s\n", s.error().message());
            rc = 1;
        }
    }
    return rc;
}

int env_delete(Context& ctx, int argc, char* const argv[]) {
    int i = 1;
    if (i < argc && strcmp(argv[i], "-f") == 0) ++i;
    if (i >= argc) {
        ctx.con.printf("env delete: expects variable names (usage: env delete [-f] var...)\n");
        return 1;
    }
    int rc = 0;
    for (; i < argc; ++i) {
        if (!ctx.env->remove(argv[i])) {
            ctx.con.printf("## Error: \"%s\" not defined\n", argv[i]);
            rc = 1;
        }
    }
    return rc;
}

}  // namespace

int do_setenv(Context& ctx, int argc, char* const argv[]) {
    if (!have_env(ctx, "setenv")) return 1;
    return set_var(ctx, "setenv", argc, argv);
}

int do_printenv(Context& ctx, int argc, char* const argv[]) {
    if (!have_env(ctx, "printenv")) return 1;
    return print_vars(ctx, argc, argv);
}

// run var...: runs each environment variable's text as a script; stops at the
// first that fails (U-Boot: "any failing command will cause run to terminate").
int do_run(Context& ctx, int argc, char* const argv[]) {
    const Command& self = *find_command("run");
    if (argc < 2) return usage_error(ctx, self, "expects variable names");
    if (!have_env(ctx, "run")) return 1;
    if (ctx.interp == nullptr) {
        ctx.con.printf("run: no shell\n");
        return 1;
    }
    for (int i = 1; i < argc; ++i) {
        std::optional<std::string_view> text = ctx.env->get(argv[i]);
        if (!text) {
            ctx.con.printf("## Error: \"%s\" not defined\n", argv[i]);
            return 1;
        }
        const int rc = ctx.interp->run_script(*text, argv[i]);
        if (rc != 0) return rc;
    }
    return 0;
}

int do_env(Context& ctx, int argc, char* const argv[]) {
    const Command& self = *find_command("env");
    if (argc < 2) return usage_error(ctx, self, "expects a subcommand");
    if (!have_env(ctx, "env")) return 1;
    const char* sub = argv[1];
    if (strcmp(sub, "set") == 0) {
        // env set [-f] name [value...]
        if (argc > 2 && strcmp(argv[2], "-f") == 0) return set_var(ctx, "env set", argc - 2, argv + 2);
        return set_var(ctx, "env set", argc - 1, argv + 1);
    }
    if (strcmp(sub, "print") == 0) return print_vars(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "default") == 0) return env_default(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "delete") == 0) return env_delete(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "run") == 0) return do_run(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "exists") == 0) {
        if (argc != 3) return usage_error(ctx, self, "exists expects one name");
        return ctx.env->get(argv[2]) ? 0 : 1;
    }
    return usage_error(ctx, self, "unknown subcommand '%s'", sub);
}

int do_true(Context&, int, char* const[]) { return 0; }
int do_false(Context&, int, char* const[]) { return 1; }

}  // namespace xb::cmd
