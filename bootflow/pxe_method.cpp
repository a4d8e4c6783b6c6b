#include "bootflow/pxe_method.h"

#include <cstring>
#include <new>
#include <string_view>

#include "bootflow/extlinux_method.h"
#include "bootflow/fs_access.h"
#include "bootflow/method_files.h"
#include "bootflow/net_boot.h"
#include "bootflow/services.h"
#include "bootflow/system_info.h"
#include "lib/scope_guard.h"
#include "net/pxe_paths.h"
#include "shell/environment.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

constexpr std::size_t kNameSize = sizeof Bootflow::path;

// The name `pxe get` left at which address, for `pxe boot`'s messages
// ("pxelinux.cfg/default line 3: ...").
constinit char g_last_name[kNameSize] = {};
constinit std::uint64_t g_last_addr = 0;

// A variable as a view, "" when unset. Valid until the environment changes.
std::string_view env_view(Context& ctx, const char* name) {
    if (ctx.env == nullptr) return {};
    return ctx.env->get(name).value_or(std::string_view{});
}

// The folder the config's files are relative to, copied (the environment may
// move while the kernel loads: bootargs is set).
void files_folder(Context& ctx, char (&out)[net::pxe::kMaxPath + 1]) {
    net::PxeInputs in;
    in.bootfile = env_view(ctx, "bootfile");
    in.path_prefix = env_view(ctx, "pxelinux_pathprefix");
    const std::string_view dir = net::pxe_directory(in);
    format_to(out, sizeof out, "%.*s", static_cast<int>(dir.size()), dir.data());
}

Result<net::Ipv4Address> server(Context& ctx) {
    const net::Ipv4Address s = TRY(tftp_server_from_env(ctx));
    if (s.is_any()) return Error::make(Errc::invalid_argument, "no TFTP server: set serverip or run dhcp");
    return s;
}

// Fetches one config file to `addr` (at most kMaxConfSize bytes) and puts the
// NUL after it that `pxe boot` looks for. Sets $filesize.
Result<std::uint64_t> fetch_config(Context& ctx, net::Stack& stack, net::Ipv4Address from, const char* name,
                                   std::uint64_t addr) {
    const std::span<std::uint8_t> room = TRY(free_ram_from(ctx, addr, "pxe file"));
    if (room.size() < 2) return Error::make(Errc::no_space, "no room for a pxe file at $pxefile_addr_r 0x%lx", addr);
    const std::size_t cap = room.size() - 1 < kMaxConfSize ? room.size() - 1 : kMaxConfSize;
    ctx.con.printf("Retrieving file: %s\n", name);
    const net::TftpResult r = TRY(tftp_fetch(ctx, stack, from, name, room.first(cap)));
    room[r.bytes] = 0;
    TRY(ctx.env->set_hex("filesize", r.bytes));
    format_to(g_last_name, sizeof g_last_name, "%s", name);
    g_last_addr = addr;
    return r.bytes;
}

// The extlinux method's files over TFTP.
class TftpFiles final : public ExtlinuxFiles {
  public:
    TftpFiles(net::Stack& stack, net::Ipv4Address from, const char* folder)
        : stack_(stack), server_(from), folder_(folder) {}

    Status resolve(std::string_view path, std::string_view leaf, std::span<char> out) override {
        if (path.empty()) return Error::make(Errc::invalid_argument, "empty path");
        const char* sep = !leaf.empty() && path.back() != '/' ? "/" : "";
        const std::size_t n = format_to(out.data(), out.size(), "%s%.*s%s%.*s", folder_, static_cast<int>(path.size()),
                                        path.data(), sep, static_cast<int>(leaf.size()), leaf.data());
        if (n >= out.size() || n > net::tftp::kMaxFilename)
            return Error::make(Errc::no_space, "%s%.*s: longer than %zu bytes", folder_, static_cast<int>(path.size()),
                               path.data(), net::tftp::kMaxFilename);
        return ok();
    }

