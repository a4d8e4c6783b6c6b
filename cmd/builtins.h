#pragma once

#include "cmd/command.h"

namespace xb::cmd {
int do_bdinfo(Context& ctx, int argc, char* const argv[]);
int do_echo(Context& ctx, int argc, char* const argv[]);
int do_exception(Context& ctx, int argc, char* const argv[]);
int do_help(Context& ctx, int argc, char* const argv[]);
int do_poweroff(Context& ctx, int argc, char* const argv[]);
int do_reset(Context& ctx, int argc, char* const argv[]);
int do_version(Context& ctx, int argc, char* const argv[]);
}  // namespace xb::cmd
