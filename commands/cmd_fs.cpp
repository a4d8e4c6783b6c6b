// Filesystem commands with U-Boot's syntax and output:
//   ls      <interface> [<dev[:part]> [directory]]
//   load    <interface> [<dev[:part]> [<addr> [<filename> [bytes [pos]]]]]
//   size    <interface> <dev[:part]> <filename>          (sets filesize)
//   fstype  <interface> <dev>:<part> [<varname>]
//   ext4ls / ext4load / ext4size, fatls / fatload / fatsize: the same, one type only.
// Numbers are hex. load sets filesize (hex, as U-Boot) and fileaddr; without
// an address it uses $loadaddr, without a file name $bootfile.
#include <cstring>

#include "commands/builtins.h"
#include "bootflow/fs_access.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

fs::FsKind kind_of(const char* argv0) {
    if (strncmp(argv0, "ext4", 4) == 0) return fs::FsKind::ext4;
    if (strncmp(argv0, "fat", 3) == 0) return fs::FsKind::fat;
    return fs::FsKind::any;
}

int fail(Context& ctx, const char* argv0, const Error& e) {
    ctx.con.printf("%s: %s\n", argv0, e.message());
    return 1;
}

class LsPrinter final : public fs::DirVisitor {
  public:
    explicit LsPrinter(Context& ctx) : ctx_(ctx) {}
    bool visit(const fs::DirEntry& e) override {
        const int n = static_cast<int>(e.name.size());
        switch (e.node.type) {
            case fs::NodeType::directory:
                ctx_.con.printf("            %.*s/\n", n, e.name.data());
                ++dirs_;
                break;
            case fs::NodeType::symlink:
                ctx_.con.printf("   <SYM>   %.*s\n", n, e.name.data());
                ++files_;
                break;
            default:
                ctx_.con.printf(" %8lu   %.*s\n", e.node.size, n, e.name.data());
                ++files_;
                break;
        }
        // A huge directory can be stopped with Ctrl-C (checked every 64 entries).
        if (((files_ + dirs_) & 63) == 0 && ctx_.ctrlc()) {
            interrupted_ = true;
            return false;
        }
        return true;
    }
    unsigned files_ = 0, dirs_ = 0;
    bool interrupted_ = false;

  private:
    Context& ctx_;
};

}  // namespace

int do_ls(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2 || argc > 4) {
        ctx.con.printf("usage: %s <interface> [<dev[:part]> [directory]]\n", argv[0]);
        return 1;
    }
    Volume volume;
    Result<fs::Filesystem*> mounted = mount_volume(ctx, argv[1], argc > 2 ? argv[2] : nullptr, kind_of(argv[0]), volume);
    if (!mounted.ok()) return fail(ctx, argv[0], mounted.error());
    fs::MountedFs fs(mounted.value());
    if (fs->warning()[0] != '\0') ctx.con.printf("%s: warning: %s\n", volume.slice.name(), fs->warning());
    const char* path = argc > 3 ? argv[3] : "/";
    Result<fs::Node> dir = fs->lookup(path);
    if (!dir.ok()) return fail(ctx, argv[0], dir.error());
    if (dir.value().type != fs::NodeType::directory) {
        ctx.con.printf("%s: %s is not a directory\n", argv[0], path);
        return 1;
    }
    LsPrinter printer(ctx);
    Status listed = fs->list(dir.value(), printer);
    if (!listed.ok()) return fail(ctx, argv[0], listed.error());
    if (printer.interrupted_) {
        ctx.con.printf("<INTERRUPT>\n");
        return 1;
    }
    ctx.con.printf("\n%u file(s), %u dir(s)\n\n", printer.files_, printer.dirs_);
    return 0;
}

