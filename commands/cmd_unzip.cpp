// unzip SRCADDR DSTADDR [DSTSIZE]: decompresses data in memory, as U-Boot's
// unzip (cmd/unzip.c) does for gzip, here for every format compress/ reads
// (gzip, zstd, xz, lzma, lz4 legacy; found by magic). Prints U-Boot's
// "Uncompressed size: N = 0xN" and sets filesize (hex). Numbers are hex.
//
// Bounds: the source is read at most to the end of its RAM bank and never
// into the destination; the destination is DSTSIZE bytes (default: to the end
// of its free range) and must lie in free RAM and apart from the source. Data
// that decompresses to more than that is an error, nothing past it is written.
#include "commands/builtins.h"
#include "compress/decompress.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

std::uint8_t* ptr(std::uint64_t addr) { return reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr)); }

// The end of the RAM bank holding addr, or 0 if addr is in none.
std::uint64_t bank_end(const MemoryMap& mem, std::uint64_t addr) {
    for (unsigned i = 0; i < mem.ram_count(); ++i) {
        if (mem.ram(i).contains({addr, 1})) return mem.ram(i).end();
    }
    return 0;
}

// The end of the free range holding addr, or 0 if addr is not free.
std::uint64_t free_end(const MemoryMap& mem, std::uint64_t addr) {
    std::array<Range, MemoryMap::kMaxRanges> free{};
    const unsigned n = mem.free_ranges(free);
    for (unsigned i = 0; i < n; ++i) {
        if (free[i].contains({addr, 1})) return free[i].end();
    }
    return 0;
}

bool keep_going(void* context, std::uint64_t /*done*/) { return !static_cast<Context*>(context)->ctrlc(); }

}  // namespace

Status do_unzip(Context& ctx, int argc, char* const argv[]) {
    if (argc != 3 && argc != 4) return usage_error("expects a source, a destination and optionally a size");
    const std::uint64_t src = TRY(parse_hex(argv[1], "source address"));
    const std::uint64_t dst = TRY(parse_hex(argv[2], "destination address"));
    const MemoryMap& mem = ctx.sys.memory;

    std::uint64_t src_end = bank_end(mem, src);
    if (src_end == 0) return Error::make(Errc::invalid_argument, "source 0x%lx is not in RAM", src);
    if (dst > src && dst < src_end) src_end = dst;  // never read what is being written

    std::uint64_t dst_size = 0;
    if (argc == 4) {
        dst_size = TRY(parse_hex(argv[3], "size"));
    } else {
        const std::uint64_t end = free_end(mem, dst);
        if (end == 0) TRY(mem.require_free({dst, 1}, "unzip output"));  // says why
        dst_size = end - dst;
        if (src > dst && src < dst + dst_size) dst_size = src - dst;
    }
    if (dst_size == 0) return Error::make(Errc::invalid_argument, "no room at 0x%lx", dst);
    TRY(mem.require_free({dst, dst_size}, "unzip output"));
    const Range in{src, src_end - src};
    if (in.overlaps({dst, dst_size})) {
        return Error::make(Errc::invalid_argument, "source 0x%lx and destination 0x%lx-0x%lx overlap", src, dst,
                           dst + dst_size);
    }

    const std::span<const std::uint8_t> input(ptr(src), in.size);
    const compress::Compression method = compress::detect_compression(input);
    if (method == compress::Compression::none) {
        return Error::make(Errc::bad_data, "no gzip, zstd, xz, lzma or lz4 data at 0x%lx", src);
    }
    const compress::DecompressProgress progress{keep_going, &ctx, 4ULL << 20};
    const std::uint64_t n =
        TRY(compress::decompress(method, input, std::span<std::uint8_t>(ptr(dst), dst_size), &progress));
    ctx.con.printf("Uncompressed size: %lu = 0x%lX\n", n, n);
    if (ctx.env != nullptr) TRY(ctx.env->set_hex("filesize", n));
    return ok();
}

}  // namespace xb::cmd
