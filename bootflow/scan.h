// `bootflow scan`'s engine: every disk and partition, every boot method
// (bootflow/scan.cpp says which, in which order). The `bootflow` command
// (commands/cmd_bootflow.cpp) prints what it returns.
#pragma once

#include <cstdarg>

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

// Tries every volume until something boots. ok() only if something booted
// (simulated platforms; on the firmware a boot does not return);
// Errc::interrupted when Ctrl-C stopped the scan; otherwise `tried` says why
// nothing booted.
Status scan(Context& ctx, ScanAttempts& tried);

}  // namespace xb::cmd
