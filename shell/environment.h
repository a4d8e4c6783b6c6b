// The environment: U-Boot-style variables (name=value strings) that commands
// read and set (`filesize` after a load, `bootargs` for booti, the standard
// *_addr_r variables, bootcmd/bootdelay). Names are 1-64 bytes without '=',
// blanks or control characters; values may be empty only transiently (setting
// an empty value deletes, as `setenv name` does in U-Boot).
// Storage: each variable is one heap allocation; the table is sorted by name
// so that printenv lists in order and lookups are binary searches.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/result.h"

namespace xb::cmd {

class Environment {
  public:
    static constexpr unsigned kMaxVars = 512;
    static constexpr std::size_t kMaxName = 64;
    static constexpr std::size_t kMaxValue = 4096;

    constexpr Environment() = default;
    ~Environment() { clear(); }
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    static bool valid_name(std::string_view name);

    // The value, or nullopt when unset. The view stays valid until the
    // variable is set again or deleted.
    std::optional<std::string_view> get(std::string_view name) const;
    // Sets (or, with an empty value, deletes) a variable. Errors: an invalid
    // name or an over-long value (invalid_argument), a full table or no heap
    // (no_memory); the old value is kept on error.
    Status set(std::string_view name, std::string_view value);
    // Sets the value as lower-case hex without 0x, as U-Boot sets filesize.
    Status set_hex(std::string_view name, std::uint64_t value);
    // Returns true if it existed.
    bool remove(std::string_view name);
    void clear();
    // Makes this a copy of other (for `env default -a`: the live environment
    // from the board's defaults). On error (no heap) some variables are set.
    Status copy_from(const Environment& other);

    // In name order.
    unsigned count() const { return count_; }
    std::string_view name(unsigned i) const;
    std::string_view value(unsigned i) const;

  private:
    // One allocation: "name\0value\0".
    struct Var {
        char* text;
        std::uint16_t name_len;
        std::uint16_t value_len;
    };
    // Index of the first var whose name is >= name.
    unsigned lower_bound(std::string_view name) const;

    Var vars_[kMaxVars] = {};
    unsigned count_ = 0;
};

}  // namespace xb::cmd
