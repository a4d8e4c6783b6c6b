// The command context's console input (U-Boot's ctrlc() and typeahead).
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

}  // namespace xb::cmd
