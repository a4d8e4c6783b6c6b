// source addr: runs the script in the U-Boot script image at addr (made by
// `mkimage -T script`; see loader/script_image.h). As U-Boot, a plain text file
// is refused: it needs the header. The image is read only inside RAM.
#include "commands/builtins.h"
#include "shell/interpreter.h"
#include "shell/parse.h"
#include "loader/script_image.h"

namespace xb::cmd {
namespace {

// The script in the image at addr, checked. Not inlined: its error objects
// stay off the stack while the script runs.
[[gnu::noinline]] Result<std::string_view> find_script(Context& ctx, std::uint64_t addr) {
    auto bytes_at = [](std::uint64_t a, std::size_t n) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(a)), n);
    };
    TRY(ctx.sys.memory.require_ram(Range{addr, loader::kImageHeaderSize}, "script image header"));
    const std::uint32_t size =
        TRY_CTX(loader::script_image_data_size(bytes_at(addr, loader::kImageHeaderSize)), "at 0x%lx", addr);
    const std::uint64_t total = loader::kImageHeaderSize + std::uint64_t{size};
    TRY(ctx.sys.memory.require_ram(Range{addr, total}, "script image"));
    const loader::ScriptImage img =
        TRY_CTX(loader::parse_script_image(bytes_at(addr, static_cast<std::size_t>(total))), "at 0x%lx", addr);
    return img.script;
}

// The checks before the script runs, each error reported by run_command; on
// success, announces the script as U-Boot does. Not inlined, for the same
// reason as find_script.
[[gnu::noinline]] Status prepare(Context& ctx, int argc, char* const argv[], std::string_view& script) {
    if (argc != 2) return usage_error("expects one address");
    if (ctx.interp == nullptr) return Error::make(Errc::unsupported, "no shell");
    Result<std::uint64_t> addr = parse_hex(argv[1], "address");
    if (!addr.ok()) return usage_error("%s", addr.error().message());
    script = TRY(find_script(ctx, addr.value()));
    ctx.con.printf("## Executing script at %lx\n", addr.value());
    return ok();
}

}  // namespace

// As U-Boot's source, a script that fails gives status 1 (it said why itself).
// One Status, returned by name: the frame stays small while scripts nest.
Status do_source(Context& ctx, int argc, char* const argv[]) {
    std::string_view script;
    Status s = prepare(ctx, argc, argv, script);
    if (s.ok() && ctx.interp->run_script(script, "source") != 0) set_quiet_failure(s);
    return s;
}

}  // namespace xb::cmd
