// pvblock info | dev [n] | part [n] | read addr blk cnt | write addr blk cnt
// (U-Boot's pvblock command syntax; numbers are hex). Reads may only land in
// free RAM; long transfers show progress and stop on Ctrl-C.
#include <cstring>

#include "arch/arch.h"
#include "commands/builtins.h"
#include "shell/parse.h"
#include "drivers/pvblock/pvblock_bus.h"

namespace xb::cmd {
namespace {

Result<pvblock::PvBlockBus*> bus(Context& ctx) {
    if (ctx.services == nullptr || ctx.services->pvblock_bus == nullptr) {
        return Error::make(Errc::unsupported, "no PV block support (XenStore or grant tables unavailable)");
    }
    return ctx.services->pvblock_bus;
}

// U-Boot's line when there is no disk to show (no "pvblock:" in front).
Status no_devices(Context& ctx) {
    ctx.con.printf("no pvblock devices available\n");
    return quiet_failure();
}

// Waits for the disk's handshake first (disks connect in the background); a
// disk that failed or was closed shows its state and why instead of a size.
void print_device(Context& ctx, unsigned n, pvblock::BlkfrontDevice& d) {
    Status settled = d.settle();
    const pvblock::BlkfrontInfo& i = d.info();
    ctx.con.printf("Device %u: %s%s(vbd %u), backend %s (domain %u)\n", n, i.vdev_name, i.vdev_name[0] ? " " : "",
                   i.vdev, i.backend, i.backend_id);
    if (!settled.ok()) {
        ctx.con.printf("            State: %s: %s\n", pvblock::link_state_name(d.state()), settled.error().message());
        return;
    }
    ctx.con.printf("            Type: Hard Disk%s\n", i.read_only ? " (read-only)" : "");
    // Sizes as U-Boot's dev_print shows them: tenths of MiB and GiB.
    std::uint64_t tenths_mib = i.sectors * 10 / 2048;
    std::uint64_t tenths_gib = tenths_mib / 1024;
    ctx.con.printf("            Capacity: %lu.%lu MB = %lu.%lu GB (%lu x %u)\n", tenths_mib / 10, tenths_mib % 10,
                   tenths_gib / 10, tenths_gib % 10, d.block_count(), i.sector_size);
    ctx.con.printf("            Ring: %u page%s (%u requests), %u segments per request%s\n", 1u << i.ring_order,
                   i.ring_order ? "s" : "", pvblock::ring_slots(1u << i.ring_order), i.segments,
                   i.segments > 11 ? " (indirect)" : "");
    if (i.persistent_pages != 0) {
        ctx.con.printf("            Grants: persistent pool of %u pages (%u KiB)\n", i.persistent_pages,
                       i.persistent_pages * 4);
    } else {
        ctx.con.printf("            Grants: the destination pages themselves%s\n",
                       i.backend_persistent ? "" : " (no feature-persistent)");
    }
    ctx.con.printf("            Connect: %lu ms (InitWait %lu, negotiate %lu, Connected %lu)\n", i.ms_total,
                   i.ms_init_wait, i.ms_negotiate, i.ms_connected);
}

// Prints progress for transfers that take longer than a second, and stops on
// Ctrl-C (Context::ctrlc: the script around the command stops too, and other
// typed bytes are kept for the prompt).
class ConsoleProgress final : public pvblock::Progress {
  public:
    explicit ConsoleProgress(Context& ctx) : ctx_(ctx), con_(ctx.con), start_(arch::counter()), last_(start_) {}
    bool update(std::uint64_t done, std::uint64_t total) override {
        if (ctx_.ctrlc()) return false;
        std::uint64_t now = arch::counter();
        if (arch::ticks_to_ms(now - start_) >= 1000 && arch::ticks_to_ms(now - last_) >= 500) {
            con_.printf("\r  %lu of %lu MiB (%lu%%)", done >> 20, total >> 20, done * 100 / total);
            last_ = now;
            shown_ = true;
        }
        return true;
    }
    void finish() {
        if (shown_) con_.write("\r                                        \r");
    }

