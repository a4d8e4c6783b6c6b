#include "shell/hush_expand.h"

#include "shell/hush_parser.h"

namespace xb::cmd::hush {
namespace {

class Builder {
  public:
    Builder(Fields& out) : out_(out) {}

    bool failed() const { return failed_; }
    Status error() const {
        if (too_many_) return Error::make(Errc::invalid_argument, "too many arguments (at most %d)", Fields::kMaxArgs);
        return Error::make(Errc::invalid_argument, "command too long (more than %zu bytes after expansion)",
                           Fields::kStorage);
    }

    void put(char c) {
        if (failed_) return;
        if (!open_) {
            if (out_.argc == Fields::kMaxArgs) {
                failed_ = too_many_ = true;
                return;
            }
            if (out_.used + 1 >= Fields::kStorage) {
                failed_ = true;
                return;
            }
            out_.argv[out_.argc++] = out_.storage + out_.used;
            open_ = true;
        }
        if (out_.used + 1 >= Fields::kStorage) {  // keep room for the NUL
            failed_ = true;
            return;
        }
        out_.storage[out_.used++] = c;
    }
    // Starts a field even if nothing goes in it ("" is one empty argument).
    void mark() {
        if (open_ || failed_) return;
        if (out_.argc == Fields::kMaxArgs) {
            failed_ = too_many_ = true;
            return;
        }
        if (out_.used + 1 >= Fields::kStorage) {
            failed_ = true;
            return;
        }
        out_.argv[out_.argc++] = out_.storage + out_.used;
        open_ = true;
    }
    void end_field() {
        if (!open_ || failed_) return;
        out_.storage[out_.used++] = '\0';  // room kept by put/mark
        out_.argv[out_.argc] = nullptr;
        open_ = false;
    }

  private:
    Fields& out_;
    bool open_ = false;
    bool failed_ = false;
    bool too_many_ = false;
};

bool is_ifs(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// At text[i] == '$': the variable's name and the index after the reference;
// an empty name and i+1 when '$' is just a character.
std::string_view var_ref(std::string_view text, std::size_t& i) {
    const std::size_t n = text.size();
    if (i + 1 < n && text[i + 1] == '{') {
        const std::size_t close = text.find('}', i + 2);
        if (close == std::string_view::npos) {  // the parser rejects this; be safe anyway
            i = n;
            return {};
        }
        std::string_view name = text.substr(i + 2, close - i - 2);
        i = close + 1;
        return name;
    }
    if (i + 1 < n && (text[i + 1] == '?' || (text[i + 1] >= '0' && text[i + 1] <= '9'))) {
        std::string_view name = text.substr(i + 1, 1);
        i += 2;
        return name;
    }
    std::size_t j = i + 1;
    if (j < n && name_start(text[j])) {
        while (j < n && name_char(text[j])) ++j;
        std::string_view name = text.substr(i + 1, j - i - 1);
        i = j;
        return name;
    }
    ++i;
    return {};
}

}  // namespace

Status expand(std::string_view word, const VarSource& vars, Fields& out, bool split) {
    Builder b(out);
    const std::size_t n = word.size();
    std::size_t i = 0;
    if (!split) b.mark();
    while (i < n && !b.failed()) {
        const char c = word[i];
        if (c == '\'') {
            b.mark();
            for (++i; i < n && word[i] != '\''; ++i) b.put(word[i]);
            ++i;
        } else if (c == '"') {
            b.mark();
            for (++i; i < n && word[i] != '"' && !b.failed();) {
                const char q = word[i];
                if (q == '\\' && i + 1 < n) {
                    const char e = word[i + 1];
                    if (e == '$' || e == '"' || e == '\\' || e == '`') b.put(e);
                    else if (e != '\n') {
                        b.put('\\');
                        b.put(e);
                    }
                    i += 2;
                } else if (q == '$') {
                    const std::size_t at = i;
                    std::string_view name = var_ref(word, i);
                    if (name.empty() && i == at + 1) {
                        b.put('$');
                        continue;
                    }
                    if (std::optional<std::string_view> v = vars.lookup(name)) {
                        for (char vc : *v) b.put(vc);
                    }
                } else {
                    b.put(q);
                    ++i;
                }
            }
            ++i;
        } else if (c == '\\') {
            if (i + 1 < n && word[i + 1] != '\n') b.put(word[i + 1]);
            i += 2;
        } else if (c == '$') {
            const std::size_t at = i;
            std::string_view name = var_ref(word, i);
            if (name.empty() && i == at + 1) {
                b.put('$');
                continue;
            }
            std::optional<std::string_view> v = vars.lookup(name);
            if (!v) continue;
            for (char vc : *v) {
                if (split && is_ifs(vc)) b.end_field();
                else b.put(vc);
            }
        } else {
            b.put(c);
            ++i;
        }
    }
    b.end_field();
    if (b.failed()) return b.error();
    return ok();
}

}  // namespace xb::cmd::hush
