// help and echo.
#include <cstring>

#include "cmd/builtins.h"

namespace xb::cmd {

int do_help(Context& ctx, int argc, char* const argv[]) {
    if (argc == 1) {
        for (const Command& c : commands()) ctx.con.printf("%-10s- %s\n", c.name, c.summary);
        return 0;
    }
    int rc = 0;
    for (int i = 1; i < argc; ++i) {
        const Command* c = find_command(argv[i]);
        if (c == nullptr) {
            ctx.con.printf("Unknown command '%s' - try 'help' without arguments for a list of all known commands\n",
                           argv[i]);
            rc = 1;
            continue;
        }
        ctx.con.printf("%s - %s\n\nUsage:\n%s%s%s\n", c->name, c->summary, c->name, c->usage[0] != '\0' ? " " : "",
                       c->usage);
    }
    return rc;
}

int do_echo(Context& ctx, int argc, char* const argv[]) {
    bool newline = true;
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        newline = false;
        first = 2;
    }
    for (int i = first; i < argc; ++i) ctx.con.printf(i > first ? " %s" : "%s", argv[i]);
    if (newline) ctx.con.write("\n");
    return 0;
}

}  // namespace xb::cmd