int do_load(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2 || argc > 7) {
        ctx.con.printf("usage: %s <interface> [<dev[:part]> [<addr> [<filename> [bytes [pos]]]]]\n", argv[0]);
        return 1;
    }
    // Address: the argument, else $loadaddr (U-Boot's default).
    std::uint64_t addr = 0;
    if (argc > 3) {
        Result<std::uint64_t> a = parse_hex(argv[3], "address");
        if (!a.ok()) return fail(ctx, argv[0], a.error());
        addr = a.value();
    } else {
        Result<std::uint64_t> a = env_hex(ctx.env, "loadaddr");
        if (!a.ok()) {
            ctx.con.printf("%s: no address given and %s\n", argv[0], a.error().message());
            return 1;
        }
        addr = a.value();
    }
    char name[256] = {};
    if (argc > 4) {
        if (strlen(argv[4]) >= sizeof name) {
            ctx.con.printf("%s: file name too long\n", argv[0]);
            return 1;
        }
        strcpy(name, argv[4]);
    } else {
        std::optional<std::string_view> bf = ctx.env != nullptr ? ctx.env->get("bootfile") : std::nullopt;
        if (!bf || bf->size() >= sizeof name) {
            ctx.con.printf("%s: no file name given and $bootfile is not set\n", argv[0]);
            return 1;
        }
        memcpy(name, bf->data(), bf->size());
    }
    std::uint64_t bytes = 0, pos = 0;
    if (argc > 5) {
        Result<std::uint64_t> b = parse_hex(argv[5], "byte count");
        if (!b.ok()) return fail(ctx, argv[0], b.error());
        bytes = b.value();
    }
    if (argc > 6) {
        Result<std::uint64_t> p = parse_hex(argv[6], "position");
        if (!p.ok()) return fail(ctx, argv[0], p.error());
        pos = p.value();
    }
    Volume volume;
    Result<fs::Filesystem*> mounted = mount_volume(ctx, argv[1], argc > 2 ? argv[2] : nullptr, kind_of(argv[0]), volume);
    if (!mounted.ok()) return fail(ctx, argv[0], mounted.error());
    fs::MountedFs fs(mounted.value());
    if (fs->warning()[0] != '\0') ctx.con.printf("%s: warning: %s\n", volume.slice.name(), fs->warning());
    Result<LoadResult> loaded = load_file(ctx, *fs.get(), name, addr, bytes, pos);
    if (!loaded.ok()) return fail(ctx, argv[0], loaded.error());
    print_load_result(ctx, loaded.value());
    if (ctx.env != nullptr) {
        Status s = ctx.env->set_hex("filesize", loaded.value().bytes);
        if (s.ok()) s = ctx.env->set_hex("fileaddr", addr);
        if (!s.ok()) return fail(ctx, argv[0], s.error());
    }
    return 0;
}

int do_size(Context& ctx, int argc, char* const argv[]) {
    if (argc != 4) {
        ctx.con.printf("usage: %s <interface> <dev[:part]> <filename>\n", argv[0]);
        return 1;
    }
    Volume volume;
    Result<fs::Filesystem*> mounted = mount_volume(ctx, argv[1], argv[2], kind_of(argv[0]), volume);
    if (!mounted.ok()) return fail(ctx, argv[0], mounted.error());
    fs::MountedFs fs(mounted.value());
    Result<fs::Node> node = fs->lookup(argv[3]);
    if (!node.ok()) return fail(ctx, argv[0], node.error());
    if (ctx.env == nullptr) {
        ctx.con.printf("%lx\n", node.value().size);
        return 0;
    }
    Status s = ctx.env->set_hex("filesize", node.value().size);
    return s.ok() ? 0 : fail(ctx, argv[0], s.error());
}

int do_fstype(Context& ctx, int argc, char* const argv[]) {
    if (argc != 3 && argc != 4) {
        ctx.con.printf("usage: %s <interface> <dev>:<part> [<varname>]\n", argv[0]);
        return 1;
    }
    Volume volume;
    Result<fs::Filesystem*> mounted = mount_volume(ctx, argv[1], argv[2], fs::FsKind::any, volume);
    if (!mounted.ok()) return fail(ctx, argv[0], mounted.error());
    fs::MountedFs fs(mounted.value());
    if (argc == 3) {
        ctx.con.printf("%s\n", fs->type_name());
        return 0;
    }
    if (ctx.env == nullptr) return fail(ctx, argv[0], Error::make(Errc::unsupported, "no environment"));
    Status s = ctx.env->set(argv[3], fs->type_name());
    return s.ok() ? 0 : fail(ctx, argv[0], s.error());
}

}  // namespace xb::cmd
