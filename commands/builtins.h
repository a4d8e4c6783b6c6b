#pragma once

#include "shell/command.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"

namespace xb::cmd {
Status do_askenv(Context& ctx, int argc, char* const argv[]);
Status do_bdinfo(Context& ctx, int argc, char* const argv[]);
Status do_boot(Context& ctx, int argc, char* const argv[]);
Status do_booti(Context& ctx, int argc, char* const argv[]);
Status do_bootm(Context& ctx, int argc, char* const argv[]);
Status do_bootflow(Context& ctx, int argc, char* const argv[]);
Status do_bootz(Context& ctx, int argc, char* const argv[]);
Status do_cmp(Context& ctx, int argc, char* const argv[]);
Status do_cp(Context& ctx, int argc, char* const argv[]);
Status do_crc32(Context& ctx, int argc, char* const argv[]);
Status do_dhcp(Context& ctx, int argc, char* const argv[]);
Status do_editenv(Context& ctx, int argc, char* const argv[]);
Status do_env(Context& ctx, int argc, char* const argv[]);
Status do_false(Context& ctx, int argc, char* const argv[]);
Status do_echo(Context& ctx, int argc, char* const argv[]);
Status do_exception(Context& ctx, int argc, char* const argv[]);
Status do_fstype(Context& ctx, int argc, char* const argv[]);
Status do_fstypes(Context& ctx, int argc, char* const argv[]);
Status do_fdt(Context& ctx, int argc, char* const argv[]);
Status do_hash(Context& ctx, int argc, char* const argv[]);
Status do_help(Context& ctx, int argc, char* const argv[]);
Status do_load(Context& ctx, int argc, char* const argv[]);
Status do_tftpboot(Context& ctx, int argc, char* const argv[]);
Status do_time(Context& ctx, int argc, char* const argv[]);
Status do_unzip(Context& ctx, int argc, char* const argv[]);
Status do_ls(Context& ctx, int argc, char* const argv[]);
Status do_itest(Context& ctx, int argc, char* const argv[]);
Status do_md(Context& ctx, int argc, char* const argv[]);
Status do_mw(Context& ctx, int argc, char* const argv[]);
Status do_part(Context& ctx, int argc, char* const argv[]);
Status do_ping(Context& ctx, int argc, char* const argv[]);
Status do_poweroff(Context& ctx, int argc, char* const argv[]);
Status do_pvblock(Context& ctx, int argc, char* const argv[]);
Status do_pxe(Context& ctx, int argc, char* const argv[]);
Status do_pvnet(Context& ctx, int argc, char* const argv[]);
Status do_printenv(Context& ctx, int argc, char* const argv[]);
Status do_reset(Context& ctx, int argc, char* const argv[]);
Status do_sha256sum(Context& ctx, int argc, char* const argv[]);
Status do_size(Context& ctx, int argc, char* const argv[]);
Status do_run(Context& ctx, int argc, char* const argv[]);
Status do_saveenv(Context& ctx, int argc, char* const argv[]);
Status do_setenv(Context& ctx, int argc, char* const argv[]);
Status do_setexpr(Context& ctx, int argc, char* const argv[]);
Status do_sleep(Context& ctx, int argc, char* const argv[]);
Status do_source(Context& ctx, int argc, char* const argv[]);
Status do_sysboot(Context& ctx, int argc, char* const argv[]);
Status do_test(Context& ctx, int argc, char* const argv[]);
Status do_true(Context& ctx, int argc, char* const argv[]);
Status do_version(Context& ctx, int argc, char* const argv[]);
Status do_wget(Context& ctx, int argc, char* const argv[]);
Status do_xenstore(Context& ctx, int argc, char* const argv[]);
// The hash engine behind hash, sha256sum and crc32 -v (cmd_hash.cpp):
// argv after the command (and algorithm) words: [-v] address count [dest|sum].
Status run_hash(Context& ctx, const char* algo, int argc, char* const argv[]);
}  // namespace xb::cmd
