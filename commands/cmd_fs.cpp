// Filesystem commands with U-Boot's syntax and output:
//   ls      <interface> [<dev[:part]> [directory]]
//   load    <interface> [<dev[:part]> [<addr> [<filename> [bytes [pos]]]]]
//   size    <interface> <dev[:part]> <filename>          (sets filesize)
//   fstype  <interface> <dev>:<part> [<varname>]
//   fstypes                                             (the readers built in)
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
    // ext2load/ext2ls are U-Boot's older names: one reader for ext2/3/4.
    if (strncmp(argv0, "ext4", 4) == 0 || strncmp(argv0, "ext2", 4) == 0) return fs::FsKind::ext4;
    if (strncmp(argv0, "fat", 3) == 0) return fs::FsKind::fat;
    return fs::FsKind::any;
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

// The volume argv names, mounted, with a warning the filesystem has about itself.
Result<fs::Filesystem*> mount_and_warn(Context& ctx, char* const argv[], const char* devpart, Volume& volume) {
    fs::Filesystem* fs = TRY(mount_volume(ctx, argv[1], devpart, kind_of(argv[0]), volume));
    if (fs->warning()[0] != '\0') ctx.con.printf("%s: warning: %s\n", volume.slice.name(), fs->warning());
    return fs;
}

// $loadaddr, for a load without an address.
Result<std::uint64_t> default_load_addr(Context& ctx) {
    Result<std::uint64_t> a = env_hex(ctx.env, "loadaddr");
    if (!a.ok()) return Error::make(a.error().code(), "no address given and %s", a.error().message());
    return a.value();
}

}  // namespace

Status do_ls(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2 || argc > 4) return usage_error("expects an interface, then optionally a device and a directory");
    Volume volume;
    fs::MountedFs fs(TRY(mount_and_warn(ctx, argv, argc > 2 ? argv[2] : nullptr, volume)));
    const char* path = argc > 3 ? argv[3] : "/";
    const fs::Node dir = TRY(fs->lookup(path));
    if (dir.type != fs::NodeType::directory) return Error::make(Errc::invalid_argument, "%s is not a directory", path);
    LsPrinter printer(ctx);
    TRY(fs->list(dir, printer));
    if (printer.interrupted_) {
        ctx.con.printf("<INTERRUPT>\n");
        return quiet_failure();
    }
    ctx.con.printf("\n%u file(s), %u dir(s)\n\n", printer.files_, printer.dirs_);
    return ok();
}

Status do_load(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2 || argc > 7) {
        return usage_error(
            "expects an interface, then optionally a device, address, file name, byte count and position");
    }
    // Address: the argument, else $loadaddr (U-Boot's default).
    const std::uint64_t addr = argc > 3 ? TRY(parse_hex(argv[3], "address")) : TRY(default_load_addr(ctx));
    char name[256] = {};
    if (argc > 4) {
        if (strlen(argv[4]) >= sizeof name) return Error::make(Errc::invalid_argument, "file name too long");
        strcpy(name, argv[4]);
    } else {
        std::optional<std::string_view> bf = ctx.env != nullptr ? ctx.env->get("bootfile") : std::nullopt;
        if (!bf || bf->size() >= sizeof name) {
            return Error::make(Errc::invalid_argument, "no file name given and $bootfile is not set");
        }
        memcpy(name, bf->data(), bf->size());
    }
    const std::uint64_t bytes = argc > 5 ? TRY(parse_hex(argv[5], "byte count")) : 0;
    const std::uint64_t pos = argc > 6 ? TRY(parse_hex(argv[6], "position")) : 0;
    Volume volume;
    fs::MountedFs fs(TRY(mount_and_warn(ctx, argv, argc > 2 ? argv[2] : nullptr, volume)));
    const LoadResult loaded = TRY(load_file(ctx, *fs.get(), name, addr, bytes, pos));
    print_load_result(ctx, loaded);
    if (ctx.env != nullptr) {
        TRY(ctx.env->set_hex("filesize", loaded.bytes));
        TRY(ctx.env->set_hex("fileaddr", addr));
    }
    return ok();
}

Status do_size(Context& ctx, int argc, char* const argv[]) {
    if (argc != 4) return usage_error("expects an interface, a device and a file name");
    Volume volume;
    fs::MountedFs fs(TRY(mount_volume(ctx, argv[1], argv[2], kind_of(argv[0]), volume)));
    const fs::Node node = TRY(fs->lookup(argv[3]));
    if (ctx.env == nullptr) {
        ctx.con.printf("%lx\n", node.size);
        return ok();
    }
    return ctx.env->set_hex("filesize", node.size);
}

Status do_fstype(Context& ctx, int argc, char* const argv[]) {
    if (argc != 3 && argc != 4) return usage_error("expects an interface, a device and optionally a variable name");
    Volume volume;
    fs::MountedFs fs(TRY(mount_volume(ctx, argv[1], argv[2], fs::FsKind::any, volume)));
    if (argc == 3) {
        ctx.con.printf("%s\n", fs->type_name());
        return ok();
    }
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    return ctx.env->set(argv[3], fs->type_name());
}

// U-Boot's format: "Supported filesystems: fat, ext4".
Status do_fstypes(Context& ctx, int argc, char* const /*argv*/[]) {
    if (argc != 1) return usage_error("takes no arguments");
    ctx.con.printf("Supported filesystems");
    char sep = ':';
    for (const fs::FsProber& p : fs::fs_probers()) {
        ctx.con.printf("%c %s", sep, p.name);
        sep = ',';
    }
    ctx.con.printf("\n");
    return ok();
}

}  // namespace xb::cmd
