// fdt: U-Boot's device-tree command over libfdt, on the working tree
// (bootflow/fdt_working_tree.h): addr, apply, get, header, print, list, set,
// mknode (or mknod), rm, resize, rsvmem, chosen. Output follows U-Boot's (fdt/tree_print.h); errors are one
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
#include "fdt/query.h"
#include "shell/environment.h"
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
    bool quiet = false;
    // U-Boot's flags: -c (control tree), -q (quiet), also together ("-cq").
    for (; i < argc && argv[i][0] == '-'; ++i) {
        if (argv[i][1] == '\0') return usage_error("unknown flag '%s'", argv[i]);
        for (const char* f = argv[i] + 1; *f != '\0'; ++f) {
            if (*f == 'c') {
                control = true;
            } else if (*f == 'q') {
                quiet = true;
            } else {
                return usage_error("unknown flag '%s'", argv[i]);
            }
        }
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
        if (addr == 0) {
            if (quiet) return quiet_failure();
            return Error::make(Errc::not_found, "no working device tree");
        }
        ctx.con.printf("Working fdt: %08lx\n", addr);
        return ok();
    }
    // -q: any error is only the exit status.
    auto fail = [quiet](const Error& e) -> Error { return quiet ? quiet_failure() : e; };
    Result<std::uint64_t> addr = parse_hex(argv[i], "address");
    if (!addr.ok()) return fail(addr.error());
    std::uint64_t len = 0;
    if (argc - i == 2) {
        Result<std::uint64_t> l = parse_hex(argv[i + 1], "length");
        if (!l.ok()) return fail(l.error());
        len = l.value();
    }
    Result<OpenFdt> tree = open_fdt(ctx.sys, addr.value(), false);
    if (!tree.ok()) return fail(tree.error());
    select_working_fdt(ctx.sys, addr.value());
    if (!quiet) ctx.con.printf("Working FDT set to %lx\n", addr.value());
    if (ctx.env != nullptr) {
        Status s = ctx.env->set_hex("fdtaddr", addr.value());
        if (!s.ok() && !quiet) ctx.con.printf("fdt addr: warning: fdtaddr not set: %s\n", s.error().message());
    }
    if (argc - i != 2) return ok();
    if (quiet && len < tree.value().size) return ok();
    Status grown = expand(ctx, tree.value(), len);
    return grown.ok() ? grown : fail(grown.error());
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
    // Unlike U-Boot, never less room than the tree had: a script that made
    // room with `fdt addr ADDR LEN` and then runs `fdt resize` keeps it.
    if (size < tree.size) size = tree.size;
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

// ------------------------------------------------------------------ get

// `fdt get` writes its result here: a variable's longest value.
char g_text[Environment::kMaxValue + 1];

Status set_var(Context& ctx, const char* var, const char* value) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    return ctx.env->set(var, value);
}

Status set_var_hex(Context& ctx, const char* var, std::uint64_t value) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    return ctx.env->set_hex(var, value);
}

// "path prop" for messages.
Result<const void*> get_property(const OpenFdt& tree, const char* path, const char* prop, int* len) {
    const int node = TRY(find_node(tree, path));
    const void* data = fdt_getprop(tree.blob, node, prop, len);
    if (data == nullptr) {
        char what[160];
        format_to(what, sizeof what, "%s %s", path, prop);
        return libfdt_error(&tree, what, *len, true);
    }
    return data;
}

bool is_prefix(const char* word, const char* name) {
    const std::size_t n = strlen(word);
    return n > 0 && strncmp(name, word, n) == 0;
}

