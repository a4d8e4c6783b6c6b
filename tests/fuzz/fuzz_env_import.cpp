// Fuzzes `env import`'s parser (shell/env_text.h) on any bytes: each entry it
// reports has a valid name and a bounded value, and applying them to an
// Environment and exporting that again never goes out of bounds. The first
// byte picks the form: bit 0 binary ('\0'-separated) instead of text, bit 1
// CRLF as LF (-r), bit 2 a checksum-protected block (-c).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "shell/env_text.h"
#include "shell/environment.h"

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct Apply : xb::cmd::EnvImportSink {
    xb::cmd::Environment& env;
    explicit Apply(xb::cmd::Environment& e) : env(e) {}
    xb::Status entry(std::string_view name, std::string_view value, unsigned line) override {
        check(xb::cmd::Environment::valid_name(name));
        check(value.size() <= xb::cmd::Environment::kMaxValue);
        check(line >= 1);
        if (value.empty()) {
            env.remove(name);
            return xb::ok();
        }
        return env.set(name, value);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    std::vector<char> bytes(data + 1, data + size);  // exact size: reads past it are caught
    std::span<const char> in(bytes.data(), bytes.size());
    xb::cmd::EnvImportOptions opt;
    opt.sep = (mode & 1) != 0 ? '\0' : '\n';
    opt.crlf_is_lf = (mode & 2) != 0;
    if ((mode & 4) != 0) {
        xb::Result<std::span<const char>> payload = xb::cmd::env_checksum_payload(in);
        if (!payload.ok()) return 0;
        in = payload.value();
    }
    xb::cmd::Environment env;
    Apply sink(env);
    (void)xb::cmd::parse_env_import(in, opt, sink);
    // What was imported exports and imports again to the same variables.
    xb::Result<std::size_t> need = xb::cmd::export_env(env, {}, opt.sep, {});
    check(need.ok());
    std::vector<char> out(need.value());
    check(xb::cmd::export_env(env, {}, opt.sep, out).ok());
    xb::cmd::Environment again;
    Apply sink2(again);
    xb::cmd::EnvImportOptions plain;
    plain.sep = opt.sep;
    check(xb::cmd::parse_env_import(out, plain, sink2).ok());
    check(again.count() == env.count());
    for (unsigned i = 0; i < env.count(); ++i) {
        check(again.name(i) == env.name(i) && again.value(i) == env.value(i));
    }
    return 0;
}
