#include "bootflow/boot_image.h"

#include <cstring>

#include "compress/decompress.h"
#include "loader/fit.h"
#include "loader/uimage.h"
#include "shell/parse.h"
#include "bootflow/system_info.h"

namespace xb::cmd {
namespace {

std::uint8_t* at(std::uint64_t addr) { return reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr)); }

// The bytes from addr to the end of the RAM bank holding it: what a FIT's
// external data may reach. Errors when addr is not in RAM.
Result<std::span<const std::uint8_t>> ram_from(const MemoryMap& mem, std::uint64_t addr, std::uint64_t min) {
    TRY(mem.require_ram(Range{addr, min}, "image"));
    for (unsigned i = 0; i < mem.ram_count(); ++i) {
        const Range& r = mem.ram(i);
        if (r.contains(addr)) return std::span<const std::uint8_t>(at(addr), static_cast<std::size_t>(r.end() - addr));
    }
    return Error::make(Errc::invalid_argument, "0x%lx is not in RAM", addr);
}

// Free bytes from addr on: up to the end of its free range and before
// `avoid` when that lies above addr; an error if addr is not free or lies
// inside avoid.
Result<std::uint64_t> free_room(const MemoryMap& mem, std::uint64_t addr, Range avoid, const char* what) {
    std::array<Range, MemoryMap::kMaxRanges> free{};
    const unsigned n = mem.free_ranges(free);
    std::uint64_t end = 0;
    for (unsigned i = 0; i < n; ++i) {
        if (free[i].contains(addr)) end = free[i].end();
    }
    if (end == 0) return Error::make(Errc::invalid_argument, "%s address 0x%lx is not in free RAM", what, addr);
    if (avoid.contains(addr)) {
        return Error::make(Errc::invalid_argument, "%s address 0x%lx lies inside the image 0x%lx-0x%lx", what, addr,
                           avoid.base, avoid.end() - 1);
    }
    if (avoid.base > addr && avoid.base < end) end = avoid.base;
    return end - addr;
}

// Where the kernel goes: its load address when it is free RAM outside the
// image, else $kernel_addr_r, else (the image itself was loaded there, as
// `load ... ${loadaddr}` does: loadaddr is kernel_addr_r) the first 2 MiB
// boundary after the image. An arm64 Image runs anywhere 2 MiB-aligned, and
// boot_kernel moves it there.
Result<std::uint64_t> kernel_target(Context& ctx, std::optional<std::uint64_t> load, Range image) {
    if (load) {
        Result<std::uint64_t> room = free_room(ctx.sys.memory, *load, image, "load");
        if (room.ok()) return *load;
        ctx.con.printf("   Load address 0x%lx is not usable here (%s); using kernel_addr_r\n", *load,
                       room.error().message());
    }
    const std::uint64_t addr = TRY(env_hex(ctx.env, "kernel_addr_r"));
    if (!image.contains(addr)) return addr;
    constexpr std::uint64_t k2MiB = 2ULL << 20;
    const std::uint64_t after = align_up(image.end(), k2MiB);
    ctx.con.printf("   kernel_addr_r 0x%lx lies inside the image; using 0x%lx after it\n", addr, after);
    return after;
}

// Copies or decompresses data to target (checked: free RAM, clear of image).
Result<std::uint64_t> place(Context& ctx, std::span<const std::uint8_t> data, compress::Compression c,
                            std::uint64_t target, Range image, const char* what) {
    const std::uint64_t room = TRY(free_room(ctx.sys.memory, target, image, what));
    if (c == compress::Compression::none) {
        if (data.size() > room) {
            return Error::make(Errc::no_space, "%s of %zu bytes does not fit at 0x%lx (%lu bytes free)", what,
                               data.size(), target, room);
        }
        if (at(target) != data.data()) memmove(at(target), data.data(), data.size());
        return std::uint64_t{data.size()};
    }
    ctx.con.printf("   Uncompressing %s (%s) ... ", what, compress::compression_name(c));
    Result<std::uint64_t> n = compress::decompress(c, data, std::span<std::uint8_t>(at(target), room));
    if (!n.ok()) {
        ctx.con.printf("\n");
        return n.error().prefix("%s", what);
    }
    ctx.con.printf("OK (%lu bytes)\n", n.value());
    return n.value();
}

Status check_entry(const loader::FitImage& k) {
    if (k.load && k.entry && *k.load != *k.entry) {
        return Error::make(Errc::invalid_argument,
                           "FIT image '%s': entry 0x%lx is not its load address 0x%lx (an arm64 Image starts at its "
                           "first byte)",
                           k.name, *k.entry, *k.load);
    }
    return ok();
}

