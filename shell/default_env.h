// The environment at start-up: the board's defaults (configs/xenguest.env,
// embedded at build time) and then name=value words from /chosen/bootargs,
// which xl fills from the guest config's `cmdline = "..."`: an operator
// changes the boot (`cmdline = "bootdelay=0 bootcmd='run mine'"`) without
// rebuilding xenboot.
#pragma once

#include <optional>
#include <string_view>

#include "shell/environment.h"
#include "lib/result.h"

namespace xb::cmd {

// The embedded defaults text (name=value lines, '#' comments).
std::string_view default_env_text();

// Sets every variable of a defaults text; errors name the line.
Status load_env_text(Environment& env, std::string_view text);
inline Status load_default_env(Environment& env) { return load_env_text(env, default_env_text()); }
// The default value of one variable, if the defaults have it.
std::optional<std::string_view> default_env_value(std::string_view name);

// Sets a variable for each name=value word of a kernel-style command line.
// Words are separated by blanks; '...' or "..." group blanks into a word
// (bootcmd='run a; run b'), the quotes are removed. Words without '=' or
// whose name does not start with a letter or '_' (console=hvc0 sets console;
// "-x=1" is skipped) set nothing.
// Says how many variables were set and how many assignments failed (too
// long, environment full).
struct BootargsResult {
    unsigned set = 0;
    unsigned failed = 0;
};
BootargsResult load_bootargs_env(Environment& env, std::string_view bootargs);

}  // namespace xb::cmd
