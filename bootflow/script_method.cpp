#include "bootflow/script_method.h"

#include <cstring>

#include "bootflow/method_files.h"
#include "shell/parse.h"

namespace xb::cmd {

Status boot_script(Context& ctx, fs::Filesystem& fs, const Volume& v, const char* path) {
    const std::uint64_t size = TRY(load_to(ctx, fs, "script", path, "scriptaddr", "pxefile_addr_r"));
    (void)size;
    TRY(ctx.env->set("devtype", "pvblock"));
    TRY(ctx.env->set_hex("devnum", v.disk));
    TRY(ctx.env->set_hex("distro_bootpart", v.part));
    TRY(ctx.env->set("prefix", strncmp(path, "/boot/", 6) == 0 ? "/boot/" : "/"));
    const Command* source = find_command("source");
    if (source == nullptr) return Error::make(Errc::unsupported, "no source command");
    char addr[24];
    format_to(addr, sizeof addr, "%lx", TRY(env_hex(ctx.env, "scriptaddr")));
    char name[] = "source";
    char* argv[] = {name, addr, nullptr};
    const int rc = run_command(ctx, *source, 2, argv);
    if (ctx.stop) return ok();
    return Error::make(Errc::io, "%s ran but did not boot (status %d)", path, rc);
}

}  // namespace xb::cmd