    Result<std::uint64_t> load(Context& ctx, const char* what, const char* path, const char* addr_var,
                               const char* limit_var) override {
        const std::uint64_t base = TRY(env_hex(ctx.env, addr_var));
        std::span<std::uint8_t> room = TRY(free_ram_from(ctx, base, path));
        std::uint64_t limit = 0;
        if (limit_var != nullptr) {
            limit = TRY(env_hex(ctx.env, limit_var));
            if (limit > base && limit - base < room.size()) room = room.first(static_cast<std::size_t>(limit - base));
            else limit = 0;
        }
        ctx.con.printf("Retrieving file: %s\n", path);
        Result<net::TftpResult> r = tftp_fetch(ctx, stack_, server_, path, room);
        if (!r.ok()) {
            if (r.error().code() == Errc::no_space && limit != 0) {
                return Error::make(Errc::no_space, "%s %s does not fit at $%s 0x%lx (%lu bytes before $%s)", what, path,
                                   addr_var, base, limit - base, limit_var);
            }
            Error e = r.error();
            e.prefix("%s", what);
            return e;
        }
        print_load_result(ctx, LoadResult{r.value().bytes, r.value().elapsed_ms});
        TRY(ctx.env->set_hex("filesize", r.value().bytes));
        return r.value().bytes;
    }

  private:
    net::Stack& stack_;
    net::Ipv4Address server_;
    const char* folder_;
};

// The text at addr: NUL-terminated within kMaxConfSize bytes of RAM.
Result<const char*> config_text(Context& ctx, std::uint64_t addr) {
    TRY(ctx.sys.memory.require_ram(Range{addr, 1}, "pxe file"));
    std::uint64_t room = 0;
    for (unsigned i = 0; i < ctx.sys.memory.ram_count(); ++i) {
        const Range& r = ctx.sys.memory.ram(i);
        if (r.contains(addr)) room = r.end() - addr;
    }
    if (room > kMaxConfSize + 1) room = kMaxConfSize + 1;
    const auto* text = reinterpret_cast<const char*>(static_cast<std::uintptr_t>(addr));
    if (std::memchr(text, 0, static_cast<std::size_t>(room)) == nullptr)
        return Error::make(Errc::bad_data, "no pxe file at 0x%lx (no end within %lu bytes): run 'pxe get'", addr,
                           kMaxConfSize);
    return text;
}

}  // namespace

Status pxe_get(Context& ctx, char (&found)[kNameSize]) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    const std::uint64_t addr = TRY(env_hex(ctx.env, "pxefile_addr_r"));
    net::Stack* stack = TRY(stack_with_address(ctx));
    const net::Ipv4Address from = TRY(server(ctx));

    const net::MacAddress mac = stack->link().mac();
    net::PxeInputs in;
    in.bootfile = env_view(ctx, "bootfile");
    in.config_option = env_view(ctx, "pxelinux_configfile");
    in.path_prefix = env_view(ctx, "pxelinux_pathprefix");
    in.uuid = env_view(ctx, "pxeuuid");
    in.mac = &mac;
    in.ip = stack->config().ip;
    auto* names = new (std::nothrow) net::PxeCandidates;
    if (names == nullptr) return Error::make(Errc::no_memory, "no memory for the pxelinux.cfg names");
    ScopeGuard free_names([names] { delete names; });
    TRY(net::pxe_config_candidates(in, *names));

    char server_text[16];
    net::format_ipv4(from, server_text);
    Error other = Error::make(Errc::not_found, "%s", "");
    bool have_other = false;
    for (std::size_t i = 0; i < names->count; ++i) {
        const char* name = names->names[i];
        Result<std::uint64_t> got = fetch_config(ctx, *stack, from, name, addr);
        if (got.ok()) {
            ctx.con.printf("Config file '%s' found\n", name);
            format_to(found, sizeof found, "%s", name);
            return ok();
        }
        const Errc code = got.error().code();
        // No answer costs every retry of every name (minutes): stop at the
        // first; Ctrl-C stops too. A server's other errors (access, a file
        // too large) leave the next names worth trying, as U-Boot does.
        if (code == Errc::timeout || code == Errc::interrupted) return got.error();
        if (code != Errc::not_found && !have_other) {
            other = got.error();
            have_other = true;
        }
    }
    if (have_other) {
        other.prefix("no pxelinux.cfg file found on %s (tried %zu names)", server_text, names->count);
        return other;
    }
    return Error::make(Errc::not_found, "no pxelinux.cfg file found on %s (tried %zu names)", server_text,
                       names->count);
}

