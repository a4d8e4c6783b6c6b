// fdt: U-Boot's device-tree command over libfdt, on the working tree
// (bootflow/fdt_working_tree.h): addr, print, list, set, mknode (or mknod), rm,
// resize, chosen. Output follows U-Boot's (fdt/tree_print.h); errors are one
// line naming the node or property and libfdt's code with its meaning:
//   fdt set: /chosen/foo: FDT_ERR_NOTFOUND (no such node)
// As in U-Boot a sub-command may be shortened to any unambiguous prefix of two
// or more letters ("mknod" is mknode). Numbers (addresses, sizes) are hex.
#include <cstring>

#include "commands/builtins.h"
#include "bootflow/fdt_working_tree.h"
#include "shell/parse.h"
#include "fdt/chosen.h"
#include "fdt/property_value.h"
#include "fdt/tree_print.h"

extern "C" {
#include <libfdt.h>
}

namespace xb::cmd {
namespace {

// `fdt set` builds its value here: up to 8 KiB, too big for the stack, and the
// shell runs one command at a time.
std::uint8_t g_value[fdt::kMaxPropertyValue];

// What a libfdt error means here, for the one-line message.
const char* meaning(int err, bool property) {
    switch (-err) {
        case FDT_ERR_NOTFOUND: return property ? "no such property" : "no such node";
        case FDT_ERR_EXISTS: return "already exists";
        case FDT_ERR_BADPATH: return "not a path, nor a known alias";
        case FDT_ERR_NOSPACE: return "device tree full; use fdt resize";
        default: return "libfdt error";
    }
}

// "what: FDT_ERR_X (meaning)", or for a full tree "what: device tree full:
// N bytes free; use fdt resize".
Error libfdt_error(const OpenFdt* tree, const char* what, int err, bool property) {
    if (err == -FDT_ERR_NOSPACE && tree != nullptr) {
        const void* b = tree->blob;
        const std::size_t used = fdt_off_dt_strings(b) + std::size_t{fdt_size_dt_strings(b)};
        const std::size_t free = fdt_totalsize(b) > used ? fdt_totalsize(b) - used : 0;
        return Error::make(Errc::no_space, "%s: device tree full: %zu bytes free; use fdt resize", what, free);
    }
    return Error::make(err == -FDT_ERR_NOTFOUND ? Errc::not_found : Errc::invalid_argument, "%s: %s (%s)", what,
                       fdt_strerror(err), meaning(err, property));
}

// Node and property names as the Devicetree Specification (2.2.1, 2.2.4)
// allows them; libfdt itself does not check, and a '/' in a name would make
// the node unreachable by path.
bool valid_name(const char* name, bool node) {
    const std::size_t len = strlen(name);
    if (len == 0 || len > 63) return false;
    for (const char* p = name; *p != '\0'; ++p) {
        const char c = *p;
        const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alnum || c == ',' || c == '.' || c == '_' || c == '+' || c == '-') continue;
        if (node && c == '@') continue;
        if (!node && (c == '?' || c == '#')) continue;
        return false;
    }
    return true;
}

// The node at path (a path from '/' or an alias, as libfdt resolves it).
Result<int> find_node(const OpenFdt& tree, const char* path) {
    const int node = fdt_path_offset(tree.blob, path);
    if (node < 0) return libfdt_error(&tree, path, node, false);
    return node;
}

bool stop_requested(void* arg) { return static_cast<Context*>(arg)->ctrlc(); }

// ------------------------------------------------------------------ addr

// Opens the tree in place to len bytes (U-Boot's `fdt addr addr len`).
Status expand(Context& ctx, const OpenFdt& tree, std::uint64_t len) {
    if (len < tree.size) {
        ctx.con.printf("New length %lu < existing length %zu, ignoring\n", len, tree.size);
        return ok();
    }
    if (tree.own_copy && len > tree.room) {
        return Error::make(Errc::no_space, "length 0x%lx is more than the 0x%zx bytes of xenboot's copy", len,
                           tree.room);
    }
    if (len > 0x7fffffff) return Error::make(Errc::invalid_argument, "length 0x%lx is too large", len);
    if (!tree.own_copy) TRY(ctx.sys.memory.require_free({tree.addr, len}, "fdt write"));
    const int err = fdt_open_into(tree.blob, tree.blob, static_cast<int>(len));
    if (err != 0) return libfdt_error(&tree, "expanding", err, false);
    return ok();
}

Status sub_addr(Context& ctx, int argc, char* const argv[]) {
    int i = 1;
    bool control = false;
    if (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-c") != 0) return usage_error("unknown flag '%s'", argv[i]);
        control = true;
        ++i;
    }
    if (argc - i > 2) return usage_error("too many arguments");
    if (control) {
        // xenboot's control tree is its own copy, which it reads at start-up.
        if (argc > i) return usage_error("xenboot's control tree cannot be moved");
        ctx.con.printf("Control fdt: %08lx\n", ctx.sys.dtb_copy);
        return ok();
    }
    if (argc == i) {
        const std::uint64_t addr = working_fdt_addr(ctx.sys);
        if (addr == 0) return Error::make(Errc::not_found, "no working device tree");
        ctx.con.printf("Working fdt: %08lx\n", addr);
        return ok();
    }
    const std::uint64_t addr = TRY(parse_hex(argv[i], "address"));
    const std::uint64_t len = argc - i == 2 ? TRY(parse_hex(argv[i + 1], "length")) : 0;
    const OpenFdt tree = TRY(open_fdt(ctx.sys, addr, false));
    select_working_fdt(ctx.sys, addr);
    ctx.con.printf("Working FDT set to %lx\n", addr);
    if (ctx.env != nullptr) {
        Status s = ctx.env->set_hex("fdtaddr", addr);
        if (!s.ok()) ctx.con.printf("fdt addr: warning: fdtaddr not set: %s\n", s.error().message());
    }
    return argc - i == 2 ? expand(ctx, tree, len) : ok();
}

// ------------------------------------------------------------ print, list

Status show(Context& ctx, int argc, char* const argv[], int depth) {
    if (argc > 3) return usage_error("too many arguments");
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, false));
    const char* path = argc > 1 ? argv[1] : "/";
    const int node = TRY(find_node(tree, path));
    if (argc == 3) {
        int len = 0;
        const void* data = fdt_getprop(tree.blob, node, argv[2], &len);
        if (data == nullptr) {
            char what[160];
            format_to(what, sizeof what, "%s %s", path, argv[2]);
            return libfdt_error(&tree, what, len, true);
        }
        // U-Boot shows an empty property as "path prop".
        if (len == 0) {
            ctx.con.printf("%s %s\n", path, argv[2]);
        } else {
            fdt::print_property(ctx.con, argv[2], data, len);
            ctx.con.write("\n");
        }
        return ok();
    }
    return fdt::print_node(ctx.con, tree.blob, node, depth, fdt::StopCheck{stop_requested, &ctx});
}

