#include "bootflow/boot_kernel.h"

#include <cstring>
#include <new>

#include "arch/arch.h"
#include "bootflow/console_fixup.h"
#include "bootflow/fdt_working_tree.h"
#include "shell/parse.h"
#include "fdt/chosen.h"
#include "fdt/device_tree.h"
#include "lib/scope_guard.h"
#include "loader/arm64_image.h"
#include "loader/kernel_file.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"

namespace xb::cmd {
namespace {

std::uint8_t* at(std::uint64_t addr) { return reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr)); }

// A hex environment variable, or not_found naming it.
bool keep_going(void* context, std::uint64_t) { return !static_cast<Context*>(context)->ctrlc(); }

// Where inflated output may go from `addr`: up to the end of the free range
// holding it, and before the first keep-out range above it.
Result<std::uint64_t> room_at(const MemoryMap& mem, std::uint64_t addr, std::span<const Range> keep_out) {
    std::array<Range, MemoryMap::kMaxRanges> free{};
    const unsigned n = mem.free_ranges(free);
    std::uint64_t end = 0;
    for (unsigned i = 0; i < n; ++i) {
        if (free[i].contains(addr)) end = free[i].end();
    }
    if (end == 0) return Error::make(Errc::invalid_argument, "0x%lx is not in free RAM", addr);
    for (const Range& r : keep_out) {
        if (r.size == 0) continue;
        if (r.contains(addr)) {
            return Error::make(Errc::invalid_argument, "0x%lx lies inside 0x%lx-0x%lx", addr, r.base, r.end() - 1);
        }
        if (r.base > addr && r.base < end) end = r.base;
    }
    return end - addr;
}

struct Kernel {
    std::uint64_t addr = 0;  // where the Image is now
    std::uint64_t size = 0;  // bytes of it to keep (file size, or image_size)
};