Status pxe_boot(Context& ctx, std::uint64_t addr, Bootflow& flow) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    const char* text = TRY(config_text(ctx, addr));
    char name[kNameSize];
    if (addr == g_last_addr && g_last_name[0] != '\0') format_to(name, sizeof name, "%s", g_last_name);
    else format_to(name, sizeof name, "pxe file at 0x%lx", addr);
    net::Stack* stack = TRY(stack_with_address(ctx));
    const net::Ipv4Address from = TRY(server(ctx));
    char folder[net::pxe::kMaxPath + 1];
    files_folder(ctx, folder);
    TftpFiles files(*stack, from, folder);
    return boot_extlinux_text(ctx, files, name, text, flow);
}

Status scan_network(Context& ctx, const ScanOptions& opts, Bootflows* flows, ScanAttempts& tried) {
    if (ctx.services == nullptr || ctx.services->net == nullptr) return Error::make(Errc::not_found, "no network port");
    Result<net::Stack*> stack = stack_on_port0(ctx);
    if (!stack.ok()) {
        tried.add("%s", stack.error().message());  // names eth0 already
        return stack.error();
    }
    // U-Boot's pxe bootmeth runs DHCP every time; an address the guest
    // already has (an earlier `dhcp`, or $ipaddr typed in) is kept instead.
    TRY(configure_from_env(ctx, *stack.value()));
    if (stack.value()->config().ip.is_any()) {
        Status leased = dhcp_to_env(ctx, *stack.value());
        if (!leased.ok()) {
            tried.add("eth0: %s", leased.error().message());
            return leased;
        }
    }
    char name[kNameSize];
    Status got = pxe_get(ctx, name);
    if (!got.ok()) {
        if (got.error().code() != Errc::interrupted) tried.add("eth0 (pxe): %s", got.error().message());
        return got;
    }
    const std::uint64_t addr = TRY(env_hex(ctx.env, "pxefile_addr_r"));

    auto* scratch = new (std::nothrow) Bootflow;
    if (scratch == nullptr) return Error::make(Errc::no_memory, "no memory for a bootflow");
    ScopeGuard free_scratch([scratch] { delete scratch; });
    Bootflow* flow = flows != nullptr ? flows->add() : nullptr;
    if (flow == nullptr) flow = scratch;
    flow->disk = 0;
    flow->method = BootMethod::pxe;
    format_to(flow->fs, sizeof flow->fs, "tftp");
    format_to(flow->path, sizeof flow->path, "%s", name);
    const unsigned seq = flow != scratch ? flows->count - 1 : 0;
    if (opts.list) print_bootflow_line(ctx.con, seq, *flow);
    if (!opts.boot) {
        Result<const char*> text = config_text(ctx, addr);
        Status s = text.ok() ? list_extlinux_text(name, text.value(), *flow) : Status(text.error());
        if (!s.ok()) flow->fail("%s", s.error().message());
        return ok();
    }
    char server_text[16];
    net::format_ipv4(TRY(server(ctx)), server_text);
    ctx.con.printf("Found %s on eth0 (tftp from %s)\n", name, server_text);
    Status s = record_boot(*flow, pxe_boot(ctx, addr, *flow), ctx.stop);
    if (s.ok()) return s;
    ctx.con.printf("%s: %s\n", name, s.error().message());
    tried.add("eth0 (pxe): %s: %s", name, s.error().message());
    return s;
}

Status boot_pxe_flow(Context& ctx, Bootflow& flow) {
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    const std::uint64_t addr = TRY(env_hex(ctx.env, "pxefile_addr_r"));
    net::Stack* stack = TRY(stack_with_address(ctx));
    const net::Ipv4Address from = TRY(server(ctx));
    TRY(fetch_config(ctx, *stack, from, flow.path, addr));
    ctx.con.printf("Booting %s on eth%u (tftp)\n", flow.path, flow.disk);
    return record_boot(flow, pxe_boot(ctx, addr, flow), ctx.stop);
}

}  // namespace xb::cmd