// The second and third arguments given to bootm, over what the image has.
Status apply_arguments(Context& ctx, const BootmRequest& req, BootRequest& boot) {
    if (req.no_initrd) boot.initrd.reset();
    if (req.initrd_addr) {
        if (req.initrd_size) {
            boot.initrd = Range{*req.initrd_addr, *req.initrd_size};
        } else {
            boot.initrd = TRY(uimage_ramdisk(ctx, *req.initrd_addr));
        }
    }
    if (req.fdt_addr) {
        boot.fdt_bytes.reset();
        boot.fdt_addr = req.fdt_addr;
    }
    return ok();
}

Status boot_fit(Context& ctx, const BootmRequest& req) {
    const std::span<const std::uint8_t> ram = TRY(ram_from(ctx.sys.memory, req.image_addr, 40));
    const std::size_t tree = TRY(loader::fit_tree_size(ram));
    TRY(ctx.sys.memory.require_ram(Range{req.image_addr, tree}, "FIT"));
    ctx.con.printf("## Loading kernel from FIT Image at %lx ...\n", req.image_addr);
    const loader::FitConfig fit = TRY(loader::parse_fit(ram, req.config));
    // The image's own extent, to keep its parts from being overwritten:
    // the tree and any external data after it.
    std::uint64_t end = req.image_addr + tree;
    for (const loader::FitImage* i :
         {&fit.kernel, fit.ramdisk ? &*fit.ramdisk : nullptr, fit.fdt ? &*fit.fdt : nullptr}) {
        if (i == nullptr) continue;
        const std::uint64_t e = reinterpret_cast<std::uintptr_t>(i->data.data()) + i->data.size();
        if (e > end) end = e;
    }
    const Range image{req.image_addr, end - req.image_addr};
    ctx.con.printf("   Using '%s' configuration\n", fit.name);
    unsigned hashes = fit.kernel.hashes;
    if (fit.ramdisk) hashes += fit.ramdisk->hashes;
    if (fit.fdt) hashes += fit.fdt->hashes;
    ctx.con.printf("   Verifying Hash Integrity ... %s (%u hash nodes)\n", hashes != 0 ? "OK" : "none", hashes);
    ctx.con.printf("   Trying '%s' kernel subimage\n", fit.kernel.name);
    TRY(check_entry(fit.kernel));

    BootRequest boot;
    if (fit.ramdisk && !req.no_initrd && !req.initrd_addr) {
        const loader::FitImage& rd = *fit.ramdisk;
        std::uint64_t base = reinterpret_cast<std::uintptr_t>(rd.data.data());
        ctx.con.printf("## Loading init Ramdisk from FIT Image at %lx ...\n", req.image_addr);
        ctx.con.printf("   Trying '%s' ramdisk subimage\n", rd.name);
        if (rd.compression != compress::Compression::none) {
            return Error::make(Errc::unsupported, "FIT image '%s': a compressed ramdisk sub-image is not supported",
                               rd.name);
        }
        if (rd.load && *rd.load != base) {
            TRY(place(ctx, rd.data, rd.compression, *rd.load, image, "ramdisk"));
            base = *rd.load;
            ctx.con.printf("   Loading Ramdisk to %lx, end %lx ... OK\n", base, base + rd.data.size());
        }
        boot.initrd = Range{base, rd.data.size()};
    }
    if (fit.fdt && !req.fdt_addr) {
        const loader::FitImage& f = *fit.fdt;
        ctx.con.printf("## Loading fdt from FIT Image at %lx ...\n", req.image_addr);
        ctx.con.printf("   Trying '%s' fdt subimage\n", f.name);
        if (f.compression != compress::Compression::none) {
            return Error::make(Errc::unsupported, "FIT image '%s': a compressed fdt sub-image is not supported",
                               f.name);
        }
        boot.fdt_bytes = Range{reinterpret_cast<std::uintptr_t>(f.data.data()), f.data.size()};
    }
    TRY(apply_arguments(ctx, req, boot));
    const std::uint64_t target = TRY(kernel_target(ctx, fit.kernel.load, image));
    ctx.con.printf("   Loading Kernel Image to %lx\n", target);
    const std::uint64_t size = TRY(place(ctx, fit.kernel.data, fit.kernel.compression, target, image, "kernel"));
    if (boot.initrd && boot.initrd->overlaps(Range{target, size})) {
        return Error::make(Errc::invalid_argument, "kernel 0x%lx-0x%lx overlaps the initrd 0x%lx-0x%lx", target,
                           target + size - 1, boot.initrd->base, boot.initrd->end() - 1);
    }
    boot.kernel_addr = target;
    return boot_kernel(ctx, boot);
}

