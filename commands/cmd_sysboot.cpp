// Boot commands U-Boot users type besides booti and bootflow:
//   sysboot [-p] <interface> <dev[:part]> <any|ext2|fat> [addr] [filename]
//        boots a given extlinux/syslinux file through the extlinux boot
//        method (bootflow/extlinux_method.h), as U-Boot's pxe_utils do
//   boot, bootd   run $bootcmd
//   bootz         a 32-bit ARM zImage cannot run in an AArch64 guest: says so
#include <cstring>
#include <new>

#include "bootflow/extlinux_method.h"
#include "bootflow/fs_access.h"
#include "commands/builtins.h"
#include "lib/scope_guard.h"
#include "shell/interpreter.h"
#include "shell/parse.h"

namespace xb::cmd {

Status do_sysboot(Context& ctx, int argc, char* const argv[]) {
    int i = 1;
    // -p (prompt for a label) is accepted: the extlinux method shows the menu
    // and honours its prompt/timeout lines anyway.
    if (i < argc && strcmp(argv[i], "-p") == 0) ++i;
    if (argc - i < 3 || argc - i > 5) return usage_error("expects an interface, a device and a filesystem type");
    const char* iface = argv[i];
    const char* devpart = argv[i + 1];
    const char* type = argv[i + 2];
    fs::FsKind kind = fs::FsKind::any;
    if (strcmp(type, "ext2") == 0 || strcmp(type, "ext4") == 0) kind = fs::FsKind::ext4;
    else if (strcmp(type, "fat") == 0) kind = fs::FsKind::fat;
    else if (strcmp(type, "any") != 0) return usage_error("filesystem type '%s' (any, ext2 or fat)", type);
    // addr: where U-Boot reads the file to; the method reads it through the
    // filesystem, so it is only checked.
    if (argc - i > 3 && strcmp(argv[i + 3], "-") != 0) (void)TRY(parse_hex(argv[i + 3], "address"));
    const char* path = argc - i > 4 ? argv[i + 4] : nullptr;
    if (path == nullptr && ctx.env != nullptr) {
        std::optional<std::string_view> bootfile = ctx.env->get("bootfile");
        if (bootfile) path = bootfile->data();  // NUL-terminated: the environment stores "name\0value\0"
    }
    if (path == nullptr) return Error::make(Errc::invalid_argument, "no filename given and $bootfile is not set");
    Volume volume;
    fs::MountedFs mounted(TRY(mount_volume(ctx, iface, devpart, kind, volume)));
    Bootflow* flow = new (std::nothrow) Bootflow;
    if (flow == nullptr) return Error::make(Errc::no_memory, "no memory");
    ScopeGuard free_flow([flow] { delete flow; });
    flow->disk = volume.disk;
    flow->part = volume.part;
    flow->method = BootMethod::extlinux;
    if (strlen(path) >= sizeof flow->path) return Error::make(Errc::invalid_argument, "file name too long: %s", path);
    strcpy(flow->path, path);
    return boot_extlinux(ctx, *mounted.get(), flow->path, *flow);
}

// boot / bootd: U-Boot's "boot default, i.e., run 'bootcmd'".
Status do_boot(Context& ctx, int argc, char* const[]) {
    if (argc != 1) return usage_error("takes no arguments");
    if (ctx.env == nullptr || ctx.interp == nullptr) return Error::make(Errc::unsupported, "no shell");
    std::optional<std::string_view> bootcmd = ctx.env->get("bootcmd");
    if (!bootcmd) return Error::make(Errc::not_found, "$bootcmd is not set");
    return ctx.interp->run_script(*bootcmd, "bootcmd") == 0 ? ok() : quiet_failure();
}

Status do_bootz(Context&, int, char* const[]) {
    return Error::make(Errc::unsupported,
                       "a 32-bit ARM zImage cannot run in an AArch64 Xen guest; boot an arm64 kernel "
                       "(Image or Image.gz) with booti");
}

}  // namespace xb::cmd
