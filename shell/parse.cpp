#include "shell/parse.h"

#include <cstring>

#include "shell/environment.h"

namespace xb::cmd {
namespace {

Result<std::uint64_t> parse(const char* text, unsigned base, const char* what) {
    const char* p = text;
    if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
    if (*p == '\0')
        return Error::make(Errc::invalid_argument, "invalid %s '%s' (%s expected)", what, text,
                           base == 16 ? "hex" : "decimal");
    std::uint64_t value = 0;
    for (; *p != '\0'; ++p) {
        unsigned digit;
        if (*p >= '0' && *p <= '9') digit = static_cast<unsigned>(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f') digit = static_cast<unsigned>(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F') digit = static_cast<unsigned>(*p - 'A' + 10);
        else
            return Error::make(Errc::invalid_argument, "invalid %s '%s' (%s expected)", what, text,
                               base == 16 ? "hex" : "decimal");
        if (value > (UINT64_MAX - digit) / base)
            return Error::make(Errc::invalid_argument, "%s '%s' is too large", what, text);
        value = value * base + digit;
    }
    return value;
}

}  // namespace

Result<std::uint64_t> parse_hex(const char* text, const char* what) { return parse(text, 16, what); }
Result<std::uint64_t> parse_dec(const char* text, const char* what) { return parse(text, 10, what); }

Result<std::uint64_t> env_hex(const Environment* env, const char* name) {
    std::optional<std::string_view> v = env != nullptr ? env->get(name) : std::nullopt;
    if (!v) return Error::make(Errc::not_found, "$%s is not set", name);
    char buf[24];
    if (v->size() >= sizeof buf) return Error::make(Errc::invalid_argument, "$%s is not a hex number", name);
    memcpy(buf, v->data(), v->size());
    buf[v->size()] = '\0';
    return parse_hex(buf, name);
}

}  // namespace xb::cmd
