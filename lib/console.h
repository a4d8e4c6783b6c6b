// A character console: what the shell and all messages talk to. The PV console
// frontend implements it in the firmware; tests use it with a simulated backend.
#pragma once

#include <cstdarg>
#include <string_view>

#include "lib/deadline.h"
#include "lib/format.h"
#include "lib/result.h"

namespace xb {

class Console : public Sink {
  public:
    virtual void write(std::string_view text) = 0;
    // Next input byte, or -1 when none is waiting.
    virtual int read_char() = 0;
    // Sleeps until input may be waiting or the deadline passes (may return early).
    virtual Status wait_input(Deadline until) = 0;
    // Waits (bounded) until the backend has taken all output.
    virtual void flush() = 0;

    void put(std::string_view text) final { write(text); }
    [[gnu::format(printf, 2, 3)]] void printf(const char* fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vformat(*this, fmt, ap);
        va_end(ap);
    }

  protected:
    ~Console() = default;
};

}  // namespace xb
