// Memory commands with U-Boot's syntax and output: md, mw, cp, cmp (with the
// .b/.w/.l/.q size suffix, default .l) and crc32. Numbers are hex.
// Safety: everything read must lie in RAM (MemoryMap::require_ram), everything
// written in free RAM (require_free), checked over the whole range before the
// first access; unaligned .w/.l/.q addresses are refused.
#include <cstring>

#include "commands/builtins.h"
#include "shell/parse.h"
#include "lib/crc32.h"

namespace xb::cmd {
namespace {

constexpr unsigned kLineBytes = 16;  // md shows 16 bytes per line
constexpr std::uint64_t kDefaultCount = 0x40;

// What a bare `md` continues from (U-Boot: "the specified data_size and length
// become the defaults"). Zero-initialised: no constructor runs in the firmware.
struct MdState {
    std::uint64_t next_addr;
    std::uint64_t count;
    unsigned size;
};
constinit MdState g_md{0, kDefaultCount, 4};

const char* unit_name(unsigned size) {
    switch (size) {
        case 1: return "byte";
        case 2: return "halfword";
        case 8: return "double word";
        default: return "word";
    }
}

// The size suffix of argv[0] ("md.w" -> 2); no suffix -> 4; 0 if unknown.
unsigned unit_size(const char* argv0) {
    const char* dot = strchr(argv0, '.');
    if (dot == nullptr) return 4;
    if (strcmp(dot, ".b") == 0) return 1;
    if (strcmp(dot, ".w") == 0) return 2;
    if (strcmp(dot, ".l") == 0) return 4;
    if (strcmp(dot, ".q") == 0) return 8;
    return 0;
}

void* ptr(std::uint64_t addr) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(addr)); }

std::uint64_t load(std::uint64_t addr, unsigned size) {
    switch (size) {
        case 1: {
            std::uint8_t v;
            memcpy(&v, ptr(addr), 1);
            return v;
        }
        case 2: {
            std::uint16_t v;
            memcpy(&v, ptr(addr), 2);
            return v;
        }
        case 4: {
            std::uint32_t v;
            memcpy(&v, ptr(addr), 4);
            return v;
        }
        default: {
            std::uint64_t v;
            memcpy(&v, ptr(addr), 8);
            return v;
        }
    }
}

void store(std::uint64_t addr, unsigned size, std::uint64_t value) {
    switch (size) {
        case 1: {
            auto v = static_cast<std::uint8_t>(value);
            memcpy(ptr(addr), &v, 1);
            break;
        }
        case 2: {
            auto v = static_cast<std::uint16_t>(value);
            memcpy(ptr(addr), &v, 2);
            break;
        }
        case 4: {
            auto v = static_cast<std::uint32_t>(value);
            memcpy(ptr(addr), &v, 4);
            break;
        }
        default: memcpy(ptr(addr), &value, 8); break;
    }
}

// The unit size argv[0]'s suffix asks for.
Result<unsigned> unit_size_of(const char* argv0) {
    const unsigned size = unit_size(argv0);
    if (size == 0) return usage_error("unknown size suffix in '%s' (.b, .w, .l or .q)", argv0);
    return size;
}

Status check_aligned(std::uint64_t addr, unsigned size) {
    if (addr % size == 0) return ok();
    return Error::make(Errc::invalid_argument, "address 0x%lx is not aligned to %u bytes", addr, size);
}

// count units of size bytes, without overflow.
Result<std::uint64_t> byte_count(std::uint64_t count, unsigned size) {
    if (count > UINT64_MAX / size) return Error::make(Errc::invalid_argument, "count 0x%lx is too large", count);
    return count * size;
}

// One md line, built whole so the console gets one write per line.
void md_line(Console& con, std::uint64_t addr, unsigned size, unsigned units) {
    char line[128];
    std::size_t n = format_to(line, sizeof line, "%08lx:", addr);
    for (unsigned i = 0; i < kLineBytes / size; ++i) {
        if (i < units) {
            n +=
                format_to(line + n, sizeof line - n, " %0*lx", static_cast<int>(size * 2), load(addr + i * size, size));
        } else {
            n += format_to(line + n, sizeof line - n, "%*s", static_cast<int>(size * 2 + 1), "");  // keep ASCII aligned
        }
    }
    n += format_to(line + n, sizeof line - n, "    ");
    const auto* bytes = static_cast<const std::uint8_t*>(ptr(addr));
    for (unsigned i = 0; i < units * size; ++i)
        line[n++] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? static_cast<char>(bytes[i]) : '.';
    line[n++] = '\n';
    con.write(std::string_view(line, n));
}

}  // namespace

Status do_md(Context& ctx, int argc, char* const argv[]) {
    unsigned size = TRY(unit_size_of(argv[0]));
    if (argc > 3) return usage_error("too many arguments");
    // A bare `md` goes on where the last one ended, in its size and length.
    if (argc == 1 && strchr(argv[0], '.') == nullptr) size = g_md.size;
    std::uint64_t addr = g_md.next_addr;
    std::uint64_t count = g_md.count;
    if (argc > 1) addr = TRY(parse_hex(argv[1], "address"));
    if (argc > 2) count = TRY(parse_hex(argv[2], "count"));
    TRY(check_aligned(addr, size));
    const std::uint64_t len = TRY(byte_count(count, size));
    TRY(ctx.sys.memory.require_ram({addr, len}, "md read"));
    for (std::uint64_t done = 0; done < len; done += kLineBytes) {
        const std::uint64_t left = len - done;
        md_line(ctx.con, addr + done, size, static_cast<unsigned>((left < kLineBytes ? left : kLineBytes) / size));
    }
    g_md = MdState{addr + len, count, size};
    return ok();
}

