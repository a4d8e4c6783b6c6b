// The command context's console input (U-Boot's ctrlc() and typeahead) and the
// usage line every command prints on bad arguments.
#include <cstdarg>

#include "lib/format.h"
#include "shell/command.h"

namespace xb::cmd {

bool Context::ctrlc() {
    bool seen = false;
    // Bounded: a console that never runs dry still lets the caller go on.
    for (std::size_t n = 0; n < 4 * kTypeahead; ++n) {
        const int c = con.read_char();
        if (c < 0) break;
        if (c == 0x03) {
            seen = true;
            typeahead_pos_ = typeahead_len_ = 0;
            continue;
        }
        if (typeahead_pos_ == typeahead_len_) typeahead_pos_ = typeahead_len_ = 0;
        if (typeahead_len_ < kTypeahead) typeahead_[typeahead_len_++] = static_cast<char>(c);
    }
    if (seen) interrupted = true;
    return seen;
}

int Context::read_char() {
    if (typeahead_pos_ != typeahead_len_) return static_cast<unsigned char>(typeahead_[typeahead_pos_++]);
    typeahead_pos_ = typeahead_len_ = 0;
    return con.read_char();
}

int usage_error(Context& ctx, const Command& cmd, const char* fmt, ...) {
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx.con.printf("%s: %s (usage: %s%s%s)\n", cmd.name, msg, cmd.name, cmd.usage[0] != '\0' ? " " : "", cmd.usage);
    return 1;
}

}  // namespace xb::cmd