// A compressed kernel (Image.gz/.zst/.xz/.lzma/.lz4 or EFI zboot, told apart
// by loader::identify_kernel): copy it to $kernel_comp_addr_r (U-Boot's
// convention, so the output may overwrite where it was loaded), then
// decompress to the load address. The file (a zboot header included) is
// checked before anything is written.
Result<Kernel> unpack_kernel(Context& ctx, std::uint64_t addr, std::span<const Range> keep_out) {
    // The label of the messages before the file is identified: "Image.gz" for
    // gzip as before, "compressed kernel" for the rest.
    const bool gzip = compress::is_gzip(std::span<const std::uint8_t>(at(addr), loader::kArm64HeaderSize));
    const char* what = gzip ? "Image.gz" : "compressed kernel";
    const std::uint64_t comp_addr = TRY_CTX(env_hex(ctx.env, "kernel_comp_addr_r"), "%s at 0x%lx", what, addr);
    const std::uint64_t comp_size = TRY_CTX(env_hex(ctx.env, "kernel_comp_size"), "%s at 0x%lx", what, addr);
    if (comp_size == 0) return Error::make(Errc::invalid_argument, "$kernel_comp_size is 0");
    const Range comp{comp_addr, comp_size};
    TRY(ctx.sys.memory.require_ram(Range{addr, comp_size}, "compressed kernel"));
    TRY(ctx.sys.memory.require_free(comp, "kernel_comp_addr_r area"));
    // The copy must not land on the file it copies: whether the area is below
    // or above it, an overlap leaves a file that is partly its own shifted
    // copy, and a later failure (the output's room, the decoder) could not
    // put it back. Checked before anything is written.
    const Range file_bytes{addr, comp_size};
    if (comp.overlaps(file_bytes)) {
        return Error::make(Errc::invalid_argument,
                           "kernel_comp_addr_r area 0x%lx-0x%lx overlaps the compressed kernel at 0x%lx-0x%lx",
                           comp.base, comp.end() - 1, file_bytes.base, file_bytes.end() - 1);
    }
    for (const Range& r : keep_out) {
        if (r.overlaps(comp)) {
            return Error::make(Errc::invalid_argument, "kernel_comp_addr_r area 0x%lx-0x%lx overlaps 0x%lx-0x%lx",
                               comp.base, comp.end() - 1, r.base, r.end() - 1);
        }
    }
    // $kernel_comp_size bounds the file: a zboot header's payload must lie inside it.
    const loader::KernelFile file =
        TRY_CTX(loader::identify_kernel(std::span<const std::uint8_t>(at(addr), comp_size)), "kernel at 0x%lx", addr);
    char name[32];
    loader::describe_kernel(file, name);
    Range outs[4];
    unsigned n = 0;
    for (const Range& r : keep_out) {
        if (n < 3) outs[n++] = r;
    }
    outs[n++] = comp;
    const std::uint64_t room =
        TRY_CTX(room_at(ctx.sys.memory, addr, std::span<const Range>(outs, n)), "decompressing the kernel");

    memmove(at(comp_addr), at(addr), comp_size);  // apart: checked above
    // Until the decompression has succeeded, any way out puts the file back
    // at `addr` from the copy, so the guest is as before and a second booti
    // does not find a partly written Image (with a valid header) there and
    // jump into it. Only the output's room (free RAM) is ever written: [addr,
    // addr + comp_size) may reach into reserved memory, which must not be
    // rewritten with a stale copy.
    const std::uint64_t output_written = comp_size < room ? comp_size : room;
    ScopeGuard restore([&] { memmove(at(addr), at(comp_addr), output_written); });
    const std::uint64_t t0 = arch::counter();
    compress::DecompressProgress progress{&keep_going, &ctx, 8ULL << 20};
    const std::uint64_t size =
        TRY_CTX(loader::unpack_kernel(file, std::span<const std::uint8_t>(at(comp_addr), comp_size),
                                      std::span<std::uint8_t>(at(addr), room), &progress),
                "decompressing %s", name);
    restore.cancel();
    const std::uint64_t us = arch::ticks_to_us(arch::counter() - t0);
    if (ctx.services != nullptr) ctx.services->times.inflate_us += us;
    // For a raw file the compressed size shown is $kernel_comp_size (the
    // decoders stop at the end of the data and ignore what follows).
    ctx.con.printf("%s kernel: %lu -> %lu bytes\n", name, file.payload_size, size);
    ctx.con.printf("   Uncompressed %lu bytes in %lu ms\n", size, us / 1000);
    return Kernel{addr, size};
}

// The heap copy of a loaded device tree that the last boot attempt made:
// freed by the next one (a successful boot never returns).
constinit std::uint8_t* g_boot_fdt = nullptr;

// Copies the size bytes at src (a device tree, not yet trusted, maybe only
// 4-byte aligned) to the heap with kBootFdtPad bytes of room to grow.
Result<OpenFdt> boot_copy(const std::uint8_t* src, std::uint64_t size) {
    if (size > (64u << 20)) return Error::make(Errc::invalid_argument, "%lu bytes is too large", size);
    const std::size_t room = static_cast<std::size_t>(size) + kBootFdtPad;
    delete[] g_boot_fdt;
    g_boot_fdt = new (std::nothrow) std::uint8_t[room];
    if (g_boot_fdt == nullptr) return Error::make(Errc::no_memory, "no heap for a %zu-byte copy", room);
    memcpy(g_boot_fdt, src, static_cast<std::size_t>(size));
    const std::size_t total = TRY(fdt::validate(g_boot_fdt, static_cast<std::size_t>(size)));
    TRY(fdt::copy_to(g_boot_fdt, g_boot_fdt, room));
    OpenFdt t;
    t.blob = g_boot_fdt;
    t.addr = reinterpret_cast<std::uintptr_t>(g_boot_fdt);
    t.size = total;
    t.room = room;
    t.own_copy = true;  // in the reserved heap: nothing to keep the kernel away from
    return t;
}

