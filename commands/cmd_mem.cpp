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

constexpr unsigned kLineBytes = 16;        // md shows 16 bytes per line
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
        case 1: { std::uint8_t v; memcpy(&v, ptr(addr), 1); return v; }
        case 2: { std::uint16_t v; memcpy(&v, ptr(addr), 2); return v; }
        case 4: { std::uint32_t v; memcpy(&v, ptr(addr), 4); return v; }
        default: { std::uint64_t v; memcpy(&v, ptr(addr), 8); return v; }
    }
}

void store(std::uint64_t addr, unsigned size, std::uint64_t value) {
    switch (size) {
        case 1: { auto v = static_cast<std::uint8_t>(value); memcpy(ptr(addr), &v, 1); break; }
        case 2: { auto v = static_cast<std::uint16_t>(value); memcpy(ptr(addr), &v, 2); break; }
        case 4: { auto v = static_cast<std::uint32_t>(value); memcpy(ptr(addr), &v, 4); break; }
        default: memcpy(ptr(addr), &value, 8); break;
    }
}

// Common argument handling: the command's name and table entry, the unit size,
// and one-line errors.
class MemArgs {
  public:
    MemArgs(Context& ctx, const char* name, char* const argv[]) : ctx_(ctx), name_(name), cmd_(*find_command(name)) {
        size_ = unit_size(argv[0]);
    }
    unsigned size() const { return size_; }
    void set_size(unsigned size) { size_ = size; }
    bool size_ok() const { return size_ != 0; }

    int usage(const char* why) { return usage_error(ctx_, cmd_, "%s", why); }
    int bad_suffix(const char* argv0) {
        return usage_error(ctx_, cmd_, "unknown size suffix in '%s' (.b, .w, .l or .q)", argv0);
    }
    int fail(const Error& e) {
        ctx_.con.printf("%s: %s\n", name_, e.message());
        return 1;
    }

    bool hex(const char* text, const char* what, std::uint64_t& out) {
        Result<std::uint64_t> v = parse_hex(text, what);
        if (!v.ok()) {
            fail(v.error());
            return false;
        }
        out = v.value();
        return true;
    }
    bool aligned(std::uint64_t addr) {
        if (addr % size_ == 0) return true;
        ctx_.con.printf("%s: address 0x%lx is not aligned to %u bytes\n", name_, addr, size_);
        return false;
    }
    // count units of size() bytes, without overflow.
    bool bytes(std::uint64_t count, std::uint64_t& out) {
        if (count > UINT64_MAX / size_) {
            ctx_.con.printf("%s: count 0x%lx is too large\n", name_, count);
            return false;
        }
        out = count * size_;
        return true;
    }
    bool readable(std::uint64_t addr, std::uint64_t len, const char* what) {
        Status s = ctx_.sys.memory.require_ram({addr, len}, what);
        if (!s.ok()) fail(s.error());
        return s.ok();
    }
    bool writable(std::uint64_t addr, std::uint64_t len, const char* what) {
        Status s = ctx_.sys.memory.require_free({addr, len}, what);
        if (!s.ok()) fail(s.error());
        return s.ok();
    }

  private:
    Context& ctx_;
    const char* name_;
    const Command& cmd_;
    unsigned size_ = 4;
};

// One md line, built whole so the console gets one write per line.
void md_line(Console& con, std::uint64_t addr, unsigned size, unsigned units) {
    char line[128];
    std::size_t n = format_to(line, sizeof line, "%08lx:", addr);
    for (unsigned i = 0; i < kLineBytes / size; ++i) {
        if (i < units) {
            n += format_to(line + n, sizeof line - n, " %0*lx", static_cast<int>(size * 2),
                           load(addr + i * size, size));
        } else {
            n += format_to(line + n, sizeof line - n, "%*s", static_cast<int>(size * 2 + 1), "");  // keep ASCII aligned
        }
    }
    n += format_to(line + n, sizeof line - n, "    ");
    const auto* bytes = static_cast<const std::uint8_t*>(ptr(addr));
    for (unsigned i = 0; i < units * size; ++i) line[n++] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? static_cast<char>(bytes[i]) : '.';
    line[n++] = '\n';
    con.write(std::string_view(line, n));
}

}  // namespace

int do_md(Context& ctx, int argc, char* const argv[]) {
    MemArgs a(ctx, "md", argv);
    if (!a.size_ok()) return a.bad_suffix(argv[0]);
    if (argc > 3) return a.usage("too many arguments");
    // A bare `md` goes on where the last one ended, in its size and length.
    if (argc == 1 && strchr(argv[0], '.') == nullptr) a.set_size(g_md.size);
    std::uint64_t addr = g_md.next_addr;
    std::uint64_t count = g_md.count;
    std::uint64_t len;
    if (argc > 1 && !a.hex(argv[1], "address", addr)) return 1;
    if (argc > 2 && !a.hex(argv[2], "count", count)) return 1;
    if (!a.aligned(addr) || !a.bytes(count, len)) return 1;
    if (!a.readable(addr, len, "md read")) return 1;
    for (std::uint64_t done = 0; done < len; done += kLineBytes) {
        const std::uint64_t left = len - done;
        md_line(ctx.con, addr + done, a.size(), static_cast<unsigned>((left < kLineBytes ? left : kLineBytes) / a.size()));
    }
    g_md = MdState{addr + len, count, a.size()};
    return 0;
}

