#include "loader/bls.h"

#include <cstring>

// The reference is rhboot/grub2 grub-core/commands/blscfg.c (read_entry,
// bls_get_val, bls_make_list, vercmp, split_package_string, bls_cmp) and
// grub-core/lib/getline.c; loader/README.md lists every rule with its reason.

namespace xb::loader {
namespace {

constexpr std::size_t kMaxErrorName = 64;  // bytes of the file name shown in messages

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

int shown(std::string_view s) { return static_cast<int>(s.size() > kMaxErrorName ? kMaxErrorName : s.size()); }

// What the parser keeps while it reads one entry: which single-valued keys
// were seen (the first occurrence wins, as bls_get_val returns the first).
struct Seen {
    bool title, version, linux_, options, devicetree, grub_class, grub_users;
};

struct Ctx {
    std::string_view file;
    unsigned line;
};

template <std::size_t N>
Status store(char (&field)[N], std::string_view value, const char* what, const Ctx& ctx) {
    if (value.size() >= N) {
        return Error::make(Errc::bad_data, "%.*s line %u: %s longer than %zu bytes", shown(ctx.file), ctx.file.data(),
                           ctx.line, what, N - 1);
    }
    std::memcpy(field, value.data(), value.size());
    field[value.size()] = '\0';
    return ok();
}

// Appends `value` to the space-separated list in `field` (grub_arg: each
// line is one more argument of the menu entry).
template <std::size_t N>
Status append_word(char (&field)[N], std::string_view value, const char* what, const Ctx& ctx) {
    const std::size_t used = std::strlen(field);
    const std::size_t sep = used == 0 ? 0 : 1;
    if (used + sep + value.size() >= N) {
        return Error::make(Errc::bad_data, "%.*s line %u: %s longer than %zu bytes in all", shown(ctx.file),
                           ctx.file.data(), ctx.line, what, N - 1);
    }
    if (sep != 0) field[used] = ' ';
    std::memcpy(field + used + sep, value.data(), value.size());
    field[used + sep + value.size()] = '\0';
    return ok();
}

// blscfg writes `initrd ($root)<value>` for each initrd line, so a line
// holding several blank-separated paths gives GRUB's initrd command several
// files (each an absolute path on $root): each one is an initrd here.
Status add_initrds(BlsEntry& out, std::string_view value, const Ctx& ctx) {
    while (!value.empty()) {
        std::size_t n = 0;
        while (n < value.size() && !is_blank(value[n])) ++n;
        if (out.initrd_count == sizeof out.initrd / sizeof out.initrd[0]) {
            return Error::make(Errc::bad_data, "%.*s line %u: more than %zu initrds", shown(ctx.file), ctx.file.data(),
                               ctx.line, sizeof out.initrd / sizeof out.initrd[0]);
        }
        TRY(store(out.initrd[out.initrd_count], value.substr(0, n), "initrd path", ctx));
        ++out.initrd_count;
        value.remove_prefix(n);
        while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
    }
    return ok();
}

Status apply(BlsEntry& out, Seen& seen, std::string_view key, std::string_view value, const Ctx& ctx) {
    if (key == "title") {
        if (seen.title) return ok();
        seen.title = true;
        return store(out.title, value, "title", ctx);
    }
    if (key == "version") {
        if (seen.version) return ok();
        seen.version = true;
        return store(out.version, value, "version", ctx);
    }
    if (key == "linux") {
        if (seen.linux_) return ok();
        seen.linux_ = true;
        return store(out.linux, value, "linux path", ctx);
    }
    if (key == "initrd") return add_initrds(out, value, ctx);
    if (key == "options") {
        if (seen.options) return ok();
        seen.options = true;
        out.has_options = true;
        return store(out.options, value, "options", ctx);
    }
    if (key == "devicetree") {
        if (seen.devicetree) return ok();
        seen.devicetree = true;
        return store(out.devicetree, value, "devicetree path", ctx);
    }
    if (key == "grub_class") {
        if (seen.grub_class) return ok();
        seen.grub_class = true;
        return store(out.grub_class, value, "grub_class", ctx);
    }
    if (key == "grub_users") {
        if (seen.grub_users) return ok();
        seen.grub_users = true;
        return store(out.grub_users, value, "grub_users", ctx);
    }
    if (key == "grub_arg") return append_word(out.grub_arg, value, "grub_arg", ctx);
    return ok();  // grub_hotkey, machine-id, sort-key, architecture, ...: not used here
}

// The file name without its directory and without ".conf" (read_entry
// strips the suffix to make the entry's id).
std::string_view entry_id(std::string_view file_name) {
    const std::size_t slash = file_name.rfind('/');
    if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
    constexpr std::string_view kSuffix = ".conf";
    if (file_name.size() >= kSuffix.size() && file_name.substr(file_name.size() - kSuffix.size()) == kSuffix) {
        file_name.remove_suffix(kSuffix.size());
    }
    return file_name;
}

// strcmp of two segments that are not NUL-terminated.
int compare_bytes(std::string_view a, std::string_view b) {
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    if (a.size() == b.size()) return 0;
    return a.size() < b.size() ? -1 : 1;
}

// split_package_string with a name: "name-version-release" split at the
// last two '-'; with one '-' the part after it is the version; with none,
// all of it is the name.
struct Nvr {
    std::string_view name, version, release;
};

Nvr split_nvr(std::string_view s) {
    Nvr nvr{};
    const std::size_t last = s.rfind('-');
    if (last == std::string_view::npos) {
        nvr.name = s;
        return nvr;
    }
    const std::string_view head = s.substr(0, last);
    const std::string_view tail = s.substr(last + 1);
    const std::size_t prev = head.rfind('-');
    if (prev == std::string_view::npos) {
        nvr.name = head;
        nvr.version = tail;
        return nvr;
    }
    nvr.name = head.substr(0, prev);
    nvr.version = head.substr(prev + 1);
    nvr.release = tail;
    return nvr;
}

}  // namespace

Status parse_bls_entry(std::string_view text, std::string_view file_name, BlsEntry& out) {
    std::memset(&out, 0, sizeof out);
    Seen seen{};
    Ctx ctx{file_name, 0};

    const std::string_view id = entry_id(file_name);
    if (id.empty()) return Error::make(Errc::bad_data, "BLS entry without a file name");
    if (id.find('\0') != std::string_view::npos)
        return Error::make(Errc::bad_data, "BLS entry file name with a NUL byte");
    TRY(store(out.id, id, "file name", ctx));

    while (!text.empty()) {
        ++ctx.line;
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

        if (line.find('\0') != std::string_view::npos) {
            return Error::make(Errc::bad_data, "%.*s line %u: NUL byte (not a text file)", shown(file_name),
                               file_name.data(), ctx.line);
        }
        // grub_file_getline drops every carriage return of the line.
        while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find('\r') != std::string_view::npos) {
            return Error::make(Errc::bad_data, "%.*s line %u: carriage return inside the line", shown(file_name),
                               file_name.data(), ctx.line);
        }
        while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
        if (!line.empty() && line.front() == '#') continue;

        // read_entry splits at the first space, or at the first tab when the
        // line has no space; a line without a value after it (a blank line
        // included) ends the entry: GRUB reads nothing after it.
        std::size_t sep = line.find(' ');
        if (sep == std::string_view::npos) sep = line.find('\t');
        if (sep == std::string_view::npos || sep + 1 == line.size()) break;
        const std::string_view key = line.substr(0, sep);
        std::string_view value = line.substr(sep + 1);
        while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
        // GRUB keeps trailing blanks but parses the value again as script
        // words (the menu entry's `linux`/`initrd` lines), which drops them.
        while (!value.empty() && is_blank(value.back())) value.remove_suffix(1);
        TRY(apply(out, seen, key, value, ctx));
    }
    if (!seen.linux_) {
        return Error::make(Errc::not_found, "%.*s: no 'linux' line (GRUB skips such an entry)", shown(file_name),
                           file_name.data());
    }
    return ok();
}

