#include "loader/grubenv.h"

#include <cstring>
#include <new>

// The reference is GRUB's grub-core/lib/envblk.c (grub_envblk_open,
// grub_envblk_iterate, grub_envblk_set) and include/grub/lib/envblk.h;
// loader/README.md says what is refused here and why.

namespace xb::loader {
namespace {

constexpr std::string_view kSignature = "# GRUB Environment Block\n";

// Values of this size or less are unescaped on the stack; longer ones (only
// possible in a block larger than grub-editenv's 1024 bytes) on the heap.
constexpr std::size_t kStackValue = 1024;

Status broken(unsigned line, const char* what) {
    return Error::make(Errc::bad_data, "grubenv line %u: %s", line, what);
}

}  // namespace

Status parse_grubenv(std::span<const std::uint8_t> block,
                     bool (*visit)(void* ctx, std::string_view key, std::string_view value), void* ctx) {
    if (block.size() > kMaxGrubenvSize) {
        return Error::make(Errc::bad_data, "grubenv of %zu bytes: larger than %zu", block.size(), kMaxGrubenvSize);
    }
    const std::string_view all(reinterpret_cast<const char*>(block.data()), block.size());
    if (all.substr(0, kSignature.size()) != kSignature) {
        return Error::make(Errc::bad_data, "not a GRUB environment block (no '# GRUB Environment Block' line)");
    }
    if (all.find('\0') != std::string_view::npos) {
        return Error::make(Errc::bad_data, "grubenv: NUL byte at offset %zu", all.find('\0'));
    }

    std::size_t p = kSignature.size();
    unsigned line = 1;
    char stack_value[kStackValue];
    // Each pass consumes one line (at least its '\n'): bounded by the size.
    while (p < all.size()) {
        ++line;
        // Lines starting with '#' are skipped (the padding is one such line,
        // running to the end of the block without a newline).
        if (all[p] == '#') {
            bool newline = false;
            while (p < all.size()) {
                if (all[p] == '\\') {
                    p += 2;
                } else if (all[p++] == '\n') {
                    newline = true;
                    break;
                }
            }
            if (!newline) break;
            continue;
        }
        // The name runs to the first '='. GRUB would read on across line
        // ends looking for it; a line without one is refused instead.
        const std::size_t eq = all.find('=', p);
        const std::size_t nl = all.find('\n', p);
        if (eq == std::string_view::npos || (nl != std::string_view::npos && nl < eq)) {
            return broken(line, p == nl ? "empty line" : "no '=' in the line");
        }
        const std::string_view key = all.substr(p, eq - p);
        if (key.empty()) return broken(line, "empty name");

        // The value runs to the first '\n' not escaped by '\\'; grub-editenv
        // writes '\\' and '\n' in a value as '\\' followed by that byte.
        std::size_t v = eq + 1;
        std::size_t raw = 0;
        bool escaped = false;
        while (true) {
            if (v + raw >= all.size()) return broken(line, "value without an ending newline");
            const char c = all[v + raw];
            if (c == '\n') break;
            if (c == '\\') {
                if (v + raw + 1 >= all.size()) return broken(line, "'\\' at the end of the block");
                escaped = true;
                raw += 2;
            } else {
                ++raw;
            }
        }
        const std::string_view value_raw = all.substr(v, raw);
        p = v + raw + 1;

        bool keep_going;
        if (!escaped) {
            keep_going = visit(ctx, key, value_raw);
        } else {
            char* buf = stack_value;
            char* heap = nullptr;
            if (raw > sizeof stack_value) {
                heap = new (std::nothrow) char[raw];
                if (heap == nullptr)
                    return Error::make(Errc::no_memory, "grubenv line %u: value of %zu bytes", line, raw);
                buf = heap;
            }
            std::size_t n = 0;
            for (std::size_t k = 0; k < value_raw.size(); ++k) {
                if (value_raw[k] == '\\') ++k;  // in range: the scan above saw its pair
                buf[n++] = value_raw[k];
            }
            keep_going = visit(ctx, key, std::string_view(buf, n));
            delete[] heap;
        }
        if (!keep_going) break;
    }
    return ok();
}

}  // namespace xb::loader