  private:
    Context& ctx_;
    Console& con_;
    std::uint64_t start_;
    std::uint64_t last_;
    bool shown_ = false;
};

Status transfer(Context& ctx, pvblock::PvBlockBus& b, bool write, int argc, char* const argv[]) {
    if (argc != 5) return usage_error("%s takes addr blk cnt", argv[1]);
    const std::uint64_t addr = TRY(parse_hex(argv[2], "address"));
    const std::uint64_t blk = TRY(parse_hex(argv[3], "block number"));
    const std::uint64_t cnt = TRY(parse_hex(argv[4], "block count"));
    unsigned devn = ctx.services->pvblock.current;
    if (devn >= b.count()) return Error::make(Errc::not_found, "no device %u (there are %u)", devn, b.count());
    pvblock::BlkfrontDevice& d = b.disk(devn);
    std::uint64_t bytes = cnt * d.block_size();
    if (cnt != 0 && bytes / cnt != d.block_size()) {
        return Error::make(Errc::invalid_argument, "block count 0x%lx is too large", cnt);
    }
    Range mem{addr, bytes};
    TRY(write ? ctx.sys.memory.require_ram(mem, "pvblock write source")
              : ctx.sys.memory.require_free(mem, "pvblock read destination"));
    ctx.con.printf("\npvblock %s: device %u block # %lu, count %lu ... ", write ? "write" : "read", devn, blk, cnt);
    ConsoleProgress progress(ctx);
    std::uint64_t t0 = arch::counter();
    Status s = d.transfer(write, blk, cnt, reinterpret_cast<void*>(addr), &progress);
    std::uint64_t us = arch::ticks_to_us(arch::counter() - t0);
    progress.finish();
    if (!s.ok()) {
        ctx.con.printf("0 blocks %s: ERROR\n", write ? "written" : "read");  // U-Boot's line; then why
        return s;
    }
    ctx.con.printf("%lu blocks %s: OK\n", cnt, write ? "written" : "read");
    if (us == 0) us = 1;
    std::uint64_t tenths = bytes * 10 * 1000000 / (us * 1048576);
    ctx.con.printf("%lu bytes %s in %lu ms (%lu.%lu MiB/s)\n", bytes, write ? "written" : "read", us / 1000,
                   tenths / 10, tenths % 10);
    return ok();
}

}  // namespace

Status do_pvblock(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("missing subcommand");
    pvblock::PvBlockBus* b = TRY(bus(ctx));
    const char* sub = argv[1];
    if (strcmp(sub, "info") == 0) {
        if (b->count() == 0) ctx.con.printf("no pvblock devices available\n");
        for (unsigned i = 0; i < b->count(); ++i) print_device(ctx, i, b->disk(i));
        return ok();
    }
    if (strcmp(sub, "dev") == 0 || strcmp(sub, "device") == 0 || strcmp(sub, "part") == 0) {
        unsigned n = ctx.services->pvblock.current;
        if (argc > 3) return usage_error("%s takes at most one device number", sub);
        if (argc == 3) {
            Result<std::uint64_t> v = parse_hex(argv[2], "device number");
            if (!v.ok() || v.value() >= b->count()) {
                return Error::make(Errc::not_found, "no device %s (there are %u)", argv[2], b->count());
            }
            n = static_cast<unsigned>(v.value());
        }
        if (n >= b->count()) return no_devices(ctx);
        if (strcmp(sub, "part") == 0) {
            const Command* part = find_command("part");
            if (part == nullptr) return Error::make(Errc::unsupported, "partition support is not built in");
            char devname[12];
            format_to(devname, sizeof devname, "%u", n);
            char a0[] = "part", a1[] = "list", a2[] = "pvblock";
            char* args[] = {a0, a1, a2, devname, nullptr};
            return run_command(ctx, *part, 4, args) == 0 ? ok() : quiet_failure();
        }
        if (argc == 3) {
            ctx.services->pvblock.current = n;
            ctx.con.write("\n");
            print_device(ctx, n, b->disk(n));
            ctx.con.printf("... is now current device\n");
            return ok();
        }
        ctx.con.write("\n");
        print_device(ctx, n, b->disk(n));
        return ok();
    }
    if (strcmp(sub, "reconnect") == 0) {
        // xenboot's extension: reconnect every disk, optionally without a
        // feature (for comparisons and to exercise the XenBus reset).
        pvblock::BlkfrontOptions options;
        for (int i = 2; i < argc; ++i) {
            if (strcmp(argv[i], "noindirect") == 0) options.max_segments = 11;
            else if (strcmp(argv[i], "nopersistent") == 0) options.persistent_pages = 0;
            else if (strcmp(argv[i], "noringorder") == 0) options.max_ring_order = 0;
            else return usage_error("unknown reconnect option '%s'", argv[i]);
        }
        // Each disk that fails says so on the console as it happens.
        Status s = b->reconnect_all(options, &ctx.con);
        for (unsigned i = 0; i < b->count(); ++i) print_device(ctx, i, b->disk(i));
        return s.ok() ? ok() : quiet_failure();
    }
    if (strcmp(sub, "read") == 0) return transfer(ctx, *b, false, argc, argv);
    if (strcmp(sub, "write") == 0) return transfer(ctx, *b, true, argc, argv);
    return usage_error("unknown subcommand '%s'", sub);
}

}  // namespace xb::cmd
