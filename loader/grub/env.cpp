#include "loader/grub/env.h"

#include <cstring>

namespace xb::loader::grub {

namespace {
constexpr char kExported = 'x';
constexpr char kLocal = '-';

std::size_t cstr_len(const char* p, std::size_t max) {
    std::size_t n = 0;
    while (n < max && p[n] != '\0') ++n;
    return n;
}
}  // namespace

bool valid_var_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::size_t Env::record_size(std::size_t off) const {
    const std::size_t name_len = cstr_len(buf_ + off + 1, used_ - off - 1);
    const std::size_t value_off = off + 1 + name_len + 1;
    const std::size_t value_len = cstr_len(buf_ + value_off, used_ - value_off);
    return 1 + name_len + 1 + value_len + 1;
}

std::size_t Env::find(std::string_view name) const {
    std::size_t off = 0;
    while (off < used_) {
        const char* n = buf_ + off + 1;
        const std::size_t len = cstr_len(n, used_ - off - 1);
        if (std::string_view(n, len) == name) return off;
        off += record_size(off);
    }
    return kCapacity;
}

std::optional<std::string_view> Env::get(std::string_view name) const {
    const std::size_t off = find(name);
    if (off == kCapacity) return std::nullopt;
    const std::size_t value_off = off + 1 + name.size() + 1;
    return std::string_view(buf_ + value_off, cstr_len(buf_ + value_off, used_ - value_off));
}

void Env::erase_at(std::size_t off) {
    const std::size_t size = record_size(off);
    std::memmove(buf_ + off, buf_ + off + size, used_ - off - size);
    used_ -= size;
}

Status Env::set(std::string_view name, std::string_view value) {
    if (name.empty() || name.size() > kMaxName || name.find('\0') != std::string_view::npos)
        return Error::make(Errc::invalid_argument, "bad variable name '%.*s'",
                           static_cast<int>(name.size() > 64 ? 64 : name.size()), name.data());
    if (value.size() > kMaxValue)
        return Error::make(Errc::no_space, "value of %.*s too long (%zu bytes, at most %zu)",
                           static_cast<int>(name.size()), name.data(), value.size(), kMaxValue);
    // A NUL cannot come from the lexer (it ends the text); cut defensively.
    const std::size_t nul = value.find('\0');
    if (nul != std::string_view::npos) value = value.substr(0, nul);
    char flag = kLocal;
    const std::size_t off = find(name);
    if (off != kCapacity) {
        flag = buf_[off];
        erase_at(off);
    }
    const std::size_t need = 1 + name.size() + 1 + value.size() + 1;
    if (need > kCapacity - used_)
        return Error::make(Errc::no_space, "no room for variable %.*s (%zu bytes of variables)",
                           static_cast<int>(name.size()), name.data(), kCapacity);
    char* p = buf_ + used_;
    *p++ = flag;
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = '\0';
    std::memcpy(p, value.data(), value.size());
    p += value.size();
    *p = '\0';
    used_ += need;
    return ok();
}

void Env::unset(std::string_view name) {
    const std::size_t off = find(name);
    if (off != kCapacity) erase_at(off);
}

Status Env::mark_exported(std::string_view name) {
    if (find(name) == kCapacity) TRY(set(name, ""));
    buf_[find(name)] = kExported;
    return ok();
}

bool Env::exported(std::string_view name) const {
    const std::size_t off = find(name);
    return off != kCapacity && buf_[off] == kExported;
}

void Env::keep_exported_only() {
    std::size_t off = 0;
    while (off < used_) {
        if (buf_[off] != kExported) erase_at(off);
        else off += record_size(off);
    }
}

}  // namespace xb::loader::grub
