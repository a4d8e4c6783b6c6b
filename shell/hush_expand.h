// Word expansion, when a command runs: quotes removed, backslashes applied,
// $name / ${name} / $? replaced by their values. As in sh, the value of an
// unquoted variable is split into several words at blanks (so
// `for t in ${boot_targets}` loops over each target, as U-Boot's distro boot
// scripts expect); inside "..." it stays one word; inside '...' nothing expands.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "lib/result.h"

namespace xb::cmd::hush {

// Where $name values come from (the interpreter: $?, local, then environment).
class VarSource {
  public:
    virtual std::optional<std::string_view> lookup(std::string_view name) const = 0;

  protected:
    ~VarSource() = default;
};

// The words of one command after expansion, as C strings. Big: allocate it on
// the heap (the firmware stack is 64 KiB).
struct Fields {
    static constexpr int kMaxArgs = 64;                 // U-Boot's usual CONFIG_SYS_MAXARGS
    static constexpr std::size_t kStorage = 10 * 1024;  // room for a 4 KiB value twice, and more

    char storage[kStorage];
    char* argv[kMaxArgs + 1] = {};
    int argc = 0;
    std::size_t used = 0;

    void clear() {
        argc = 0;
        used = 0;
        argv[0] = nullptr;
    }
};

// Expands one word as written and appends the resulting fields to out. With
// split=false the result is exactly one field (for NAME=value and the like).
// Errors: too many fields or too much text.
Status expand(std::string_view word, const VarSource& vars, Fields& out, bool split = true);

}  // namespace xb::cmd::hush
