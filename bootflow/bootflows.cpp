#include "bootflow/bootflows.h"

#include <cstdarg>

namespace xb::cmd {

const char* method_name(BootMethod m) {
    switch (m) {
        case BootMethod::extlinux: return "extlinux";
        case BootMethod::script: return "script";
        case BootMethod::grub: return "grub";
        case BootMethod::pxe: return "pxe";
    }
    return "?";
}

namespace {

const char* state_name(Bootflow::State s) {
    switch (s) {
        case Bootflow::State::found: return "ready";
        case Bootflow::State::failed: return "failed";
        case Bootflow::State::booted: return "booted";
    }
    return "?";
}

}  // namespace

void Bootflow::add_entry(const char* fmt, ...) {
    if (entry_count < kMaxEntries) {
        va_list ap;
        va_start(ap, fmt);
        vformat_to(entries[entry_count], kTitle, fmt, ap);
        va_end(ap);
    }
    ++entry_count;
}

void Bootflow::fail(const char* fmt, ...) {
    state = State::failed;
    va_list ap;
    va_start(ap, fmt);
    vformat_to(error, sizeof error, fmt, ap);
    va_end(ap);
}

Bootflow* Bootflows::add() {
    if (count == kMax) {
        ++dropped;
        return nullptr;
    }
    flow[count] = Bootflow{};
    return &flow[count++];
}

void print_bootflow_header(Sink& out) {
    format(out, "Seq  Method    State   Part         FS     Name\n");
    format(out, "---  --------  ------  -----------  -----  --------------------------------\n");
}

void format_place(const Bootflow& f, char* out, std::size_t size) {
    if (f.method == BootMethod::pxe) format_to(out, size, "eth%u", f.disk);
    else format_to(out, size, "pvblock %x:%x", f.disk, f.part);
}

void print_bootflow_line(Sink& out, unsigned seq, const Bootflow& f) {
    char part[24];
    format_place(f, part, sizeof part);
    format(out, "%3u  %-8s  %-6s  %-11s  %-5s  %s\n", seq, method_name(f.method), state_name(f.state), part, f.fs,
           f.path);
}

void print_bootflows(Sink& out, const Bootflows& flows) {
    if (flows.count == 0) {
        format(out, "No bootflows (run 'bootflow scan')\n");
        return;
    }
    print_bootflow_header(out);
    for (unsigned i = 0; i < flows.count; ++i) {
        const Bootflow& f = flows.flow[i];
        print_bootflow_line(out, i, f);
        const unsigned kept = f.entry_count < Bootflow::kMaxEntries ? f.entry_count : Bootflow::kMaxEntries;
        for (unsigned e = 0; e < kept; ++e) {
            format(out, "       %s%s\n", f.entries[e], static_cast<int>(e) == f.default_entry ? "  (default)" : "");
        }
        if (f.entry_count > kept) format(out, "       (%u more entries)\n", f.entry_count - kept);
        if (f.state == Bootflow::State::failed) format(out, "       error: %s\n", f.error);
    }
    if (flows.dropped != 0) format(out, "(%u more not kept)\n", flows.dropped);
    format(out, "---  --------  ------  -----------  -----  --------------------------------\n");
    format(out, "(%u bootflow%s%s)\n", flows.count, flows.count == 1 ? "" : "s",
           flows.selected >= 0 ? "" : ", none selected");
}

Status record_boot(Bootflow& flow, Status s, bool stopped) {
    if (s.ok() || stopped) {
        flow.state = Bootflow::State::booted;
        return ok();
    }
    flow.fail("%s", s.error().message());
    return s;
}

}  // namespace xb::cmd