Status sub_print(Context& ctx, int argc, char* const argv[]) { return show(ctx, argc, argv, fdt::kMaxPrintDepth); }

Status sub_list(Context& ctx, int argc, char* const argv[]) { return show(ctx, argc, argv, 1); }

// --------------------------------------------------------- set, mknode, rm

Status sub_set(Context& ctx, int argc, char* const argv[]) {
    if (argc < 3) return usage_error("expects a node and a property");
    if (!valid_name(argv[2], false)) return usage_error("'%s' is not a valid property name", argv[2]);
    const std::size_t len = TRY(fdt::encode_value(
        std::span<const char* const>(argv + 3, static_cast<std::size_t>(argc - 3)), std::span<std::uint8_t>(g_value)));
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
    const int node = TRY(find_node(tree, argv[1]));
    const int err = fdt_setprop(tree.blob, node, argv[2], g_value, static_cast<int>(len));
    if (err == 0) return ok();
    char what[160];
    format_to(what, sizeof what, "%s %s", argv[1], argv[2]);
    return libfdt_error(&tree, what, err, true);
}

Status sub_mknode(Context& ctx, int argc, char* const argv[]) {
    if (argc != 3) return usage_error("expects a parent node and a name");
    if (!valid_name(argv[2], true)) return usage_error("'%s' is not a valid node name", argv[2]);
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
    const int parent = TRY(find_node(tree, argv[1]));
    const int err = fdt_add_subnode(tree.blob, parent, argv[2]);
    if (err >= 0) return ok();
    char what[160];
    const std::size_t n = strlen(argv[1]);
    format_to(what, sizeof what, "%s%s%s", argv[1], n > 0 && argv[1][n - 1] == '/' ? "" : "/", argv[2]);
    return libfdt_error(&tree, what, err, false);
}

Status sub_rm(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2 || argc > 3) return usage_error("expects a node and optionally a property");
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
    const int node = TRY(find_node(tree, argv[1]));
    if (argc == 3) {
        const int err = fdt_delprop(tree.blob, node, argv[2]);
        if (err == 0) return ok();
        char what[160];
        format_to(what, sizeof what, "%s %s", argv[1], argv[2]);
        return libfdt_error(&tree, what, err, true);
    }
    if (node == 0) return usage_error("refusing to remove the root node");
    const int err = fdt_del_node(tree.blob, node);
    if (err != 0) return libfdt_error(&tree, argv[1], err, false);
    return ok();
}

