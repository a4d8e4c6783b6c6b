// help, echo and sleep.
#include <cstring>

#include "arch/arch.h"
#include "commands/builtins.h"

namespace xb::cmd {

Status do_help(Context& ctx, int argc, char* const argv[]) {
    if (argc == 1) {
        for (const Command& c : commands()) ctx.con.printf("%-10s- %s\n", c.name, c.summary);
        return ok();
    }
    bool all_known = true;
    for (int i = 1; i < argc; ++i) {
        const Command* c = find_command(argv[i]);
        if (c == nullptr) {
            ctx.con.printf("Unknown command '%s' - try 'help' without arguments for a list of all known commands\n",
                           argv[i]);
            all_known = false;
            continue;
        }
        ctx.con.printf("%s - %s\n\nUsage:\n%s%s%s\n", c->name, c->summary, c->name, c->usage[0] != '\0' ? " " : "",
                       c->usage);
    }
    return all_known ? ok() : quiet_failure();  // each unknown name was reported in its place
}

Status do_echo(Context& ctx, int argc, char* const argv[]) {
    bool newline = true;
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        newline = false;
        first = 2;
    }
    for (int i = first; i < argc; ++i) ctx.con.printf(i > first ? " %s" : "%s", argv[i]);
    if (newline) ctx.con.write("\n");
    return ok();
}

}  // namespace xb::cmd

namespace xb::cmd {

// sleep N[.fraction] (seconds, as U-Boot). The console wait sleeps in
// SCHEDOP_poll with the virtual timer as alarm, so the CPU stays free.
Status do_sleep(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2) return usage_error("expects one duration");
    std::uint64_t ms = 0;
    const char* p = argv[1];
    unsigned frac_digits = 0;
    bool seen_digit = false, seen_dot = false;
    for (; *p != '\0'; ++p) {
        if (*p == '.' && !seen_dot) {
            seen_dot = true;
            continue;
        }
        if (*p < '0' || *p > '9') return usage_error("invalid duration '%s'", argv[1]);
        seen_digit = true;
        if (!seen_dot) {
            if (ms > 1000ULL * 86400 * 365) return usage_error("duration '%s' is too long", argv[1]);
            ms = ms * 10 + static_cast<std::uint64_t>(*p - '0');
        } else if (frac_digits < 3) {
            ms = ms * 10 + static_cast<std::uint64_t>(*p - '0');
            ++frac_digits;
        }
    }
    if (!seen_digit) return usage_error("invalid duration '%s'", argv[1]);
    for (unsigned i = frac_digits; i < 3; ++i) ms *= 10;
    Deadline until = Deadline::after_ms(ms);
    while (!until.expired()) {
        // Ctrl-C stops the sleep and the script around it (the interpreter
        // prints <INTERRUPT>); other typed bytes stay for the prompt.
        if (ctx.ctrlc()) return quiet_failure();
        TRY(ctx.con.wait_input(until));
    }
    return ok();
}

}  // namespace xb::cmd
