// tftpboot (alias tftp) and wget, with U-Boot's syntax (doc/usage/cmd/tftpboot.rst,
// doc/usage/cmd/wget.rst, cmd/lwip/tftp.c): thin wrappers over
// bootflow/net_boot.h (TFTP with the environment's settings, progress, Ctrl-C;
// shared with `pxe`) and net/http_client.h on the stack of bootflow/net_devices.h.
//
// Network loads do not know the file's size before it arrives, so the
// destination is everything from the load address to the end of the free RAM
// range holding it (lib/memory_map.h): the clients never write past it, and an
// address outside free RAM is refused before any packet, as `load` refuses.
//
// Progress: for a transfer that lasts longer than a second, one line a second
// at most ("  N bytes [of T] (X.Y MiB/s)", or KiB/s under 1 MiB/s), instead of U-Boot's hash marks,
// which say little on a serial console that logs.
#include <cstring>

#include "commands/builtins.h"
#include "commands/net_common.h"
#include "net/http_client.h"
#include "net/sockets.h"
#include "net/url.h"
#include "shell/environment.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

constexpr std::size_t kMaxName = 1024;

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
    if (server.is_any()) server = TRY(tftp_server_from_env(ctx));
    if (server.is_any()) return Error::make(Errc::invalid_argument, "no server: set serverip or use ip:file");
    if (name[0] == 0) return Error::make(Errc::invalid_argument, "no file name");
    if (std::strlen(name) > net::tftp::kMaxFilename)
        return Error::make(Errc::invalid_argument, "file name longer than %zu bytes", net::tftp::kMaxFilename);

    (void)TRY(tftp_options_from_env(ctx));  // bad settings fail before any packet

    // The range is checked before anything goes on the wire.
    const std::span<std::uint8_t> dest = TRY(free_ram_from(ctx, args.addr, name));
    net::Stack* stack = TRY(stack_with_address(ctx));

    char server_text[16], our_text[16];
    net::format_ipv4(server, server_text);
    net::format_ipv4(stack->config().ip, our_text);
    ctx.con.printf("TFTP from server %s; our IP address is %s\n", server_text, our_text);
    ctx.con.printf("Filename '%s'.\nLoad address: 0x%lx\n", name, args.addr);

    Result<net::TftpResult> result = tftp_fetch(ctx, *stack, server, name, dest);
    if (!result.ok()) return as_reported(ctx, result.error());
    const net::TftpResult& r = result.value();
    // The transfer's own time and rate (as wget's line; U-Boot prints the
    // rate too): what bench_net.py reads, without the console's cost.
    ctx.con.printf("%lu bytes transferred in %lu ms", r.bytes, r.elapsed_ms);
    print_rate(ctx, r.bytes, r.elapsed_ms);
    ctx.con.printf(" (blksize %u, windowsize %u)\n", r.block_size, r.window_size);
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
    const net::Ipv4Address server = TRY(env_ipv4(ctx, "serverip"));
    TRY(net::parse_url(args.file, server, url));
    net::HttpRequest request;
    request.dest = TRY(free_ram_from(ctx, args.addr, args.file));
    net::Stack* stack = TRY(stack_with_address(ctx));
    TcpConnector connector(*stack);
    TransferProgress progress(ctx);
    request.callbacks = progress.callbacks();
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