// U-Boot's `fdt get value|name|addr|size VAR PATH ...`: the result goes to
// VAR in U-Boot's formats (cells "0x%08X", addresses and sizes bare hex, a
// count of subnodes decimal).
Status sub_get(Context& ctx, int argc, char* const argv[]) {
    if (argc < 4) return usage_error("expects value|name|addr|size, a variable and a path");
    const char* what = argv[1];
    const char* var = argv[2];
    const char* path = argv[3];
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, false));
    if (is_prefix(what, "value")) {
        if (argc != 5 && argc != 6) return usage_error("get value expects a variable, a path, a property and an index");
        std::optional<std::uint32_t> index;
        if (argc == 6) {
            const std::uint64_t i = TRY(parse_dec(argv[5], "index"));
            if (i > 0xffffffff) return Error::make(Errc::invalid_argument, "index %lu is too large", i);
            index = static_cast<std::uint32_t>(i);
        }
        int len = 0;
        const void* data = TRY(get_property(tree, path, argv[4], &len));
        TRY_CTX(fdt::value_text(data, static_cast<std::size_t>(len), index, g_text, sizeof g_text), "%s %s", path,
                argv[4]);
        return set_var(ctx, var, g_text);
    }
    if (is_prefix(what, "name")) {
        if (argc != 5) return usage_error("get name expects a variable, a path and an index");
        const std::uint64_t i = TRY(parse_hex(argv[4], "index"));
        if (i > 0xffffffff) return Error::make(Errc::invalid_argument, "index 0x%lx is too large", i);
        const int node = TRY(find_node(tree, path));
        const int sub = TRY_CTX(fdt::subnode_at(tree.blob, node, static_cast<std::uint32_t>(i)), "%s", path);
        const char* name = fdt_get_name(tree.blob, sub, nullptr);
        if (name == nullptr) return Error::make(Errc::bad_data, "%s: subnode %lu has no name", path, i);
        return set_var(ctx, var, name);
    }
    if (is_prefix(what, "addr")) {
        if (argc != 5) return usage_error("get addr expects a variable, a path and a property");
        int len = 0;
        const void* data = TRY(get_property(tree, path, argv[4], &len));
        return set_var_hex(ctx, var, reinterpret_cast<std::uintptr_t>(data));
    }
    if (is_prefix(what, "size")) {
        if (argc == 4) {
            const int node = TRY(find_node(tree, path));
            const std::uint32_t n = TRY(fdt::subnode_count(tree.blob, node));
            char text[16];
            format_to(text, sizeof text, "%u", n);
            return set_var(ctx, var, text);
        }
        if (argc != 5) return usage_error("get size expects a variable, a path and optionally a property");
        int len = 0;
        TRY(get_property(tree, path, argv[4], &len));
        return set_var_hex(ctx, var, static_cast<std::uint64_t>(len));
    }
    return usage_error("unknown get '%s': expects value, name, addr or size", what);
}

// ------------------------------------------------------------------ header

Status sub_header(Context& ctx, int argc, char* const argv[]) {
    if (argc != 1 && !(argc == 4 && strcmp(argv[1], "get") == 0)) {
        return usage_error("expects nothing, or get, a variable and a member");
    }
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, false));
    const void* b = tree.blob;
    if (argc == 4) return set_var_hex(ctx, argv[2], TRY(fdt::header_member(b, argv[3])));
    // validate() accepts version 17 only, so every field below exists.
    ctx.con.printf("magic:\t\t\t0x%x\n", fdt_magic(b));
    ctx.con.printf("totalsize:\t\t0x%x (%u)\n", fdt_totalsize(b), fdt_totalsize(b));
    ctx.con.printf("off_dt_struct:\t\t0x%x\n", fdt_off_dt_struct(b));
    ctx.con.printf("off_dt_strings:\t\t0x%x\n", fdt_off_dt_strings(b));
    ctx.con.printf("off_mem_rsvmap:\t\t0x%x\n", fdt_off_mem_rsvmap(b));
    ctx.con.printf("version:\t\t%u\n", fdt_version(b));
    ctx.con.printf("last_comp_version:\t%u\n", fdt_last_comp_version(b));
    ctx.con.printf("boot_cpuid_phys:\t0x%x\n", fdt_boot_cpuid_phys(b));
    ctx.con.printf("size_dt_strings:\t0x%x\n", fdt_size_dt_strings(b));
    ctx.con.printf("size_dt_struct:\t\t0x%x\n", fdt_size_dt_struct(b));
    const int n = fdt_num_mem_rsv(b);
    if (n < 0) return libfdt_error(&tree, "memory reservation map", n, false);
    ctx.con.printf("number mem_rsv:\t\t0x%x\n\n", static_cast<unsigned>(n));
    return ok();
}