Status do_mw(Context& ctx, int argc, char* const argv[]) {
    const unsigned size = TRY(unit_size_of(argv[0]));
    if (argc < 3) return usage_error("expects an address and a value");
    if (argc > 4) return usage_error("too many arguments");
    const std::uint64_t addr = TRY(parse_hex(argv[1], "address"));
    const std::uint64_t value = TRY(parse_hex(argv[2], "value"));
    const std::uint64_t count = argc > 3 ? TRY(parse_hex(argv[3], "count")) : 1;
    if (size < 8 && value >> (8 * size) != 0) {
        return Error::make(Errc::invalid_argument, "value 0x%lx does not fit in a %s", value, unit_name(size));
    }
    TRY(check_aligned(addr, size));
    const std::uint64_t len = TRY(byte_count(count, size));
    TRY(ctx.sys.memory.require_free({addr, len}, "mw write"));
    for (std::uint64_t off = 0; off < len; off += size) store(addr + off, size, value);
    return ok();
}

Status do_cp(Context& ctx, int argc, char* const argv[]) {
    const unsigned size = TRY(unit_size_of(argv[0]));
    if (argc != 4) return usage_error("expects source, target and count");
    const std::uint64_t src = TRY(parse_hex(argv[1], "source"));
    const std::uint64_t dst = TRY(parse_hex(argv[2], "target"));
    const std::uint64_t count = TRY(parse_hex(argv[3], "count"));
    TRY(check_aligned(src, size));
    TRY(check_aligned(dst, size));
    const std::uint64_t len = TRY(byte_count(count, size));
    TRY(ctx.sys.memory.require_ram({src, len}, "cp read"));
    TRY(ctx.sys.memory.require_free({dst, len}, "cp write"));
    memmove(ptr(dst), ptr(src), len);  // the ranges may overlap, as in U-Boot
    return ok();
}

Status do_cmp(Context& ctx, int argc, char* const argv[]) {
    const unsigned size = TRY(unit_size_of(argv[0]));
    if (argc != 4) return usage_error("expects two addresses and a count");
    const std::uint64_t addr1 = TRY(parse_hex(argv[1], "address"));
    const std::uint64_t addr2 = TRY(parse_hex(argv[2], "address"));
    const std::uint64_t count = TRY(parse_hex(argv[3], "count"));
    TRY(check_aligned(addr1, size));
    TRY(check_aligned(addr2, size));
    const std::uint64_t len = TRY(byte_count(count, size));
    TRY(ctx.sys.memory.require_ram({addr1, len}, "cmp read"));
    TRY(ctx.sys.memory.require_ram({addr2, len}, "cmp read"));
    const char* unit = unit_name(size);
    std::uint64_t same = 0;
    for (; same < count; ++same) {
        const std::uint64_t off = same * size;
        const std::uint64_t v1 = load(addr1 + off, size);
        const std::uint64_t v2 = load(addr2 + off, size);
        if (v1 != v2) {
            ctx.con.printf("%s at 0x%08lx (0x%0*lx) != %s at 0x%08lx (0x%0*lx)\n", unit, addr1 + off,
                           static_cast<int>(size * 2), v1, unit, addr2 + off, static_cast<int>(size * 2), v2);
            break;
        }
    }
    ctx.con.printf("Total of %lu %s(s) were the same\n", same, unit);
    return same == count ? ok() : quiet_failure();  // the difference is shown above
}

// crc32 -v address count crc: U-Boot's verify form, through the hash engine.
Status do_crc32(Context& ctx, int argc, char* const argv[]) {
    if (argc > 1 && strcmp(argv[1], "-v") == 0) return run_hash(ctx, "crc32", argc - 1, argv + 1);
    if (argc < 3) return usage_error("expects an address and a count");
    if (argc > 4) return usage_error("too many arguments");
    const std::uint64_t addr = TRY(parse_hex(argv[1], "address"));
    const std::uint64_t len = TRY(parse_hex(argv[2], "count"));
    const std::uint64_t store_at = argc > 3 ? TRY(parse_hex(argv[3], "address")) : 0;
    TRY(ctx.sys.memory.require_ram({addr, len}, "crc32 read"));
    if (argc > 3) TRY(ctx.sys.memory.require_free({store_at, 4}, "crc32 store"));
    const std::uint32_t crc = crc32(0, ptr(addr), len);
    ctx.con.printf("crc32 for %08lx ... %08lx ==> %08x\n", addr, addr + len - 1, crc);
    if (argc > 3) {
        // Stored most significant byte first, as U-Boot stores hash results.
        auto* out = static_cast<std::uint8_t*>(ptr(store_at));
        for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    }
    return ok();
}

}  // namespace xb::cmd
