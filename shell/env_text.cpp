#include "shell/env_text.h"

#include <cstring>
#include <new>

#include "lib/crc32.h"
#include "lib/scope_guard.h"
#include "shell/environment.h"

namespace xb::cmd {
namespace {

// The bytes of the input, with "\r\n" read as one '\n' when asked (-r).
class Reader {
  public:
    Reader(std::span<const char> data, bool fold_crlf) : data_(data), fold_(fold_crlf) {}
    bool done() const { return pos_ >= data_.size(); }
    char peek() const { return crlf() ? '\n' : data_[pos_]; }
    void advance() { pos_ += crlf() ? 2u : 1u; }
    // True when a byte other than NUL follows the current one (U-Boot's
    // "\\ then anything but the end" escape rule).
    bool escapable() const {
        const std::size_t next = pos_ + 1;
        return next < data_.size() && data_[next] != '\0';
    }
    std::size_t pos() const { return pos_; }
    std::string_view slice(std::size_t from) const { return {data_.data() + from, pos_ - from}; }

  private:
    bool crlf() const { return fold_ && data_[pos_] == '\r' && pos_ + 1 < data_.size() && data_[pos_ + 1] == '\n'; }

    std::span<const char> data_;
    bool fold_;
    std::size_t pos_ = 0;
};

bool blank(char c) { return c == ' ' || c == '\t'; }

Error bad_name(unsigned line, std::string_view name) {
    if (name.empty()) return Error::make(Errc::bad_data, "line %u: an entry without a name", line);
    const int shown = static_cast<int>(name.size() > Environment::kMaxName ? Environment::kMaxName : name.size());
    return Error::make(Errc::bad_data, "line %u: invalid variable name '%.*s%s'", line, shown, name.data(),
                       name.size() > Environment::kMaxName ? "..." : "");
}

}  // namespace

Status parse_env_import(std::span<const char> data, const EnvImportOptions& opt, EnvImportSink& sink) {
    char* value = new (std::nothrow) char[Environment::kMaxValue];
    if (value == nullptr) return Error::make(Errc::no_memory, "no memory for a value");
    ScopeGuard free_value([value] { delete[] value; });
    const char sep = opt.sep;
    Reader r(data, opt.crlf_is_lf && sep == '\n');
    unsigned line = 1;
    // Consumes the separator that ends an entry, if there is one.
    auto end_entry = [&] {
        if (!r.done() && r.peek() == sep) {
            r.advance();
            ++line;
        }
    };
    while (!r.done() && r.peek() != '\0') {
        while (!r.done() && blank(r.peek())) r.advance();
        if (r.done()) break;
        const char first = r.peek();
        if (first == '\0') break;
        if (first == sep) {  // a blank line
            end_entry();
            continue;
        }
        if (first == '#') {
            while (!r.done() && r.peek() != sep && r.peek() != '\0') r.advance();
            end_entry();
            continue;
        }
        const unsigned entry_line = line;
        const std::size_t name_start = r.pos();
        while (!r.done() && r.peek() != '=' && r.peek() != sep && r.peek() != '\0') r.advance();
        const std::string_view name = r.slice(name_start);
        if (!Environment::valid_name(name)) return bad_name(entry_line, name);
        bool has_value = false;
        if (!r.done() && r.peek() == '=') {
            r.advance();
            has_value = !r.done() && r.peek() != sep && r.peek() != '\0';
        }
        std::size_t len = 0;
        while (has_value && !r.done() && r.peek() != sep && r.peek() != '\0') {
            if (r.peek() == '\\' && r.escapable()) r.advance();
            const char c = r.peek();
            if (c == '\n') ++line;
            if (len == Environment::kMaxValue) {
                return Error::make(Errc::bad_data, "line %u: value of '%.*s' too long (at most %zu bytes)", entry_line,
                                   static_cast<int>(name.size()), name.data(), Environment::kMaxValue);
            }
            value[len++] = c;
            r.advance();
        }
        end_entry();
        TRY(sink.entry(name, std::string_view(value, len), entry_line));
    }
    return ok();
}

Result<std::span<const char>> env_checksum_payload(std::span<const char> block) {
    if (block.size() < 4) return Error::make(Errc::bad_data, "%zu bytes: too short for a CRC-32", block.size());
    const auto* b = reinterpret_cast<const std::uint8_t*>(block.data());
    const std::uint32_t stored =
        std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
    std::span<const char> payload = block.subspan(4);
    const std::uint32_t computed = crc32(0, payload.data(), payload.size());
    if (stored != computed) {
        return Error::make(Errc::bad_data, "bad CRC (stored 0x%08x, computed 0x%08x over 0x%zx bytes)", stored,
                           computed, payload.size());
    }
    return payload;
}

Result<std::size_t> export_env(const Environment& env, std::span<const char* const> names, char sep,
                               std::span<char> out) {
    std::size_t len = 0;
    auto put = [&](char c) {
        if (!out.empty() && len < out.size()) out[len] = c;
        ++len;
    };
    for (unsigned i = 0; i < env.count(); ++i) {
        const std::string_view name = env.name(i);
        bool wanted = names.empty();
        for (const char* n : names) wanted |= name == n;
        if (!wanted) continue;
        for (char c : name) put(c);
        put('=');
        for (char c : env.value(i)) {
            if (c == '\\' || (c == sep && sep != '\0')) put('\\');
            put(c);
        }
        put(sep);
    }
    put('\0');
    if (!out.empty() && len > out.size()) {
        return Error::make(Errc::no_space, "the export needs 0x%zx bytes, the buffer holds 0x%zx", len, out.size());
    }
    return len;
}

}  // namespace xb::cmd