// ------------------------------------------------------------------ rsvmem

Status sub_rsvmem(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects print, add or delete");
    const char* op = argv[1];
    if (is_prefix(op, "print")) {
        if (argc != 2) return usage_error("print takes no arguments");
        const OpenFdt tree = TRY(open_working_fdt(ctx.sys, false));
        const int n = fdt_num_mem_rsv(tree.blob);
        if (n < 0) return libfdt_error(&tree, "memory reservation map", n, false);
        ctx.con.printf("index\t\t   start\t\t    size\n");
        ctx.con.printf("------------------------------------------------\n");
        for (int i = 0; i < n; ++i) {
            std::uint64_t addr = 0;
            std::uint64_t size = 0;
            const int err = fdt_get_mem_rsv(tree.blob, i, &addr, &size);
            if (err != 0) return libfdt_error(&tree, "memory reservation map", err, false);
            ctx.con.printf("    %x\t%016lx\t%016lx\n", static_cast<unsigned>(i), addr, size);
        }
        return ok();
    }
    if (is_prefix(op, "add")) {
        if (argc != 4) return usage_error("add expects an address and a size");
        const std::uint64_t addr = TRY(parse_hex(argv[2], "address"));
        const std::uint64_t size = TRY(parse_hex(argv[3], "size"));
        const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
        const int err = fdt_add_mem_rsv(tree.blob, addr, size);
        if (err != 0) return libfdt_error(&tree, "adding a reservation", err, false);
        return ok();
    }
    if (is_prefix(op, "delete")) {
        if (argc != 3) return usage_error("delete expects an index");
        const std::uint64_t index = TRY(parse_hex(argv[2], "index"));
        const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
        const int n = fdt_num_mem_rsv(tree.blob);
        if (n < 0) return libfdt_error(&tree, "memory reservation map", n, false);
        if (index >= static_cast<std::uint64_t>(n)) {
            return Error::make(Errc::not_found, "no reservation at index 0x%lx (there are %d)", index, n);
        }
        const int err = fdt_del_mem_rsv(tree.blob, static_cast<int>(index));
        if (err != 0) return libfdt_error(&tree, "deleting a reservation", err, false);
        return ok();
    }
    return usage_error("unknown rsvmem '%s': expects print, add or delete", op);
}

// ------------------------------------------------------------------ apply

// An overlay (dtc -@ output) applied to the working tree on a copy: a
// failing apply leaves the tree as it was.
Status sub_apply(Context& ctx, int argc, char* const argv[]) {
    if (argc != 2) return usage_error("expects the overlay's address");
    const std::uint64_t addr = TRY(parse_hex(argv[1], "overlay address"));
    const OpenFdt overlay = TRY_CTX(open_fdt(ctx.sys, addr, false), "overlay");
    const OpenFdt tree = TRY(open_working_fdt(ctx.sys, true));
    return fdt::apply_overlay(tree.blob, tree.room, overlay.blob, overlay.size);
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
    {"fdt addr", "", "[-cq] [addr [len]]", sub_addr},
    {"fdt apply", "", "addr", sub_apply},
    {"fdt get", "", "value|name|addr|size var path [prop [index]]", sub_get},
    {"fdt header", "", "[get var member]", sub_header},
    {"fdt print", "", "[path [prop]]", sub_print},
    {"fdt list", "", "[path [prop]]", sub_list},
    {"fdt set", "", "path prop [<cells> | [bytes] | string...]", sub_set},
    {"fdt mknode", "", "path name", sub_mknode},
    {"fdt rm", "", "path [prop]", sub_rm},
    {"fdt resize", "", "[extra]", sub_resize},
    {"fdt rsvmem", "", "print | add addr size | delete index", sub_rsvmem},
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