// ------------------------------------------------------------------ resize

// U-Boot's `fdt resize [extra]`: the packed tree plus extra bytes, rounded up
// so that the tree ends on a 4 KiB boundary. xenboot's copy cannot grow past
// its room (the rounding is cut there); a user's tree may only grow into free RAM.
Status sub_resize(Context& ctx, int argc, char* const argv[]) {
    if (argc > 2) return usage_error("too many arguments");
    const std::uint64_t extra = argc == 2 ? TRY(parse_hex(argv[1], "size")) : 0;
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
    const std::size_t packed = TRY(fdt::packed_size(tree.blob));
    constexpr std::uint64_t kMaxTree = 0x7fffffff;  // libfdt sizes are ints
    if (extra > kMaxTree - packed) return Error::make(Errc::invalid_argument, "0x%lx extra bytes is too many", extra);
    const std::uint64_t wanted = packed + extra;
    std::uint64_t size = align_up(tree.addr + wanted, kPageSize) - tree.addr;
    if (tree.own_copy) {
        if (wanted > tree.room) {
            return Error::make(Errc::no_space, "the tree needs 0x%lx bytes; xenboot's copy has room for 0x%zx", wanted,
                               tree.room);
        }
        if (size > tree.room) size = tree.room;
    } else {
        if (size > kMaxTree) size = wanted;
        TRY(ctx.sys.memory.require_free({tree.addr, size}, "fdt write"));
    }
    // libfdt opens a tree only into at least its current totalsize: pack it
    // first (to packed_size, which size is not below), then open it to size.
    int err = fdt_pack(tree.blob);
    if (err == 0) err = fdt_open_into(tree.blob, tree.blob, static_cast<int>(size));
    if (err != 0) return libfdt_error(&tree, "resizing", err, false);
    return ok();
}

// ------------------------------------------------------------------ chosen

Status sub_chosen(Context& ctx, int argc, char* const argv[]) {
    if (argc != 1 && argc != 3) return usage_error("expects no arguments, or the initrd's start and end");
    std::optional<Range> initrd;
    if (argc == 3) {
        const std::uint64_t start = TRY(parse_hex(argv[1], "initrd start"));
        const std::uint64_t end = TRY(parse_hex(argv[2], "initrd end"));
        if (end <= start) {
            return Error::make(Errc::invalid_argument, "initrd end 0x%lx is not above its start 0x%lx", end, start);
        }
        initrd = Range{start, end - start};
    }
    std::optional<std::string_view> bootargs;
    if (ctx.env != nullptr) bootargs = ctx.env->get("bootargs");
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
    return fdt::fixup_chosen(tree.blob, tree.room, bootargs, initrd);
}

// Each sub-command is a Command of its own ("fdt set"), run through
// run_command, so its errors and usage line name what the user typed.
constexpr Command kSubs[] = {
    {"fdt addr", "", "[-c] [addr [len]]", sub_addr},
    {"fdt print", "", "[path [prop]]", sub_print},
    {"fdt list", "", "[path [prop]]", sub_list},
    {"fdt set", "", "path prop [<cells> | [bytes] | string...]", sub_set},
    {"fdt mknode", "", "path name", sub_mknode},
    {"fdt rm", "", "path [prop]", sub_rm},
    {"fdt resize", "", "[extra]", sub_resize},
    {"fdt chosen", "", "[initrd_start initrd_end]", sub_chosen},
};
constexpr std::size_t kPrefix = 4;  // "fdt "

// The sub-command named by word: its full name, or an unambiguous prefix of
// at least two letters.
const Command* find_sub(const char* word) {
    const std::size_t len = strlen(word);
    const Command* found = nullptr;
    for (const Command& s : kSubs) {
        const char* name = s.name + kPrefix;
        if (strcmp(name, word) == 0) return &s;
        if (len >= 2 && strncmp(name, word, len) == 0) {
            if (found != nullptr) return nullptr;
            found = &s;
        }
    }
    return found;
}

}  // namespace

Status do_fdt(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a subcommand");
    const Command* sub = find_sub(argv[1]);
    if (sub == nullptr) return usage_error("unknown subcommand '%s'", argv[1]);
    return run_command(ctx, *sub, argc - 1, argv + 1) == 0 ? ok() : quiet_failure();
}

}  // namespace xb::cmd
