#include "bootflow/autoboot.h"

#include <cstring>
#include <new>

#include "shell/parse.h"

namespace xb::cmd {
namespace {

constexpr long kDefaultDelay = 2;

long boot_delay(Context& ctx) {
    std::optional<std::string_view> v = ctx.env != nullptr ? ctx.env->get("bootdelay") : std::nullopt;
    if (!v || v->empty() || v->size() > 6) return kDefaultDelay;
    char buf[8];
    memcpy(buf, v->data(), v->size());
    buf[v->size()] = '\0';
    const bool negative = buf[0] == '-';
    Result<std::uint64_t> n = parse_dec(negative ? buf + 1 : buf, "bootdelay");
    if (!n.ok()) {
        ctx.con.printf("autoboot: bootdelay '%s' is not a number; using %ld\n", buf, kDefaultDelay);
        return kDefaultDelay;
    }
    return negative ? -static_cast<long>(n.value()) : static_cast<long>(n.value());
}

// Takes every waiting key (typeahead kept by ctrlc() first); true if there was one.
bool key_pressed(Context& ctx) {
    bool any = false;
    while (ctx.read_char() >= 0) any = true;
    return any;
}

}  // namespace

bool autoboot_countdown(Context& ctx) {
    const long delay = boot_delay(ctx);
    if (delay == -1) return false;
    if (delay <= -2) return true;
    ctx.con.printf("Hit any key to stop autoboot: %2ld ", delay);
    bool stopped = key_pressed(ctx);
    for (long left = delay; left > 0 && !stopped; --left) {
        const Deadline second = Deadline::after_ms(1000);
        while (!second.expired() && !stopped) {
            (void)ctx.con.wait_input(second);
            stopped = key_pressed(ctx);
        }
        if (!stopped) ctx.con.printf("\b\b\b%2ld ", left - 1);
    }
    ctx.con.write("\n");
    return !stopped;
}

void autoboot(Context& ctx, Shell& shell) {
    if (!autoboot_countdown(ctx)) return;
    std::optional<std::string_view> cmd = ctx.env != nullptr ? ctx.env->get("bootcmd") : std::nullopt;
    if (!cmd || cmd->empty()) {
        ctx.con.printf("autoboot: $bootcmd is not set\n");
        return;
    }
    // A copy: bootcmd may change the variable it came from.
    char* text = new (std::nothrow) char[cmd->size()];
    if (text == nullptr) {
        ctx.con.printf("autoboot: out of memory\n");
        return;
    }
    memcpy(text, cmd->data(), cmd->size());
    shell.run_script(std::string_view(text, cmd->size()));
    delete[] text;
}

}  // namespace xb::cmd