int rpm_vercmp(std::string_view a, std::string_view b) {
    if (a == b) return 0;
    std::size_t i = 0, j = 0;
    const auto at = [](std::string_view s, std::size_t k) { return k < s.size() ? s[k] : '\0'; };
    // Every iteration consumes at least one byte of a or b: bounded by their sizes.
    while (i < a.size() || j < b.size()) {
        while (i < a.size() && !is_alnum(a[i]) && a[i] != '~' && a[i] != '+') ++i;
        while (j < b.size() && !is_alnum(b[j]) && b[j] != '~' && b[j] != '+') ++j;
        const char x = at(a, i), y = at(b, j);

        // '~' sorts before everything, even the end of the string.
        if (x == '~' || y == '~') {
            if (x != '~') return 1;
            if (y != '~') return -1;
            ++i, ++j;
            continue;
        }
        // '+' (rhboot's addition) sorts after the end of the string, before
        // anything else.
        if (x == '+' || y == '+') {
            if (x == '\0') return -1;
            if (y == '\0') return 1;
            if (x != '+') return 1;
            if (y != '+') return -1;
            ++i, ++j;
            continue;
        }
        if (x == '\0' || y == '\0') break;

        // One segment: all digits or all letters, as a's segment is.
        const bool numeric = is_digit(x);
        std::size_t ei = i, ej = j;
        if (numeric) {
            while (ei < a.size() && is_digit(a[ei])) ++ei;
            while (ej < b.size() && is_digit(b[ej])) ++ej;
        } else {
            while (ei < a.size() && is_alpha(a[ei])) ++ei;
            while (ej < b.size() && is_alpha(b[ej])) ++ej;
        }
        // b has a segment of the other kind there: numbers are newer than letters.
        if (ej == j) return numeric ? 1 : -1;

        std::string_view sa = a.substr(i, ei - i), sb = b.substr(j, ej - j);
        if (numeric) {
            while (!sa.empty() && sa.front() == '0') sa.remove_prefix(1);
            while (!sb.empty() && sb.front() == '0') sb.remove_prefix(1);
            if (sa.size() != sb.size()) return sa.size() > sb.size() ? 1 : -1;
        }
        const int rc = compare_bytes(sa, sb);
        if (rc != 0) return rc;
        i = ei;
        j = ej;
    }
    const bool a_done = i >= a.size(), b_done = j >= b.size();
    if (a_done && b_done) return 0;
    return a_done ? -1 : 1;
}

bool bls_before(const BlsEntry& a, const BlsEntry& b) {
    // bls_cmp: only the ids (file names) are compared, as name-version-release;
    // the `version` key is not used. bls_add_entry keeps the list newest first.
    const Nvr x = split_nvr(std::string_view(a.id, strnlen(a.id, sizeof a.id)));
    const Nvr y = split_nvr(std::string_view(b.id, strnlen(b.id, sizeof b.id)));
    int r = rpm_vercmp(x.name, y.name);
    if (r == 0) r = rpm_vercmp(x.version, y.version);
    if (r == 0) r = rpm_vercmp(x.release, y.release);
    return r > 0;
}

}  // namespace xb::loader
