// tftpboot (alias tftp) and wget, with U-Boot's syntax (doc/usage/cmd/tftpboot.rst,
// doc/usage/cmd/wget.rst, cmd/lwip/tftp.c): thin wrappers over net/tftp_client.h
// and net/http_client.h on the stack of bootflow/net_devices.h.
//
// Network loads do not know the file's size before it arrives, so the
// destination is everything from the load address to the end of the free RAM
// range holding it (lib/memory_map.h): the clients never write past it, and an
// address outside free RAM is refused before any packet, as `load` refuses.
//
// Progress: for a transfer that lasts longer than a second, one line a second
// at most ("  N bytes [of T] (X.Y MiB/s)", or KiB/s under 1 MiB/s), instead of U-Boot's hash marks,
// which say little on a serial console that logs.
#include <array>
#include <cstring>

#include "arch/arch.h"
#include "commands/builtins.h"
#include "commands/net_common.h"
#include "net/http_client.h"
#include "net/sockets.h"
#include "net/tftp_client.h"
#include "net/url.h"
#include "shell/environment.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

// One TFTP DATA of the largest block size RFC 2348 allows: static, the
// 64 KiB stack has no room for it.
std::uint8_t g_tftp_packet[net::tftp::kMaxBlockSize + net::tftp::kHeader];

constexpr std::size_t kMaxName = 1024;

// Copies an environment variable into `out` (NUL-terminated); false when unset.
Result<bool> env_text(Context& ctx, const char* name, char* out, std::size_t size) {
    if (ctx.env == nullptr) return false;
    auto v = ctx.env->get(name);
    if (!v.has_value()) return false;
    if (v->size() >= size) return Error::make(Errc::invalid_argument, "$%s is too long", name);
    std::memcpy(out, v->data(), v->size());
    out[v->size()] = 0;
    return true;
}

Result<net::Ipv4Address> env_ip(Context& ctx, const char* name) {
    char text[16];
    if (!TRY(env_text(ctx, name, text, sizeof text))) return net::Ipv4Address{};
    return TRY_CTX(net::parse_ipv4(text), "$%s", name);
}

// A decimal variable (U-Boot reads the tftp* ones with base 10), or `fallback`.
Result<std::uint64_t> env_dec(Context& ctx, const char* name, std::uint64_t fallback) {
    char text[24];
    if (!TRY(env_text(ctx, name, text, sizeof text))) return fallback;
    return TRY_CTX(parse_dec(text, name), "$%s", name);
}

// The arguments [loadAddress] [file]: one argument is the address when it is
// all hex digits (U-Boot's rule), else the file.
struct LoadArgs {
    std::uint64_t addr = 0;
    char file[kMaxName + 1] = {};
};

Result<LoadArgs*> load_args(Context& ctx, int argc, char* const argv[], LoadArgs& out) {
    if (argc > 3) return usage_error("expects at most an address and a file name");
    const char* file = nullptr;
    const char* addr = nullptr;
    if (argc == 3) {
        addr = argv[1];
        file = argv[2];
    } else if (argc == 2) {
        if (parse_hex(argv[1], "address").ok()) addr = argv[1];
        else file = argv[1];
    }
    if (addr != nullptr) {
        out.addr = TRY(parse_hex(addr, "address"));
    } else {
        Result<std::uint64_t> a = env_hex(ctx.env, "loadaddr");
        if (!a.ok()) return Error::make(a.error().code(), "no address given and %s", a.error().message());
        out.addr = a.value();
    }
    if (file != nullptr) {
        if (std::strlen(file) > kMaxName) return Error::make(Errc::invalid_argument, "file name too long");
        std::strcpy(out.file, file);
    } else if (!TRY(env_text(ctx, "bootfile", out.file, sizeof out.file))) {
        return Error::make(Errc::invalid_argument, "no file name given and $bootfile is not set");
    }
    return &out;
}

// [addr, end of the free RAM range holding addr), or require_free's error.
Result<std::span<std::uint8_t>> destination(Context& ctx, std::uint64_t addr, const char* what) {
    std::array<Range, MemoryMap::kMaxRanges> free{};
    const unsigned n = ctx.sys.memory.free_ranges(free);
    for (unsigned i = 0; i < n; ++i) {
        if (!free[i].contains(addr)) continue;
        auto* p = reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr));
        return std::span<std::uint8_t>(p, static_cast<std::size_t>(free[i].end() - addr));
    }
    TRY(ctx.sys.memory.require_free(Range{addr, 1}, what));
    return Error::make(Errc::invalid_argument, "refusing to write 0x%lx (%s): not in free RAM", addr, what);
}

