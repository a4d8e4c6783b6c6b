#include "shell/environment.h"

#include <cstring>
#include <new>

#include "lib/format.h"

namespace xb::cmd {

bool Environment::valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxName) return false;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '=' || u <= ' ' || u == 0x7f) return false;
    }
    return true;
}

unsigned Environment::lower_bound(std::string_view name) const {
    unsigned lo = 0, hi = count_;
    while (lo < hi) {
        const unsigned mid = lo + (hi - lo) / 2;
        if (std::string_view(vars_[mid].text, vars_[mid].name_len) < name) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

std::optional<std::string_view> Environment::get(std::string_view name) const {
    const unsigned i = lower_bound(name);
    if (i < count_ && std::string_view(vars_[i].text, vars_[i].name_len) == name) return value(i);
    return std::nullopt;
}

Status Environment::set(std::string_view name, std::string_view value) {
    if (!valid_name(name)) {
        return Error::make(Errc::invalid_argument, "invalid variable name '%.*s'",
                           static_cast<int>(name.size() > kMaxName ? kMaxName : name.size()), name.data());
    }
    if (value.empty()) {
        remove(name);
        return ok();
    }
    if (value.size() > kMaxValue) {
        return Error::make(Errc::invalid_argument, "value of '%.*s' too long (%zu bytes, at most %zu)",
                           static_cast<int>(name.size()), name.data(), value.size(), kMaxValue);
    }
    const unsigned i = lower_bound(name);
    const bool exists = i < count_ && std::string_view(vars_[i].text, vars_[i].name_len) == name;
    if (!exists && count_ == kMaxVars) {
        return Error::make(Errc::no_memory, "environment full (%u variables)", kMaxVars);
    }
    char* text = new (std::nothrow) char[name.size() + value.size() + 2];
    if (text == nullptr)
        return Error::make(Errc::no_memory, "no memory for variable '%.*s'", static_cast<int>(name.size()),
                           name.data());
    memcpy(text, name.data(), name.size());
    text[name.size()] = '\0';
    memcpy(text + name.size() + 1, value.data(), value.size());
    text[name.size() + 1 + value.size()] = '\0';
    if (exists) {
        delete[] vars_[i].text;
    } else {
        memmove(&vars_[i + 1], &vars_[i], (count_ - i) * sizeof(Var));
        ++count_;
    }
    vars_[i] = Var{text, static_cast<std::uint16_t>(name.size()), static_cast<std::uint16_t>(value.size())};
    return ok();
}

Status Environment::set_hex(std::string_view name, std::uint64_t value) {
    char buf[20];
    format_to(buf, sizeof buf, "%lx", value);
    return set(name, buf);
}

bool Environment::remove(std::string_view name) {
    const unsigned i = lower_bound(name);
    if (i >= count_ || std::string_view(vars_[i].text, vars_[i].name_len) != name) return false;
    delete[] vars_[i].text;
    memmove(&vars_[i], &vars_[i + 1], (count_ - i - 1) * sizeof(Var));
    --count_;
    return true;
}

void Environment::clear() {
    for (unsigned i = 0; i < count_; ++i) delete[] vars_[i].text;
    count_ = 0;
}

Status Environment::copy_from(const Environment& other) {
    if (&other == this) return ok();
    clear();
    for (unsigned i = 0; i < other.count(); ++i) TRY(set(other.name(i), other.value(i)));
    return ok();
}

std::string_view Environment::name(unsigned i) const { return {vars_[i].text, vars_[i].name_len}; }
std::string_view Environment::value(unsigned i) const {
    return {vars_[i].text + vars_[i].name_len + 1, vars_[i].value_len};
}

}  // namespace xb::cmd
