// xenstore: read, write or list XenStore nodes. U-Boot has no such command;
// the syntax follows xenstore-read/-write/-ls from Xen's tools. Relative paths
// are XenStore's own (relative to /local/domain/<domid>) and passed through.
#include <cstring>

#include "commands/builtins.h"
#include "drivers/xen/xenstore.h"

namespace xb::cmd {
namespace {

// Static, not on the stack: a value or a listing may take 4 KiB each, and
// the shell runs one command at a time.
char g_value[xen::kXenstorePayloadMax + 1];
char g_names[xen::kXenstorePayloadMax + 1];
char g_child[xen::XenStore::kMaxPath];

// The XenStore client's errors already name the operation and the path
// ("xenstore read name: ENOENT", as xenstore-read words it); shown as they are,
// not under a second "xenstore: ".
Status as_reported(Context& ctx, const Status& s) {
    if (s.ok()) return s;
    ctx.con.printf("%s\n", s.error().message());
    return quiet_failure();
}

// Prints a value between quotes, escaping what a terminal would not show
// (values are bytes; xenstore.txt only recommends printable ASCII).
void print_quoted(Console& con, const char* value, std::size_t len) {
    con.write("\"");
    std::size_t start = 0;
    for (std::size_t i = 0; i < len; ++i) {
        auto c = static_cast<unsigned char>(value[i]);
        bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        if (plain) continue;
        con.write(std::string_view(value + start, i - start));
        if (c == '"' || c == '\\') con.printf("\\%c", c);
        else con.printf("\\x%02x", c);
        start = i + 1;
    }
    con.write(std::string_view(value + start, len - start));
    con.write("\"");
}

Status read_node(Context& ctx, xen::XenStore& store, const char* path) {
    const std::size_t len = TRY(store.read(path, g_value, sizeof g_value));
    ctx.con.write(std::string_view(g_value, len));
    ctx.con.write("\n");
    return ok();
}

// The domain's home (/local/domain/<domid>): what `ls` lists by default. An
// empty path is not valid in XenStore, so it is looked up ("domid" is relative).
Result<const char*> home(xen::XenStore& store) {
    static char path[32];
    std::uint64_t domid = TRY(store.read_u64("domid"));
    format_to(path, sizeof path, "/local/domain/%lu", domid);
    return static_cast<const char*>(path);
}

Status list_nodes(Context& ctx, xen::XenStore& store, const char* path) {
    if (path == nullptr) path = TRY(home(store));
    const std::size_t count = TRY(store.directory(path, g_names, sizeof g_names));
    const char* name = g_names;
    for (std::size_t i = 0; i < count; ++i, name += std::strlen(name) + 1) {
        const char* sep = path[std::strlen(path) - 1] == '/' ? "" : "/";
        if (format_to(g_child, sizeof g_child, "%s%s%s", path, sep, name) >= sizeof g_child) {
            ctx.con.printf("%s (path too long to read)\n", name);
            continue;
        }
        Result<std::size_t> len = store.read(g_child, g_value, sizeof g_value);
        if (!len.ok()) {
            // Gone meanwhile, or not ours to read: still list the name.
            ctx.con.printf("%s (%s)\n", name, len.error().code() == Errc::not_found ? "removed" : "unreadable");
        } else if (len.value() == 0) {
            ctx.con.printf("%s\n", name);
        } else {
            ctx.con.printf("%s = ", name);
            print_quoted(ctx.con, g_value, len.value());
            ctx.con.write("\n");
        }
    }
    return ok();
}

}  // namespace

Status do_xenstore(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a subcommand");
    const char* sub = argv[1];
    bool read = std::strcmp(sub, "read") == 0;
    bool write = std::strcmp(sub, "write") == 0;
    bool ls = std::strcmp(sub, "ls") == 0;
    if (!read && !write && !ls) return usage_error("unknown subcommand '%s'", sub);
    if (read && argc != 3) return usage_error("read expects one path");
    if (write && argc != 4) return usage_error("write expects a path and one value (quote a value with blanks)");
    if (ls && argc > 3) return usage_error("ls expects at most one path");

    xen::XenStore* store = ctx.services != nullptr ? ctx.services->xenstore : nullptr;
    if (store == nullptr) return Error::make(Errc::unsupported, "not connected");
    if (read) return as_reported(ctx, read_node(ctx, *store, argv[2]));
    if (write) return as_reported(ctx, store->write(argv[2], argv[3]));
    return as_reported(ctx, list_nodes(ctx, *store, argc == 3 ? argv[2] : nullptr));
}

}  // namespace xb::cmd