Status boot_legacy(Context& ctx, const BootmRequest& req) {
    const std::span<const std::uint8_t> ram = TRY(ram_from(ctx.sys.memory, req.image_addr, loader::kUImageHeaderSize));
    const std::size_t total = TRY(loader::uimage_size(ram));
    TRY(ctx.sys.memory.require_ram(Range{req.image_addr, total}, "uImage"));
    const loader::UImage img = TRY(loader::parse_uimage(ram));
    char buf[16];
    ctx.con.printf("## Booting kernel from Legacy Image at %lx ...\n", req.image_addr);
    ctx.con.printf("   Image Name:   %s\n", img.name);
    ctx.con.printf("   Image Type:   %s (%s)\n", loader::uimage_type_name(img.type, buf),
                   compress::compression_name(img.compression));
    ctx.con.printf("   Data Size:    %zu Bytes\n", img.data.size());
    ctx.con.printf("   Load Address: %08x\n", img.load);
    ctx.con.printf("   Entry Point:  %08x\n", img.entry);
    ctx.con.printf("   Verifying Checksum ... OK\n");
    if (img.type != static_cast<std::uint8_t>(loader::UImageType::kernel)) {
        return Error::make(Errc::invalid_argument, "uImage '%s' is a %s image, not a kernel", img.name,
                           loader::uimage_type_name(img.type, buf));
    }
    if (img.arch != loader::kUImageArchArm64) {
        return Error::make(Errc::unsupported, "uImage '%s': architecture %u, not arm64 (22)", img.name, img.arch);
    }
    if (img.os != loader::kUImageOsLinux) {
        return Error::make(Errc::unsupported, "uImage '%s': OS %u, not Linux (5)", img.name, img.os);
    }
    if (img.entry != img.load) {
        return Error::make(Errc::invalid_argument,
                           "uImage '%s': entry 0x%x is not its load address 0x%x (an arm64 Image starts at its "
                           "first byte)",
                           img.name, img.entry, img.load);
    }
    BootRequest boot;
    TRY(apply_arguments(ctx, req, boot));
    const Range image{req.image_addr, total};
    const std::uint64_t target = TRY(kernel_target(ctx, std::uint64_t{img.load}, image));
    ctx.con.printf("   Loading Kernel Image to %lx\n", target);
    const std::uint64_t size = TRY(place(ctx, img.data, img.compression, target, image, "kernel"));
    if (boot.initrd && boot.initrd->overlaps(Range{target, size})) {
        return Error::make(Errc::invalid_argument, "kernel 0x%lx-0x%lx overlaps the initrd 0x%lx-0x%lx", target,
                           target + size - 1, boot.initrd->base, boot.initrd->end() - 1);
    }
    boot.kernel_addr = target;
    return boot_kernel(ctx, boot);
}

}  // namespace

Result<Range> uimage_ramdisk(Context& ctx, std::uint64_t addr) {
    const std::span<const std::uint8_t> ram = TRY(ram_from(ctx.sys.memory, addr, loader::kUImageHeaderSize));
    if (!loader::looks_like_uimage(ram)) {
        return Error::make(Errc::invalid_argument,
                           "initrd at 0x%lx needs a size (initrd_addr:size) or a uImage header (mkimage -T ramdisk)",
                           addr);
    }
    const std::size_t total = TRY_CTX(loader::uimage_size(ram), "initrd at 0x%lx", addr);
    TRY(ctx.sys.memory.require_ram(Range{addr, total}, "initrd"));
    const loader::UImage img = TRY_CTX(loader::parse_uimage(ram), "initrd at 0x%lx", addr);
    if (img.type != static_cast<std::uint8_t>(loader::UImageType::ramdisk)) {
        char buf[16];
        return Error::make(Errc::invalid_argument, "initrd at 0x%lx: uImage '%s' is a %s image, not a ramdisk", addr,
                           img.name, loader::uimage_type_name(img.type, buf));
    }
    ctx.con.printf("## Loading init Ramdisk from Legacy Image at %lx ...\n", addr);
    ctx.con.printf("   Image Name:   %s\n   Data Size:    %zu Bytes\n   Verifying Checksum ... OK\n", img.name,
                   img.data.size());
    return Range{reinterpret_cast<std::uintptr_t>(img.data.data()), img.data.size()};
}

Status boot_image(Context& ctx, const BootmRequest& req) {
    TRY(ctx.sys.memory.require_ram(Range{req.image_addr, 4}, "image"));
    const std::span<const std::uint8_t> head(at(req.image_addr), 4);
    if (loader::looks_like_fit(head)) return boot_fit(ctx, req);
    if (req.config != nullptr) {
        return Error::make(Errc::invalid_argument, "#%s: only a FIT image has configurations", req.config);
    }
    if (loader::looks_like_uimage(head)) return boot_legacy(ctx, req);
    return Error::make(Errc::invalid_argument,
                       "no FIT or legacy uImage at 0x%lx (for a plain arm64 Image or Image.gz use booti)",
                       req.image_addr);
}

}  // namespace xb::cmd