// The tree the kernel gets: xenboot's own copy as it is, anything else copied.
// *from: where the tree was.
Result<OpenFdt> tree_for_boot(Context& ctx, const BootRequest& req, std::uint64_t* from) {
    if (req.fdt_bytes) {
        *from = req.fdt_bytes->base;
        TRY(ctx.sys.memory.require_ram(*req.fdt_bytes, "fdt read"));
        return TRY_CTX(boot_copy(at(req.fdt_bytes->base), req.fdt_bytes->size), "device tree at 0x%lx",
                       req.fdt_bytes->base);
    }
    const OpenFdt fdt = TRY_CTX(
        req.fdt_addr ? open_fdt(ctx.sys, *req.fdt_addr, false) : open_working_fdt(ctx.sys, false), "device tree");
    *from = fdt.addr;
    if (fdt.own_copy) return fdt;
    return TRY_CTX(boot_copy(at(fdt.addr), fdt.size), "device tree at 0x%lx", fdt.addr);
}

void print_times(Context& ctx, std::uint64_t handoff_us) {
    if (ctx.services == nullptr) return;
    const BootTimes& t = ctx.services->times;
    auto ms = [](std::uint64_t us) { return us / 1000; };
    ctx.con.printf(
        "xenboot: boot time: init %lu ms, disks %lu ms, config %lu ms, load %lu ms, inflate %lu ms, hand-off %lu ms\n",
        ms(t.init_us), ms(t.disks_us), ms(t.config_us), ms(t.load_us), ms(t.inflate_us), ms(handoff_us));
}

// Linux's COMMAND_LINE_SIZE on arm64 (arch/arm64/include/uapi/asm/setup.h).
constexpr std::size_t kMaxCmdline = 2048;

// The console fixup (bootflow/console_fixup.h) on the command line the kernel
// will get: $bootargs, or what Xen put in /chosen when $bootargs is unset.
// True when `out` holds the fixed line.
Result<bool> fix_console(Context& ctx, const void* blob, std::optional<std::string_view> bootargs, char* out,
                         std::size_t size) {
    std::optional<std::string_view> off = ctx.env != nullptr ? ctx.env->get("console_fixup") : std::nullopt;
    if (off && *off == "0") return false;
    const std::string_view line = bootargs ? *bootargs : std::string_view(TRY(fdt::bootargs(blob)));
    const ConsoleCheck check = check_consoles(line);
    if (!check.append_hvc0) return false;
    if (!append_hvc0(line, out, size)) {
        ctx.con.printf("xenboot: command line too long to append console=hvc0; booting it as it is\n");
        return false;
    }
    ctx.con.printf(
        "xenboot: console=%s%s is not a Xen guest console: appending console=hvc0 "
        "(console_fixup=0 turns this off)\n",
        check.first, check.named > 1 ? " (and the others named)" : "");
    return true;
}

}  // namespace