struct Progress {
    Context* ctx;
    std::uint64_t start;
    std::uint64_t last_print;
};

void print_rate(Context& ctx, std::uint64_t bytes, std::uint64_t ms) {
    if (ms == 0) return;
    // Integers only; bytes / ms first only where bytes * 10000 could overflow
    // (past 2^50 bytes). Under 1 MiB/s (lockstep TFTP on a slow link) the
    // rate is in KiB/s, where tenths of MiB/s would round it to 0.0.
    const std::uint64_t per_10s = bytes < (1ULL << 50) ? bytes * 10000 / ms : (bytes / ms) * 10000;
    const std::uint64_t tenths = per_10s / (1ULL << 20);
    if (tenths < 10) {
        ctx.con.printf(" (%lu KiB/s)", per_10s / 10 / 1024);
        return;
    }
    ctx.con.printf(" (%lu.%lu MiB/s)", tenths / 10, tenths % 10);
}

void on_progress(void* context, std::uint64_t bytes, std::uint64_t total) {
    auto* p = static_cast<Progress*>(context);
    const std::uint64_t now = arch::counter();
    if (arch::ticks_to_ms(now - p->last_print) < 1000) return;
    p->last_print = now;
    p->ctx->con.printf("  %lu bytes", bytes);
    if (total != 0) p->ctx->con.printf(" of %lu", total);
    print_rate(*p->ctx, bytes, arch::ticks_to_ms(now - p->start));
    p->ctx->con.write("\n");
}

bool on_cancel(void* context) { return static_cast<Progress*>(context)->ctx->ctrlc(); }

net::TransferCallbacks callbacks(Progress& p) {
    net::TransferCallbacks cb;
    cb.progress = on_progress;
    cb.cancel = on_cancel;
    cb.context = &p;
    cb.progress_interval_ms = 1000;
    return cb;
}

Status finish(Context& ctx, std::uint64_t addr, std::uint64_t bytes) {
    ctx.con.printf("Bytes transferred = %lu (%lx hex)\n", bytes, bytes);
    if (ctx.env == nullptr) return ok();
    TRY(ctx.env->set_hex("fileaddr", addr));
    return ctx.env->set_hex("filesize", bytes);
}

// net/'s errors name the protocol and file already: shown as they are.
Error as_reported(Context& ctx, const Error& e) {
    if (e.code() == Errc::interrupted) ctx.con.printf("\nAbort\n");
    ctx.con.printf("%s\n", e.message());
    return quiet_failure();
}

Result<std::uint16_t> env_u16(Context& ctx, const char* name, std::uint64_t fallback, std::uint64_t lo,
                              std::uint64_t hi) {
    const std::uint64_t v = TRY(env_dec(ctx, name, fallback));
    if (v < lo || v > hi) return Error::make(Errc::invalid_argument, "$%s: %lu is not in %lu..%lu", name, v, lo, hi);
    return static_cast<std::uint16_t>(v);
}

}  // namespace

