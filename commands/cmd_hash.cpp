// hash, sha256sum and crc32 -v, as U-Boot's hash_command (common/hash.c):
//   hash [-v] <sha256|crc32> address count [[*]sum_dest | sum]
//   sha256sum [-v] address count [[*]sum_dest | sum]
// Output "sha256 for 40000000 ... 4000ffff ==> <hex digest>". A destination
// "*addr" stores the digest bytes there (big-endian for crc32, as U-Boot),
// another word names a variable set to the hex digest. -v compares instead:
// against the bytes at "*addr", a hex digest, or a variable holding one;
// silent when equal, "... != ... ** ERROR **" and status 1 when not.
#include <cstring>

#include "commands/builtins.h"
#include "lib/crc32.h"
#include "lib/sha256.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

constexpr std::size_t kMaxDigest = 32;

struct Digest {
    std::uint8_t bytes[kMaxDigest] = {};
    std::size_t size = 0;
};

void* ptr(std::uint64_t addr) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(addr)); }

Result<Digest> compute(const char* algo, std::uint64_t addr, std::uint64_t len) {
    Digest d;
    if (strcmp(algo, "sha256") == 0) {
        const Sha256Digest s = sha256(ptr(addr), static_cast<std::size_t>(len));
        memcpy(d.bytes, s.data(), s.size());
        d.size = s.size();
    } else if (strcmp(algo, "crc32") == 0) {
        const std::uint32_t crc = crc32(0, ptr(addr), static_cast<std::size_t>(len));
        for (unsigned i = 0; i < 4; ++i) d.bytes[i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
        d.size = 4;
    } else {
        return Error::make(Errc::invalid_argument, "unknown algorithm '%s' (xenboot has sha256, crc32)", algo);
    }
    return d;
}

void hex_of(const std::uint8_t* b, std::size_t n, char* out) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kHex[b[i] >> 4];
        out[2 * i + 1] = kHex[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The expected digest for -v: "*addr" (bytes in RAM), a hex digest of the
// right length, or a variable that holds one.
Result<Digest> expected(Context& ctx, const char* text, std::size_t size) {
    Digest d;
    d.size = size;
    if (text[0] == '*') {
        const std::uint64_t at = TRY(parse_hex(text + 1, "address"));
        TRY(ctx.sys.memory.require_ram({at, size}, "hash read"));
        memcpy(d.bytes, ptr(at), size);
        return d;
    }
    std::string_view hex = text;
    if (hex.size() != 2 * size && ctx.env != nullptr) {
        std::optional<std::string_view> v = ctx.env->get(text);
        if (v) hex = *v;
    }
    if (hex.size() > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
    if (hex.size() != 2 * size) {
        return Error::make(Errc::invalid_argument, "'%s' is not a %zu-digit hex digest (nor a variable holding one)",
                           text, 2 * size);
    }
    for (std::size_t i = 0; i < size; ++i) {
        const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return Error::make(Errc::invalid_argument, "'%s' is not a hex digest", text);
        d.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return d;
}

}  // namespace

Status run_hash(Context& ctx, const char* algo, int argc, char* const argv[]) {
    bool verify = false;
    if (argc > 0 && strcmp(argv[0], "-v") == 0) {
        verify = true;
        --argc;
        ++argv;
    }
    if (argc < 2) return usage_error("expects an address and a count");
    if (argc > 3) return usage_error("too many arguments");
    if (verify && argc < 3) return usage_error("-v expects the digest to compare with");
    const std::uint64_t addr = TRY(parse_hex(argv[0], "address"));
    const std::uint64_t len = TRY(parse_hex(argv[1], "count"));
    TRY(ctx.sys.memory.require_ram({addr, len}, "hash read"));
    const Digest d = TRY(compute(algo, addr, len));
    char text[2 * kMaxDigest + 1];
    hex_of(d.bytes, d.size, text);
    const std::uint64_t last = len != 0 ? addr + len - 1 : addr;
    if (verify) {
        const Digest want = TRY(expected(ctx, argv[2], d.size));
        if (memcmp(want.bytes, d.bytes, d.size) == 0) return ok();
        char want_text[2 * kMaxDigest + 1];
        hex_of(want.bytes, want.size, want_text);
        ctx.con.printf("%s for %08lx ... %08lx ==> %s != %s ** ERROR **\n", algo, addr, last, text, want_text);
        return quiet_failure();
    }
    ctx.con.printf("%s for %08lx ... %08lx ==> %s\n", algo, addr, last, text);
    if (argc < 3) return ok();
    if (argv[2][0] == '*') {
        const std::uint64_t at = TRY(parse_hex(argv[2] + 1, "address"));
        TRY(ctx.sys.memory.require_free({at, d.size}, "hash store"));
        memcpy(ptr(at), d.bytes, d.size);
        return ok();
    }
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    return ctx.env->set(argv[2], text);
}

Status do_hash(Context& ctx, int argc, char* const argv[]) {
    const bool verify = argc > 1 && strcmp(argv[1], "-v") == 0;
    const int algo_at = verify ? 2 : 1;
    if (argc <= algo_at) return usage_error("expects an algorithm");
    if (!verify) return run_hash(ctx, argv[1], argc - 2, argv + 2);
    // "-v" stays in front of the address for run_hash.
    char* args[4] = {argv[1], nullptr, nullptr, nullptr};
    if (argc - 3 > 3) return usage_error("too many arguments");
    for (int i = 3; i < argc; ++i) args[i - 2] = argv[i];
    return run_hash(ctx, argv[2], argc - 2, args);
}

Status do_sha256sum(Context& ctx, int argc, char* const argv[]) { return run_hash(ctx, "sha256", argc - 1, argv + 1); }

}  // namespace xb::cmd
