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

struct Sub {
    const char* name;
    const char* usage;  // after "fdt NAME"
    int (*fn)(Context& ctx, const Sub& self, int argc, char* const argv[]);
};

int fail(Context& ctx, const Sub& self, const Error& e) {
    ctx.con.printf("fdt %s: %s\n", self.name, e.message());
    return 1;
}

[[gnu::format(printf, 3, 4)]] int usage(Context& ctx, const Sub& self, const char* fmt, ...) {
    char msg[120];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx.con.printf("fdt %s: %s (usage: fdt %s%s%s)\n", self.name, msg, self.name, self.usage[0] != '\0' ? " " : "",
                   self.usage);
    return 1;
}

bool hex_arg(Context& ctx, const Sub& self, const char* text, const char* what, std::uint64_t& out) {
    Result<std::uint64_t> v = parse_hex(text, what);
    if (!v.ok()) {
        fail(ctx, self, v.error());
        return false;
    }
    out = v.value();
    return true;
}

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
int libfdt_fail(Context& ctx, const Sub& self, const OpenFdt* tree, const char* what, int err, bool property) {
    if (err == -FDT_ERR_NOSPACE && tree != nullptr) {
        const void* b = tree->blob;
        const std::size_t used = fdt_off_dt_strings(b) + std::size_t{fdt_size_dt_strings(b)};
        const std::size_t free = fdt_totalsize(b) > used ? fdt_totalsize(b) - used : 0;
        ctx.con.printf("fdt %s: %s: device tree full: %zu bytes free; use fdt resize\n", self.name, what, free);
        return 1;
    }
    ctx.con.printf("fdt %s: %s: %s (%s)\n", self.name, what, fdt_strerror(err), meaning(err, property));
    return 1;
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
bool find_node(Context& ctx, const Sub& self, const OpenFdt& tree, const char* path, int& node) {
    node = fdt_path_offset(tree.blob, path);
    if (node >= 0) return true;
    libfdt_fail(ctx, self, &tree, path, node, false);
    return false;
}

bool open(Context& ctx, const Sub& self, bool writable, OpenFdt& tree) {
    Result<OpenFdt> t = open_working_fdt(ctx.sys, writable);
    if (!t.ok()) {
        fail(ctx, self, t.error());
        return false;
    }
    tree = t.value();
    return true;
}

bool stop_requested(void* arg) { return static_cast<Context*>(arg)->ctrlc(); }

// ------------------------------------------------------------------ addr

// Opens the tree in place to len bytes (U-Boot's `fdt addr addr len`).
int expand(Context& ctx, const Sub& self, const OpenFdt& tree, std::uint64_t len) {
    if (len < tree.size) {
        ctx.con.printf("New length %lu < existing length %zu, ignoring\n", len, tree.size);
        return 0;
    }
    if (tree.own_copy && len > tree.room) {
        ctx.con.printf("fdt %s: length 0x%lx is more than the 0x%zx bytes of xenboot's copy\n", self.name,
                       len, tree.room);
        return 1;
    }
    if (len > 0x7fffffff) {
        ctx.con.printf("fdt %s: length 0x%lx is too large\n", self.name, len);
        return 1;
    }
    if (!tree.own_copy) {
        Status s = ctx.sys.memory.require_free({tree.addr, len}, "fdt write");
        if (!s.ok()) return fail(ctx, self, s.error());
    }
    const int err = fdt_open_into(tree.blob, tree.blob, static_cast<int>(len));
    return err == 0 ? 0 : libfdt_fail(ctx, self, &tree, "expanding", err, false);
}

int sub_addr(Context& ctx, const Sub& self, int argc, char* const argv[]) {
    int i = 1;
    bool control = false;
    if (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-c") != 0) return usage(ctx, self, "unknown flag '%s'", argv[i]);
        control = true;
        ++i;
    }
    if (argc - i > 2) return usage(ctx, self, "too many arguments");
    if (control) {
        // xenboot's control tree is its own copy, which it reads at start-up.
        if (argc > i) return usage(ctx, self, "xenboot's control tree cannot be moved");
        ctx.con.printf("Control fdt: %08lx\n", ctx.sys.dtb_copy);
        return 0;
    }
    if (argc == i) {
        const std::uint64_t addr = working_fdt_addr(ctx.sys);
        if (addr == 0) return fail(ctx, self, Error::make(Errc::not_found, "no working device tree"));
        ctx.con.printf("Working fdt: %08lx\n", addr);
        return 0;
    }
    std::uint64_t addr = 0, len = 0;
    if (!hex_arg(ctx, self, argv[i], "address", addr)) return 1;
    if (argc - i == 2 && !hex_arg(ctx, self, argv[i + 1], "length", len)) return 1;
    Result<OpenFdt> tree = open_fdt(ctx.sys, addr, false);
    if (!tree.ok()) return fail(ctx, self, tree.error());
    select_working_fdt(ctx.sys, addr);
    ctx.con.printf("Working FDT set to %lx\n", addr);
    if (ctx.env != nullptr) {
        Status s = ctx.env->set_hex("fdtaddr", addr);
        if (!s.ok()) ctx.con.printf("fdt addr: warning: fdtaddr not set: %s\n", s.error().message());
    }
    return argc - i == 2 ? expand(ctx, self, tree.value(), len) : 0;
}

// ------------------------------------------------------------ print, list

int show(Context& ctx, const Sub& self, int argc, char* const argv[], int depth) {
    if (argc > 3) return usage(ctx, self, "too many arguments");
    OpenFdt tree;
    if (!open(ctx, self, false, tree)) return 1;
    const char* path = argc > 1 ? argv[1] : "/";
    int node = 0;
    if (!find_node(ctx, self, tree, path, node)) return 1;
    if (argc == 3) {
        int len = 0;
        const void* data = fdt_getprop(tree.blob, node, argv[2], &len);
        if (data == nullptr) {
            char what[160];
            format_to(what, sizeof what, "%s %s", path, argv[2]);
            return libfdt_fail(ctx, self, &tree, what, len, true);
        }
        // U-Boot shows an empty property as "path prop".
        if (len == 0) {
            ctx.con.printf("%s %s\n", path, argv[2]);
        } else {
            fdt::print_property(ctx.con, argv[2], data, len);
            ctx.con.write("\n");
        }
        return 0;
    }
    Status s = fdt::print_node(ctx.con, tree.blob, node, depth, fdt::StopCheck{stop_requested, &ctx});
    return s.ok() ? 0 : fail(ctx, self, s.error());
}

int sub_print(Context& ctx, const Sub& self, int argc, char* const argv[]) {
    return show(ctx, self, argc, argv, fdt::kMaxPrintDepth);
}

int sub_list(Context& ctx, const Sub& self, int argc, char* const argv[]) { return show(ctx, self, argc, argv, 1); }

// --------------------------------------------------------- set, mknode, rm

int sub_set(Context& ctx, const Sub& self, int argc, char* const argv[]) {
    if (argc < 3) return usage(ctx, self, "expects a node and a property");
    if (!valid_name(argv[2], false)) return usage(ctx, self, "'%s' is not a valid property name", argv[2]);
    Result<std::size_t> len = fdt::encode_value(std::span<const char* const>(argv + 3, static_cast<std::size_t>(argc - 3)),
                                                std::span<std::uint8_t>(g_value));
    if (!len.ok()) return fail(ctx, self, len.error());
    OpenFdt tree;
    if (!open(ctx, self, true, tree)) return 1;
    int node = 0;
    if (!find_node(ctx, self, tree, argv[1], node)) return 1;
    const int err = fdt_setprop(tree.blob, node, argv[2], g_value, static_cast<int>(len.value()));
    if (err == 0) return 0;
    char what[160];
    format_to(what, sizeof what, "%s %s", argv[1], argv[2]);
    return libfdt_fail(ctx, self, &tree, what, err, true);
}

int sub_mknode(Context& ctx, const Sub& self, int argc, char* const argv[]) {
    if (argc != 3) return usage(ctx, self, "expects a parent node and a name");
    if (!valid_name(argv[2], true)) return usage(ctx, self, "'%s' is not a valid node name", argv[2]);
    OpenFdt tree;
    if (!open(ctx, self, true, tree)) return 1;
    int parent = 0;
    if (!find_node(ctx, self, tree, argv[1], parent)) return 1;
    const int err = fdt_add_subnode(tree.blob, parent, argv[2]);
    if (err >= 0) return 0;
    char what[160];
    const std::size_t n = strlen(argv[1]);
    format_to(what, sizeof what, "%s%s%s", argv[1], n > 0 && argv[1][n - 1] == '/' ? "" : "/", argv[2]);
    return libfdt_fail(ctx, self, &tree, what, err, false);
}

int sub_rm(Context& ctx, const Sub& self, int argc, char* const argv[]) {
    if (argc < 2 || argc > 3) return usage(ctx, self, "expects a node and optionally a property");
    OpenFdt tree;
    if (!open(ctx, self, true, tree)) return 1;
    int node = 0;
    if (!find_node(ctx, self, tree, argv[1], node)) return 1;
    if (argc == 3) {
        const int err = fdt_delprop(tree.blob, node, argv[2]);
        if (err == 0) return 0;
        char what[160];
        format_to(what, sizeof what, "%s %s", argv[1], argv[2]);
        return libfdt_fail(ctx, self, &tree, what, err, true);
    }
    if (node == 0) return usage(ctx, self, "refusing to remove the root node");
    const int err = fdt_del_node(tree.blob, node);
    return err == 0 ? 0 : libfdt_fail(ctx, self, &tree, argv[1], err, false);
}

// ------------------------------------------------------------------ resize

// U-Boot's `fdt resize [extra]`: the packed tree plus extra bytes, rounded up
// so that the tree ends on a 4 KiB boundary. xenboot's copy cannot grow past
// its room (the rounding is cut there); a user's tree may only grow into free RAM.
int sub_resize(Context& ctx, const Sub& self, int argc, char* const argv[]) {
    if (argc > 2) return usage(ctx, self, "too many arguments");
    std::uint64_t extra = 0;
    if (argc == 2 && !hex_arg(ctx, self, argv[1], "size", extra)) return 1;
    OpenFdt tree;
    if (!open(ctx, self, true, tree)) return 1;
    Result<std::size_t> packed = fdt::packed_size(tree.blob);
    if (!packed.ok()) return fail(ctx, self, packed.error());
    constexpr std::uint64_t kMaxTree = 0x7fffffff;  // libfdt sizes are ints
    if (extra > kMaxTree - packed.value()) {
        ctx.con.printf("fdt resize: 0x%lx extra bytes is too many\n", extra);
        return 1;
    }
    const std::uint64_t wanted = packed.value() + extra;
    std::uint64_t size = align_up(tree.addr + wanted, kPageSize) - tree.addr;
    if (tree.own_copy) {
        if (wanted > tree.room) {
            ctx.con.printf("fdt resize: the tree needs 0x%lx bytes; xenboot's copy has room for 0x%zx\n",
                           wanted, tree.room);
            return 1;
        }
        if (size > tree.room) size = tree.room;
    } else {
        if (size > kMaxTree) size = wanted;
        Status s = ctx.sys.memory.require_free({tree.addr, size}, "fdt write");
        if (!s.ok()) return fail(ctx, self, s.error());
    }
    // libfdt opens a tree only into at least its current totalsize: pack it
    // first (to packed_size, which size is not below), then open it to size.
    int err = fdt_pack(tree.blob);
    if (err == 0) err = fdt_open_into(tree.blob, tree.blob, static_cast<int>(size));
    return err == 0 ? 0 : libfdt_fail(ctx, self, &tree, "resizing", err, false);
}

// ------------------------------------------------------------------ chosen

int sub_chosen(Context& ctx, const Sub& self, int argc, char* const argv[]) {
    if (argc != 1 && argc != 3) return usage(ctx, self, "expects no arguments, or the initrd's start and end");
    std::optional<Range> initrd;
    if (argc == 3) {
        std::uint64_t start = 0, end = 0;
        if (!hex_arg(ctx, self, argv[1], "initrd start", start) || !hex_arg(ctx, self, argv[2], "initrd end", end)) {
            return 1;
        }
        if (end <= start) {
            ctx.con.printf("fdt chosen: initrd end 0x%lx is not above its start 0x%lx\n", end,
                           start);
            return 1;
        }
        initrd = Range{start, end - start};
    }
    std::optional<std::string_view> bootargs;
    if (ctx.env != nullptr) bootargs = ctx.env->get("bootargs");
    OpenFdt tree;
    if (!open(ctx, self, true, tree)) return 1;
    Status s = fdt::fixup_chosen(tree.blob, tree.room, bootargs, initrd);
    return s.ok() ? 0 : fail(ctx, self, s.error());
}

constexpr Sub kSubs[] = {
    {"addr", "[-c] [addr [len]]", sub_addr},
    {"print", "[path [prop]]", sub_print},
    {"list", "[path [prop]]", sub_list},
    {"set", "path prop [<cells> | [bytes] | string...]", sub_set},
    {"mknode", "path name", sub_mknode},
    {"rm", "path [prop]", sub_rm},
    {"resize", "[extra]", sub_resize},
    {"chosen", "[initrd_start initrd_end]", sub_chosen},
};

// The sub-command named by word: its full name, or an unambiguous prefix of
// at least two letters.
const Sub* find_sub(const char* word) {
    const std::size_t len = strlen(word);
    const Sub* found = nullptr;
    for (const Sub& s : kSubs) {
        if (strcmp(s.name, word) == 0) return &s;
        if (len >= 2 && strncmp(s.name, word, len) == 0) {
            if (found != nullptr) return nullptr;
            found = &s;
        }
    }
    return found;
}

}  // namespace

int do_fdt(Context& ctx, int argc, char* const argv[]) {
    const Command& self = *find_command("fdt");
    if (argc < 2) return usage_error(ctx, self, "expects a subcommand");
    const Sub* sub = find_sub(argv[1]);
    if (sub == nullptr) return usage_error(ctx, self, "unknown subcommand '%s'", argv[1]);
    return sub->fn(ctx, *sub, argc - 1, argv + 1);
}

}  // namespace xb::cmd
