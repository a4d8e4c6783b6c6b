// The shell on the simulated console, wired as board init wires the firmware's:
// a console whose output is captured, power control that records, SystemInfo,
// an Environment, Services, the Context and a Shell (with its interpreter and
// line editor). Tests type input, run lines or scripts and read what the
// console showed. Suites derive from it to add their own facts (RAM, disks,
// a device tree); a minimal setup nulls ctx.env or ctx.services itself.
//
// Header-only on purpose: it is test glue, and xb_sim's source list stays as
// it is.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "shell/command.h"
#include "shell/environment.h"
#include "shell/interpreter.h"
#include "shell/line_editor.h"
#include "bootflow/bootflows.h"
#include "bootflow/services.h"
#include "shell/shell.h"
#include "bootflow/system_info.h"
#include "tests/sim/fakes.h"
#include "tests/sim/sim_guest.h"
#include "tests/sim/guest_ram.h"

namespace xb::sim {

// What the console showed with the CRs taken out (the console sends CR LF).
inline std::string without_cr(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c != '\r') out += c;
    }
    return out;
}

struct ShellRig {
    // With a simulated console of its own.
    ShellRig() : ShellRig(nullptr) {}
    // On a guest that already has one (XenstoreGuest's, for instance); the
    // guest must outlive the rig.
    explicit ShellRig(SimGuest& existing) : ShellRig(&existing) {}
    ~ShellRig() { delete services.bootflows; }
    ShellRig(const ShellRig&) = delete;
    ShellRig& operator=(const ShellRig&) = delete;

    // Declared first: the members below are built on it.
    std::unique_ptr<ConsoleGuest> own_guest;
    SimGuest& guest;  // any simulated guest with a console
    FakePower power;
    cmd::SystemInfo sys;
    cmd::Environment env;
    cmd::Services services;
    cmd::Context ctx{*guest.console, power, sys};
    cmd::Shell shell{ctx};
    cmd::Interpreter& interp = shell.interpreter();
    cmd::LineEditor& editor = shell.editor();

    // Types input and lets the simulated xenconsoled deliver it, for a script
    // or the editor to read (Ctrl-C, typeahead).
    void type(std::string_view input) {
        guest.backend.type(input);
        guest.backend.service();
    }

    // Types input and runs the shell's prompt loop until it stops (poweroff)
    // or the input runs out; returns the console's bytes as sent (CR LF).
    std::string session(std::string_view typed) {
        guest.backend.type(typed);
        (void)shell.run();
        return guest.backend.take_output();
    }

    // Runs text as the shell runs a line or a script (parsed whole, then run);
    // returns what the console showed, without CRs.
    std::string run(std::string_view script, int* status = nullptr) {
        const int rc = shell.run_script(script);
        if (status != nullptr) *status = rc;
        return output();
    }

    // Feeds bytes to the line editor, as the prompt loop does; returns the last event.
    cmd::LineEditor::Event feed(std::string_view bytes) {
        cmd::LineEditor::Event e = cmd::LineEditor::Event::none;
        for (char c : bytes) e = editor.feed(c);
        return e;
    }

    // Everything written since the last read, as sent (CR LF, escapes).
    std::string raw_output() {
        guest.console->flush();
        return guest.backend.take_output();
    }
    // The same without CRs.
    std::string output() { return without_cr(raw_output()); }

    // Registers the simulated guest RAM from its base (0x40000000) as the
    // guest's RAM, `size` bytes of it; returns its first byte.
    std::uint8_t* use_guest_ram(std::uint64_t size) {
        GuestRam& ram = GuestRam::get();
        sys.memory.add_ram({GuestRam::kBase, size});
        return ram.base();
    }

    // Makes a fresh, zeroed window of `size` bytes of the simulated guest RAM
    // (aligned to its size) the guest's only RAM, with everything from
    // heap_offset on reserved as "xenboot's heap"; returns its first byte.
    std::uint8_t* use_ram_window(std::uint64_t size, std::uint64_t heap_offset) {
        GuestRam::get().reset();
        auto* ram = static_cast<std::uint8_t*>(GuestRam::get().heap().alloc(size, size));
        if (ram == nullptr) std::abort();  // the 512 MiB arena always has room for a test's window
        std::memset(ram, 0, size);
        const auto base = reinterpret_cast<std::uintptr_t>(ram);
        sys.memory.add_ram({base, size});
        sys.memory.reserve({base + heap_offset, size - heap_offset}, "heap");
        return ram;
    }

  private:
    explicit ShellRig(SimGuest* existing)
        : own_guest(existing == nullptr ? std::make_unique<ConsoleGuest>() : nullptr),
          guest(existing == nullptr ? *own_guest : *existing) {
        ctx.env = &env;
        ctx.services = &services;
        editor.set_prompt(cmd::Shell::kPrompt);
    }
};

}  // namespace xb::sim