int do_mw(Context& ctx, int argc, char* const argv[]) {
    MemArgs a(ctx, "mw", argv);
    if (!a.size_ok()) return a.bad_suffix(argv[0]);
    if (argc < 3) return a.usage("expects an address and a value");
    if (argc > 4) return a.usage("too many arguments");
    std::uint64_t addr, value, count = 1, len;
    if (!a.hex(argv[1], "address", addr) || !a.hex(argv[2], "value", value)) return 1;
    if (argc > 3 && !a.hex(argv[3], "count", count)) return 1;
    if (a.size() < 8 && value >> (8 * a.size()) != 0) {
        ctx.con.printf("mw: value 0x%lx does not fit in a %s\n", value, unit_name(a.size()));
        return 1;
    }
    if (!a.aligned(addr) || !a.bytes(count, len) || !a.writable(addr, len, "mw write")) return 1;
    for (std::uint64_t off = 0; off < len; off += a.size()) store(addr + off, a.size(), value);
    return 0;
}

int do_cp(Context& ctx, int argc, char* const argv[]) {
    MemArgs a(ctx, "cp", argv);
    if (!a.size_ok()) return a.bad_suffix(argv[0]);
    if (argc != 4) return a.usage("expects source, target and count");
    std::uint64_t src, dst, count, len;
    if (!a.hex(argv[1], "source", src) || !a.hex(argv[2], "target", dst) || !a.hex(argv[3], "count", count)) return 1;
    if (!a.aligned(src) || !a.aligned(dst) || !a.bytes(count, len)) return 1;
    if (!a.readable(src, len, "cp read") || !a.writable(dst, len, "cp write")) return 1;
    memmove(ptr(dst), ptr(src), len);  // the ranges may overlap, as in U-Boot
    return 0;
}

int do_cmp(Context& ctx, int argc, char* const argv[]) {
    MemArgs a(ctx, "cmp", argv);
    if (!a.size_ok()) return a.bad_suffix(argv[0]);
    if (argc != 4) return a.usage("expects two addresses and a count");
    std::uint64_t addr1, addr2, count, len;
    if (!a.hex(argv[1], "address", addr1) || !a.hex(argv[2], "address", addr2) || !a.hex(argv[3], "count", count)) {
        return 1;
    }
    if (!a.aligned(addr1) || !a.aligned(addr2) || !a.bytes(count, len)) return 1;
    if (!a.readable(addr1, len, "cmp read") || !a.readable(addr2, len, "cmp read")) return 1;
    const unsigned size = a.size();
    const char* unit = unit_name(size);
    std::uint64_t same = 0;
    for (; same < count; ++same) {
        const std::uint64_t off = same * size;
        const std::uint64_t v1 = load(addr1 + off, size);
        const std::uint64_t v2 = load(addr2 + off, size);
        if (v1 != v2) {
            ctx.con.printf("%s at 0x%08lx (0x%0*lx) != %s at 0x%08lx (0x%0*lx)\n", unit,
                           addr1 + off, static_cast<int>(size * 2), v1, unit,
                           addr2 + off, static_cast<int>(size * 2), v2);
            break;
        }
    }
    ctx.con.printf("Total of %lu %s(s) were the same\n", same, unit);
    return same == count ? 0 : 1;
}

int do_crc32(Context& ctx, int argc, char* const argv[]) {
    MemArgs a(ctx, "crc32", argv);
    if (argc < 3) return a.usage("expects an address and a count");
    if (argc > 4) return a.usage("too many arguments");
    std::uint64_t addr, len, store_at = 0;
    if (!a.hex(argv[1], "address", addr) || !a.hex(argv[2], "count", len)) return 1;
    if (argc > 3 && !a.hex(argv[3], "address", store_at)) return 1;
    if (!a.readable(addr, len, "crc32 read")) return 1;
    if (argc > 3 && !a.writable(store_at, 4, "crc32 store")) return 1;
    const std::uint32_t crc = crc32(0, ptr(addr), len);
    ctx.con.printf("crc32 for %08lx ... %08lx ==> %08x\n", addr, addr + len - 1,
                   crc);
    if (argc > 3) {
        // Stored most significant byte first, as U-Boot stores hash results.
        auto* out = static_cast<std::uint8_t*>(ptr(store_at));
        for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    }
    return 0;
}

}  // namespace xb::cmd