Status tftp_load(Context& ctx, int argc, char* const argv[]) {
    static LoadArgs args;
    args = LoadArgs{};
    TRY(load_args(ctx, argc, argv, args));
    // Server: the "ip:" prefix, else $tftpserverip, else $serverip (U-Boot lwIP).
    net::Ipv4Address server{};
    const char* name = args.file;
    if (const char* colon = std::strchr(args.file, ':'); colon != nullptr && colon - args.file < 16) {
        char ip[16] = {};
        std::memcpy(ip, args.file, static_cast<std::size_t>(colon - args.file));
        if (Result<net::Ipv4Address> a = net::parse_ipv4(ip); a.ok()) {
            server = a.value();
            name = colon + 1;
        }
    }
    if (server.is_any()) server = TRY(env_ip(ctx, "tftpserverip"));
    if (server.is_any()) server = TRY(env_ip(ctx, "serverip"));
    if (server.is_any()) return Error::make(Errc::invalid_argument, "no server: set serverip or use ip:file");
    if (name[0] == 0) return Error::make(Errc::invalid_argument, "no file name");
    if (std::strlen(name) > net::tftp::kMaxFilename)
        return Error::make(Errc::invalid_argument, "file name longer than %zu bytes", net::tftp::kMaxFilename);

    net::TftpRequest request;
    request.options.block_size =
        TRY(env_u16(ctx, "tftpblocksize", 1468, net::tftp::kMinBlockSize, net::tftp::kMaxBlockSize));
    request.options.window_size = TRY(env_u16(ctx, "tftpwindowsize", 1, 1, 65535));
    std::uint64_t timeout = TRY(env_dec(ctx, "tftptimeout", 5000));
    if (timeout < net::tftp::kMinTimeoutMs) timeout = net::tftp::kMinTimeoutMs;
    if (timeout > 3600000) timeout = 3600000;
    request.options.timeout_ms = static_cast<std::uint32_t>(timeout);
    const std::uint64_t retries = TRY(env_dec(ctx, "tftptimeoutcountmax", 10));
    request.options.max_retries = static_cast<std::uint32_t>(retries > 1000 ? 1000 : retries);

    // The range is checked before anything goes on the wire.
    request.dest = TRY(destination(ctx, args.addr, name));
    net::Stack* stack = TRY(stack_with_address(ctx));

    char server_text[16], our_text[16];
    net::format_ipv4(server, server_text);
    net::format_ipv4(stack->config().ip, our_text);
    ctx.con.printf("TFTP from server %s; our IP address is %s\n", server_text, our_text);
    ctx.con.printf("Filename '%s'.\nLoad address: 0x%lx\n", name, args.addr);

    net::UdpSocket socket;
    TRY(socket.open(*stack));
    request.server = net::Endpoint{server, net::tftp::kPort};
    request.filename = name;
    request.packet = g_tftp_packet;
    Progress progress{&ctx, arch::counter(), arch::counter()};
    request.callbacks = callbacks(progress);
    Result<net::TftpResult> result = net::tftp_read(socket, request);
    socket.close();
    if (!result.ok()) return as_reported(ctx, result.error());
    const net::TftpResult& r = result.value();
    // The transfer's own time and rate (as wget's line; U-Boot prints the
    // rate too): what bench_net.py reads, without the console's cost.
    ctx.con.printf("%lu bytes transferred in %lu ms", r.bytes, r.elapsed_ms);
    print_rate(ctx, r.bytes, r.elapsed_ms);
    ctx.con.printf(" (blksize %u, windowsize %u)\n", r.block_size, r.window_size);
    if (ctx.services != nullptr) ctx.services->times.load_us += r.elapsed_ms * 1000;
    return finish(ctx, args.addr, r.bytes);
}

Status do_tftpboot(Context& ctx, int argc, char* const argv[]) { return tftp_load(ctx, argc, argv); }

namespace {

class TcpConnector final : public net::HttpConnector {
  public:
    explicit TcpConnector(net::Stack& stack) : stack_(stack) {}
    Result<net::Stream*> connect(const net::Url& url) override {
        const net::Endpoint to = TRY(net::url_endpoint(url));
        TRY(stream_.connect(stack_, to, Deadline::after_ms(10000)));
        return static_cast<net::Stream*>(&stream_);
    }
    void close(net::Stream*) override { stream_.close(); }

  private:
    net::Stack& stack_;
    net::TcpStream stream_;
};

}  // namespace

Status do_wget(Context& ctx, int argc, char* const argv[]) {
    static LoadArgs args;
    static net::Url url;
    args = LoadArgs{};
    url = net::Url{};
    TRY(load_args(ctx, argc, argv, args));
    const net::Ipv4Address server = TRY(env_ip(ctx, "serverip"));
    TRY(net::parse_url(args.file, server, url));
    net::HttpRequest request;
    request.dest = TRY(destination(ctx, args.addr, args.file));
    net::Stack* stack = TRY(stack_with_address(ctx));
    TcpConnector connector(*stack);
    Progress progress{&ctx, arch::counter(), arch::counter()};
    request.callbacks = callbacks(progress);
    Result<net::HttpResult> result = net::http_download(connector, url, request);
    if (!result.ok()) return as_reported(ctx, result.error());
    const net::HttpResult& r = result.value();
    ctx.con.printf("%lu bytes transferred in %lu ms", r.bytes, r.elapsed_ms);
    print_rate(ctx, r.bytes, r.elapsed_ms);
    ctx.con.write("\n");
    if (ctx.services != nullptr) ctx.services->times.load_us += r.elapsed_ms * 1000;
    return finish(ctx, args.addr, r.bytes);
}

}  // namespace xb::cmd
