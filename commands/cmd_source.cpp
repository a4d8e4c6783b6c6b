// source addr: runs the script in the U-Boot script image at addr (made by
// `mkimage -T script`; see loader/script_image.h). As U-Boot, a plain text file
// is refused: it needs the header. The image is read only inside RAM.
#include "commands/builtins.h"
#include "shell/interpreter.h"
#include "shell/parse.h"
#include "loader/script_image.h"

namespace xb::cmd {
namespace {

// The script in the image at addr, checked; false after printing why not.
// Not inlined: its error objects stay off the stack while the script runs.
[[gnu::noinline]] bool find_script(Context& ctx, std::uint64_t addr, std::string_view& script) {
    auto bytes_at = [](std::uint64_t a, std::size_t n) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(a)), n);
    };
    Status s = ctx.sys.memory.require_ram(Range{addr, loader::kImageHeaderSize}, "script image header");
    if (!s.ok()) {
        ctx.con.printf("source: %s\n", s.error().message());
        return false;
    }
    Result<std::uint32_t> size = loader::script_image_data_size(bytes_at(addr, loader::kImageHeaderSize));
    if (!size.ok()) {
        ctx.con.printf("source: at 0x%lx: %s\n", addr, size.error().message());
        return false;
    }
    const std::uint64_t total = loader::kImageHeaderSize + std::uint64_t{size.value()};
    s = ctx.sys.memory.require_ram(Range{addr, total}, "script image");
    if (!s.ok()) {
        ctx.con.printf("source: %s\n", s.error().message());
        return false;
    }
    Result<loader::ScriptImage> img = loader::parse_script_image(bytes_at(addr, static_cast<std::size_t>(total)));
    if (!img.ok()) {
        ctx.con.printf("source: at 0x%lx: %s\n", addr, img.error().message());
        return false;
    }
    script = img.value().script;
    return true;
}

[[gnu::noinline]] bool parse_address(Context& ctx, const Command& self, const char* text, std::uint64_t& out) {
    Result<std::uint64_t> addr = parse_hex(text, "address");
    if (!addr.ok()) {
        usage_error(ctx, self, "%s", addr.error().message());
        return false;
    }
    out = addr.value();
    return true;
}

}  // namespace

int do_source(Context& ctx, int argc, char* const argv[]) {
    const Command& self = *find_command("source");
    if (argc != 2) return usage_error(ctx, self, "expects one address");
    if (ctx.interp == nullptr) {
        ctx.con.printf("source: no shell\n");
        return 1;
    }
    std::uint64_t at = 0;
    if (!parse_address(ctx, self, argv[1], at)) return 1;
    std::string_view script;
    if (!find_script(ctx, at, script)) return 1;
    ctx.con.printf("## Executing script at %lx\n", at);
    return ctx.interp->run_script(script, "source");
}

}  // namespace xb::cmd
