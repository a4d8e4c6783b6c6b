// `bootflow scan`'s engine: every disk and partition, every boot method
// (bootflow/scan.cpp says which, in which order). What it finds goes into
// Services::bootflows (bootflow/bootflows.h) for `bootflow list/select/boot`.
#pragma once

#include <cstdarg>

#include "bootflow/bootflows.h"
#include "lib/format.h"
#include "lib/result.h"
#include "shell/command.h"

namespace xb::cmd {

// What was tried, for the closing summary.
struct ScanAttempts {
    static constexpr unsigned kMax = 24;
    char line[kMax][200];
    unsigned count = 0;
    unsigned dropped = 0;

    [[gnu::format(printf, 2, 3)]] void add(const char* fmt, ...) {
        if (count == kMax) {
            ++dropped;
            return;
        }
        va_list ap;
        va_start(ap, fmt);
        vformat_to(line[count++], sizeof line[0], fmt, ap);
        va_end(ap);
    }
};

// U-Boot's `bootflow scan` flags.
struct ScanOptions {
    bool boot = false;  // -b: boot each bootflow as it is found, until one boots
    bool list = false;  // -l: print each bootflow as it is found
    bool all = false;   // -a: also keep volumes where nothing was found (as failed bootflows)
};

// The bootflow table (allocated on first use; nullptr when there is no memory
// or no Services).
Bootflows* bootflows(Context& ctx);

// Scans every volume. With opts.boot: ok() only if something booted
// (simulated platforms; on the firmware a boot does not return); without it:
// ok() if anything was found. Errc::interrupted when Ctrl-C stopped it;
// otherwise `tried` says why nothing was found or booted.
Status scan(Context& ctx, const ScanOptions& opts, ScanAttempts& tried);

// Boots one bootflow of the table (`bootflow boot`): mounts its volume again
// and runs its method.
Status boot_bootflow(Context& ctx, Bootflow& flow);

}  // namespace xb::cmd
