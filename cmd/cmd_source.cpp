// source addr: runs the script in the U-Boot script image at addr (made by
// `mkimage -T script`; see cmd/script_image.h). As U-Boot, a plain text file
// is refused: it needs the header. The image is read only inside RAM.
#include "cmd/builtins.h"
#include "cmd/interpreter.h"
#include "cmd/parse.h"
#include "cmd/script_image.h"

namespace xb::cmd {

int do_source(Context& ctx, int argc, char* const argv[]) {
    const Command& self = *find_command("source");
    if (argc != 2) return usage_error(ctx, self, "expects one address");
    if (ctx.interp == nullptr) {
        ctx.con.printf("source: no shell\n");
        return 1;
    }
    Result<std::uint64_t> addr = parse_hex(argv[1], "address");
    if (!addr.ok()) return usage_error(ctx, self, "%s", addr.error().message());
    auto bytes_at = [](std::uint64_t a, std::size_t n) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(a)), n);
    };
    Status s = ctx.sys.memory.require_ram(Range{addr.value(), kImageHeaderSize}, "script image header");
    if (!s.ok()) {
        ctx.con.printf("source: %s\n", s.error().message());
        return 1;
    }
    Result<std::uint32_t> size = script_image_data_size(bytes_at(addr.value(), kImageHeaderSize));
    if (!size.ok()) {
        ctx.con.printf("source: at 0x%llx: %s\n", static_cast<unsigned long long>(addr.value()), size.error().message());
        return 1;
    }
    const std::uint64_t total = kImageHeaderSize + std::uint64_t{size.value()};
    s = ctx.sys.memory.require_ram(Range{addr.value(), total}, "script image");
    if (!s.ok()) {
        ctx.con.printf("source: %s\n", s.error().message());
        return 1;
    }
    Result<ScriptImage> img = parse_script_image(bytes_at(addr.value(), static_cast<std::size_t>(total)));
    if (!img.ok()) {
        ctx.con.printf("source: at 0x%llx: %s\n", static_cast<unsigned long long>(addr.value()), img.error().message());
        return 1;
    }
    ctx.con.printf("## Executing script at %llx\n", static_cast<unsigned long long>(addr.value()));
    return ctx.interp->run_script(img.value().script, "source");
}

}  // namespace xb::cmd
