// GRUB's variables (grub-core/kern/env.c): name -> value, with an "exported"
// mark that decides what a new context (configfile, a submenu) inherits.
// Fixed capacity, packed: each variable is "<flag><name>\0<value>\0" in one
// buffer, so a context is saved by copying the object.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "lib/result.h"

namespace xb::loader::grub {

class Env {
  public:
    static constexpr std::size_t kCapacity = 32 * 1024;  // all names and values together
    static constexpr std::size_t kMaxName = 63;
    static constexpr std::size_t kMaxValue = 4095;

    std::optional<std::string_view> get(std::string_view name) const;
    // Errc::no_space when the name, the value or the whole store is too big.
    Status set(std::string_view name, std::string_view value);
    void unset(std::string_view name);
    // GRUB's export creates the variable (empty) when it does not exist.
    Status mark_exported(std::string_view name);
    bool exported(std::string_view name) const;
    // A new context: only exported variables remain (grub_env_context_open).
    void keep_exported_only();
    void clear() { used_ = 0; }
    std::size_t used() const { return used_; }

  private:
    // Offset of the record of name, or kCapacity.
    std::size_t find(std::string_view name) const;
    void erase_at(std::size_t off);
    std::size_t record_size(std::size_t off) const;

    char buf_[kCapacity];
    std::size_t used_ = 0;
};

// GRUB variable names: letters, digits, '_' (and the specials ?, #, digits).
bool valid_var_name(std::string_view name);

}  // namespace xb::loader::grub
