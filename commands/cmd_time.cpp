// time COMMAND [ARGS...]: runs one command and reports how long it took, in
// U-Boot's format (cmd/time.c): "\ntime: [N minutes,] S.mmm seconds". The
// exit status is the command's. For timing loads, decompression and scans by
// hand and in benchmarks (tests/system/bench_fs.py).
#include "arch/arch.h"
#include "commands/builtins.h"

namespace xb::cmd {

Status do_time(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a command");
    const Command* cmd = find_command(argv[1]);
    if (cmd == nullptr) return Error::make(Errc::not_found, "unknown command '%s'", argv[1]);
    const std::uint64_t start = arch::counter();
    const int rc = run_command(ctx, *cmd, argc - 1, argv + 1);
    const std::uint64_t ms = arch::ticks_to_ms(arch::counter() - start);
    const std::uint64_t minutes = ms / 60000;
    ctx.con.printf("\ntime:");
    if (minutes != 0) ctx.con.printf(" %lu minutes,", minutes);
    ctx.con.printf(" %lu.%03lu seconds\n", (ms / 1000) % 60, ms % 1000);
    // The command already printed its own error: only the status is passed on.
    return rc == 0 ? ok() : quiet_failure();
}

}  // namespace xb::cmd
