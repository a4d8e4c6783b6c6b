// `bootflow`: U-Boot's standard boot command over the PV disks
// (bootflow/scan.h): `scan` finds bootflows (-l lists them as found, -b boots
// them in order until one boots, -a also notes volumes where nothing was
// found), `list` shows what the last scan found with its menu entries,
// `select N` picks one, `info` describes the selected one and `boot` boots it.
#include <cstring>
#include <new>

#include "bootflow/scan.h"
#include "commands/builtins.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

Status scan_command(Context& ctx, int argc, char* const argv[]) {
    ScanOptions opts;
    for (int i = 2; i < argc; ++i) {
        const char* a = argv[i];
        // A bootdev label (U-Boot: "bootflow scan mmc"): pvblock is the only one.
        if (a[0] != '-' && strcmp(a, "pvblock") == 0 && i == argc - 1) continue;
        if (a[0] != '-' || a[1] == '\0') return usage_error("unexpected '%s' (xenboot scans every pvblock disk)", a);
        for (const char* f = a + 1; *f != '\0'; ++f) {
            switch (*f) {
                case 'b': opts.boot = true; break;
                case 'l': opts.list = true; break;
                case 'a': opts.all = true; break;
                case 'e':  // show errors: xenboot always lists them
                case 'G':  // no global bootmeths to skip
                case 'H': break;
                default: return usage_error("unknown flag -%c", *f);
            }
        }
    }
    ScanAttempts* tried = new (std::nothrow) ScanAttempts;
    if (tried == nullptr) return Error::make(Errc::no_memory, "out of memory");
    Status s = scan(ctx, opts, *tried);
    if (ctx.stop || s.ok() || s.error().code() == Errc::interrupted) {
        delete tried;
        return s.ok() || ctx.stop ? ok() : s;
    }
    ctx.con.printf(opts.boot ? "bootflow: nothing booted. Tried:\n" : "bootflow: nothing found. Tried:\n");
    for (unsigned i = 0; i < tried->count; ++i) ctx.con.printf("  %s\n", tried->line[i]);
    if (tried->dropped != 0) ctx.con.printf("  (%u more)\n", tried->dropped);
    delete tried;
    return quiet_failure();  // the list above says why
}

Result<Bootflow*> selected(Context& ctx) {
    Bootflows* flows = bootflows(ctx);
    if (flows == nullptr || flows->count == 0) return Error::make(Errc::not_found, "no bootflows: run 'bootflow scan'");
    if (flows->selected < 0) return Error::make(Errc::not_found, "no bootflow selected: use 'bootflow select N'");
    return &flows->flow[flows->selected];
}

}  // namespace

Status do_bootflow(Context& ctx, int argc, char* const argv[]) {
    if (argc < 2) return usage_error("expects a subcommand");
    if (ctx.env == nullptr) return Error::make(Errc::unsupported, "no environment");
    const char* sub = argv[1];
    if (strcmp(sub, "scan") == 0) return scan_command(ctx, argc, argv);
    if (strcmp(sub, "list") == 0) {
        // -e (U-Boot: show errors too): failed bootflows are always listed with theirs.
        if (argc > 3 || (argc == 3 && strcmp(argv[2], "-e") != 0)) return usage_error("list takes only -e");
        Bootflows* flows = bootflows(ctx);
        if (flows == nullptr) return Error::make(Errc::no_memory, "out of memory");
        print_bootflows(ctx.con, *flows);
        return ok();
    }
    if (strcmp(sub, "select") == 0) {
        if (argc > 3) return usage_error("select takes one number");
        Bootflows* flows = bootflows(ctx);
        if (flows == nullptr) return Error::make(Errc::no_memory, "out of memory");
        if (argc == 2) {  // as U-Boot: no argument clears the selection
            flows->selected = -1;
            return ok();
        }
        const std::uint64_t n = TRY(parse_dec(argv[2], "bootflow number"));
        if (n >= flows->count) {
            return Error::make(Errc::not_found, "no bootflow %lu (%u found: run 'bootflow list')", n, flows->count);
        }
        flows->selected = static_cast<int>(n);
        const Bootflow& f = flows->flow[n];
        char place[24];
        format_place(f, place, sizeof place);
        ctx.con.printf("Selected bootflow %lu: %s %s on %s\n", n, method_name(f.method), f.path, place);
        return ok();
    }
    if (strcmp(sub, "info") == 0) {
        Bootflow* f = TRY(selected(ctx));
        char place[24];
        format_place(*f, place, sizeof place);
        ctx.con.printf("Method:    %s\nVolume:    %s (%s)\nFile:      %s\nEntries:   %u\n", method_name(f->method),
                       place, f->fs, f->path, f->entry_count);
        if (f->state == Bootflow::State::failed) ctx.con.printf("Error:     %s\n", f->error);
        return ok();
    }
    if (strcmp(sub, "boot") == 0) {
        Bootflow* f = TRY(selected(ctx));
        return boot_bootflow(ctx, *f);
    }
    return usage_error("unknown subcommand '%s'", sub);
}

}  // namespace xb::cmd
