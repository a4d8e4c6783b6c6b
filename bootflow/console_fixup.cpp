#include "bootflow/console_fixup.h"

#include <cstring>

#include "lib/format.h"

namespace xb::cmd {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// The device part of a console= value: "ttyS0,115200n8" -> "ttyS0".
std::string_view device_of(std::string_view value) {
    const std::size_t comma = value.find(',');
    return comma == std::string_view::npos ? value : value.substr(0, comma);
}

// Consoles of real hardware that a Xen arm64 guest never has: the 8250 and
// PL011 UARTs and the virtual terminals of a screen.
bool foreign_console(std::string_view dev) {
    if (starts_with(dev, "ttyS") || starts_with(dev, "ttyAMA")) return true;
    return starts_with(dev, "tty") && all_digits(dev.substr(3));
}

}  // namespace

ConsoleCheck check_consoles(std::string_view cmdline) {
    ConsoleCheck check;
    bool all_foreign = true;
    std::size_t i = 0;
    while (i < cmdline.size()) {
        while (i < cmdline.size() && cmdline[i] == ' ') ++i;
        const std::size_t start = i;
        bool quoted = false;
        while (i < cmdline.size() && (quoted || cmdline[i] != ' ')) {
            if (cmdline[i] == '"') quoted = !quoted;
            ++i;
        }
        std::string_view word = cmdline.substr(start, i - start);
        if (word == "--") break;  // the rest belongs to init (Linux init/main.c)
        if (!starts_with(word, "console=")) continue;
        std::string_view value = word.substr(8);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        const std::string_view dev = device_of(value);
        if (check.named++ == 0)
            format_to(check.first, sizeof check.first, "%.*s", static_cast<int>(value.size()), value.data());
        if (!foreign_console(dev)) all_foreign = false;
    }
    check.append_hvc0 = check.named != 0 && all_foreign;
    return check;
}

bool append_hvc0(std::string_view cmdline, char* out, std::size_t size) {
    constexpr std::string_view kHvc = "console=hvc0";
    while (!cmdline.empty() && cmdline.back() == ' ') cmdline.remove_suffix(1);
    const std::size_t need = cmdline.size() + (cmdline.empty() ? 0 : 1) + kHvc.size() + 1;
    if (need > size) return false;
    std::memcpy(out, cmdline.data(), cmdline.size());
    std::size_t n = cmdline.size();
    if (n != 0) out[n++] = ' ';
    std::memcpy(out + n, kHvc.data(), kHvc.size());
    out[n + kHvc.size()] = '\0';
    return true;
}

}  // namespace xb::cmd
