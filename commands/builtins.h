#pragma once

#include "shell/command.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"

namespace xb::cmd {
int do_bdinfo(Context& ctx, int argc, char* const argv[]);
int do_booti(Context& ctx, int argc, char* const argv[]);
int do_bootflow(Context& ctx, int argc, char* const argv[]);
int do_cmp(Context& ctx, int argc, char* const argv[]);
int do_cp(Context& ctx, int argc, char* const argv[]);
int do_crc32(Context& ctx, int argc, char* const argv[]);
int do_env(Context& ctx, int argc, char* const argv[]);
int do_false(Context& ctx, int argc, char* const argv[]);
int do_echo(Context& ctx, int argc, char* const argv[]);
int do_exception(Context& ctx, int argc, char* const argv[]);
int do_fstype(Context& ctx, int argc, char* const argv[]);
int do_fdt(Context& ctx, int argc, char* const argv[]);
int do_help(Context& ctx, int argc, char* const argv[]);
int do_load(Context& ctx, int argc, char* const argv[]);
int do_ls(Context& ctx, int argc, char* const argv[]);
int do_itest(Context& ctx, int argc, char* const argv[]);
int do_md(Context& ctx, int argc, char* const argv[]);
int do_mw(Context& ctx, int argc, char* const argv[]);
int do_part(Context& ctx, int argc, char* const argv[]);
int do_poweroff(Context& ctx, int argc, char* const argv[]);
int do_pvblock(Context& ctx, int argc, char* const argv[]);
int do_printenv(Context& ctx, int argc, char* const argv[]);
int do_reset(Context& ctx, int argc, char* const argv[]);
int do_size(Context& ctx, int argc, char* const argv[]);
int do_run(Context& ctx, int argc, char* const argv[]);
int do_setenv(Context& ctx, int argc, char* const argv[]);
int do_setexpr(Context& ctx, int argc, char* const argv[]);
int do_sleep(Context& ctx, int argc, char* const argv[]);
int do_source(Context& ctx, int argc, char* const argv[]);
int do_test(Context& ctx, int argc, char* const argv[]);
int do_true(Context& ctx, int argc, char* const argv[]);
int do_version(Context& ctx, int argc, char* const argv[]);
int do_xenstore(Context& ctx, int argc, char* const argv[]);
}  // namespace xb::cmd