Status boot_kernel(Context& ctx, const BootRequest& req) {
    if (ctx.services == nullptr || ctx.services->handoff == nullptr) {
        return Error::make(Errc::unsupported, "this platform cannot hand off to a kernel");
    }
    const MemoryMap& mem = ctx.sys.memory;
    // The device tree and initrd first: the kernel's place must avoid them.
    // Both xenboot's own copy and the copy of a loaded tree lie in the
    // reserved heap, out of the kernel's way.
    std::uint64_t fdt_from = 0;
    const OpenFdt fdt = TRY(tree_for_boot(ctx, req, &fdt_from));
    Range keep_out[2];
    unsigned n_keep = 0;
    if (req.initrd) {
        if (req.initrd->size == 0) return Error::make(Errc::invalid_argument, "initrd: size is 0");
        // Free RAM only: an initrd over xenboot's heap would share pages with the
        // device-tree copy that the /chosen fixup rewrites.
        TRY_CTX(mem.require_free(*req.initrd, "initrd"), "initrd");
        keep_out[n_keep++] = *req.initrd;
    }
    const std::span<const Range> keep(keep_out, n_keep);

    TRY(mem.require_ram(Range{req.kernel_addr, loader::kArm64HeaderSize}, "kernel header"));
    Kernel kernel{req.kernel_addr, 0};
    if (loader::classify_kernel(std::span<const std::uint8_t>(at(req.kernel_addr), loader::kArm64HeaderSize)) !=
        loader::KernelFormat::image) {
        kernel = TRY(unpack_kernel(ctx, req.kernel_addr, keep));
    }
    const std::span<const std::uint8_t> header(at(kernel.addr), loader::kArm64HeaderSize);
    // An uncompressed Image's size is in its header (bss included, which is
    // what must be free); a legacy header (image_size 0) needs $filesize.
    std::uint64_t probe_size = kernel.size != 0 ? kernel.size : loader::kArm64HeaderSize;
    loader::Arm64Image image = TRY_CTX(loader::parse_arm64_image(header, probe_size), "kernel at 0x%lx", kernel.addr);
    if (kernel.size == 0) {
        if (image.size_known) {
            kernel.size = image.image_size;
        } else {
            kernel.size = TRY_CTX(env_hex(ctx.env, "filesize"), "legacy Image (image_size 0) at 0x%lx", kernel.addr);
        }
        TRY(mem.require_ram(Range{kernel.addr, kernel.size}, "kernel"));
        image = TRY_CTX(loader::parse_arm64_image(header, kernel.size), "kernel at 0x%lx", kernel.addr);
    }
    const std::uint64_t entry =
        TRY_CTX(loader::choose_kernel_address(image, kernel.addr, kernel.size, mem, keep), "placing the kernel");
    const std::uint64_t footprint = loader::arm64_image_footprint(image, kernel.size);
    TRY(mem.require_free(Range{entry, footprint}, "kernel"));
    ctx.con.printf("## Kernel at 0x%lx: arm64 Image, %lu bytes (image_size %lu, text_offset 0x%lx)\n", kernel.addr,
                   kernel.size, image.image_size, image.text_offset);
    if (req.initrd) {
        ctx.con.printf("## Initrd at 0x%lx, %lu bytes\n", req.initrd->base, req.initrd->size);
    }

    // /chosen: bootargs from $bootargs (unset: leave what Xen wrote, the xl
    // config's `extra`), the initrd or none.
    std::optional<std::string_view> bootargs = ctx.env != nullptr ? ctx.env->get("bootargs") : std::nullopt;
    char fixed[kMaxCmdline + 16];
    if (TRY(fix_console(ctx, fdt.blob, bootargs, fixed, sizeof fixed))) bootargs = std::string_view(fixed);
    TRY_CTX(fdt::fixup_chosen(fdt.blob, fdt.room, bootargs, req.initrd), "device tree at 0x%lx", fdt.addr);
    ctx.con.printf("## Flattened Device Tree blob at 0x%lx\n", fdt_from);
    if (fdt_from != fdt.addr) {
        ctx.con.printf("   Loading Device Tree to 0x%lx, end 0x%lx ... OK\n", fdt.addr, fdt.addr + fdt.room - 1);
    }

    // Irreversible from here: move the kernel, give Xen's resources back, jump.
    if (entry != kernel.addr) {
        ctx.con.printf("   Moving Image from 0x%lx to 0x%lx\n", kernel.addr, entry);
        memmove(at(entry), at(kernel.addr), kernel.size);
    }
    ctx.con.printf("\nStarting kernel ...\n\n");
    const std::uint64_t t0 = arch::counter();
    // A refused hand-off (a grant still in use) returns here, kernel not entered.
    const unsigned warnings = TRY(ctx.services->handoff->release_xen(ctx.con));
    const std::uint64_t handoff_us = arch::ticks_to_us(arch::counter() - t0);
    if (warnings != 0) ctx.con.printf("xenboot: %u hand-off warning(s); starting the kernel anyway\n", warnings);
    print_times(ctx, handoff_us);
    ctx.services->handoff->enter_kernel(entry, fdt.addr);
    ctx.stop = true;  // simulated platforms only: the guest is gone
    return ok();
}

}  // namespace xb::cmd
