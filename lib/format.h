// Formatted output without libc: a small printf used by the console, the shell
// and error messages. Supports %d %i %u %x %X %p %s %c %%, the length modifiers
// hh h l ll z j t, flags '-', '0', '#', and width/precision (also '*').
// Output goes to a Sink in chunks, so callers can batch it (the PV console
// notifies the backend once per chunk, not once per character).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace xb {

// Print std::uint64_t with %lx/%lu (and std::int64_t with %ld), no casts.
// Both targets (aarch64 firmware, x86-64 host) are LP64, where these are
// unsigned long and long, so -Wformat checks the argument as it is. A cast to
// unsigned long long would make any integer fit %llx and hide a wrong type.
static_assert(std::is_same_v<std::uint64_t, unsigned long>,
              "print std::uint64_t with %l[xud], no casts: this needs an LP64 target");

class Sink {
  public:
    virtual void put(std::string_view text) = 0;

  protected:
    ~Sink() = default;
};

void vformat(Sink& sink, const char* fmt, va_list ap);
[[gnu::format(printf, 2, 3)]] void format(Sink& sink, const char* fmt, ...);

// snprintf equivalents: always NUL-terminate (when size > 0); return the
// length the full output would have had.
std::size_t vformat_to(char* buf, std::size_t size, const char* fmt, va_list ap);
[[gnu::format(printf, 3, 4)]] std::size_t format_to(char* buf, std::size_t size, const char* fmt, ...);

}  // namespace xb
