#!/usr/bin/env python3
"""System test of the walking skeleton: boots the real xenboot.bin as a DomU under
QEMU + Xen + a Linux dom0 (tests/system/lab), once with 64 MiB and once with 1 GiB of
guest RAM; types version, bdinfo, help, an unknown command, scripts nested to the shell's
limits and poweroff on its PV console, checks the replies, and checks the guest ended by power-off (not a timeout);
then `exception undefined` / `exception abort` (register dump, then power-off),
`exception stackoverflow` (recursion into the guard page below the stack: reported from
the separate exception stack as a stack overflow, then power-off), `exception nested`
(a fault inside the exception report: one short line from the nested-fault vector,
then power-off, no recursion) and `reset` (ends as a reboot), each in a guest of its own.
(A guest with an unusable device tree cannot be made through xl, which writes the DT:
that path is covered by tests/unit/board_test.cpp.)

Prints one PASS/FAIL line per check, the measured times, and a closing
"N passed, N failed" line; exits non-zero on any failure.

usage: test_shell.py [--firmware build/fw/xenboot.bin] [--workdir build/systest/shell]
"""

import argparse
import os
import re
import sys

from harness import FIRMWARE, Checks, expect, guest_end, labmod, print_figures, run_in_lab, summary, systest_dir


def run_guest(checks, lab, name, memory_mib, figures):
    c = lab.console
    lab.wait_guest_start(timeout=120)
    # dom0 prints "unpausing" just before `xl unpause` and "started" just after it returns:
    # the real unpause lies between the two lines' arrival times.
    t_before, t_after = lab.event_time("unpausing", name), lab.event_time("started", name)
    if not expect(checks, c, f"{name}: banner with version", re.compile(r"xenboot \d+\.\d+\.\d+ \(.*\) on Xen 4\.17"), 60):
        return
    expect(checks, c, f"{name}: banner reports {memory_mib} MiB in bank 0",
           f"DRAM:  bank 0 at 0x40000000, {memory_mib} MiB")
    if expect(checks, c, f"{name}: entry-to-prompt time printed", re.compile(r"Entry to prompt: (\d+\.\d+) ms")):
        figures[f"{name} entry->prompt (xenboot's timer)"] = f"{c.last_match.group(1)} ms"
    if expect(checks, c, f"{name}: prompt", "=> ", 30):
        figures[f"{name} unpause->prompt (host clock)"] = (
            f"{(c.last_match_time - t_after) * 1000:.0f}..{(c.last_match_time - t_before) * 1000:.0f} ms "
            f"(from after..before `xl unpause`)")

    c.sendline("version")
    expect(checks, c, f"{name}: version shows xenboot", re.compile(r"\r\nxenboot \d+\.\d+\.\d+ \(\S+, \d{4}-\d\d-\d\d\)\r\n"))
    expect(checks, c, f"{name}: version shows Xen 4.17", re.compile(r"Xen 4\.17\S*\r\n"))
    expect(checks, c, f"{name}: prompt after version", "=> ")

    c.sendline("bdinfo")
    size_hex = f"0x{memory_mib << 20:016x}"
    expect(checks, c, f"{name}: bdinfo bank 0 start", "-> start    = 0x0000000040000000")
    expect(checks, c, f"{name}: bdinfo bank 0 size {size_hex}", f"-> size     = {size_hex}")
    if expect(checks, c, f"{name}: bdinfo relocaddr", re.compile(r"relocaddr   = 0x([0-9a-f]{16})")):
        reloc = int(c.last_match.group(1), 16)
        top = 0x40000000 + (memory_mib << 20)
        # xenboot moved itself near the top of bank 0 (image, about 1 MiB with its BSS since
        # the decompressors came in, + 8 MiB heap below 256 MiB of RAM, 32 MiB from there
        # up), leaving the low RAM free for a kernel.
        budget = (10 if memory_mib < 256 else 35) * (1 << 20)
        checks.check(f"{name}: xenboot moved to the top of RAM (0x{reloc:x})",
                     top - budget <= reloc < top, f"relocaddr 0x{reloc:x}, RAM top 0x{top:x}")
    if expect(checks, c, f"{name}: bdinfo free RAM from the RAM base",
              re.compile(r"free RAM    = 0x0000000040000000-0x([0-9a-f]{16})")):
        free_end = int(c.last_match.group(1), 16)
        checks.check(f"{name}: free RAM reaches xenboot", free_end == reloc, f"free end 0x{free_end:x}")
    expect(checks, c, f"{name}: bdinfo grant table window", "grant table = 0x0000000038000000-0x0000000039000000")
    expect(checks, c, f"{name}: bdinfo console", re.compile(r"console     = pfn 0x39000, event channel \d+"))
    expect(checks, c, f"{name}: bdinfo xenstore", re.compile(r"xenstore    = pfn 0x39001, event channel \d+"))
    expect(checks, c, f"{name}: bdinfo shared_info in the grant window", "shared_info = gfn 0x38fff")
    expect(checks, c, f"{name}: prompt after bdinfo", "=> ")

    c.sendline("help")
    for cmd in ("bdinfo", "echo", "exception", "help", "poweroff", "reset", "version"):
        expect(checks, c, f"{name}: help lists {cmd}", re.compile(rf"\r\n{cmd} +- "))
    expect(checks, c, f"{name}: prompt after help", "=> ")

    c.sendline("frobnicate now")
    expect(checks, c, f"{name}: unknown command error", "Unknown command 'frobnicate' - try 'help'\r\n")
    c.sendline("echo hello   from 'the   shell'")
    expect(checks, c, f"{name}: echo with quotes", "hello from the   shell\r\n")

    # Input-driven recursion up to each limit, on the firmware's own 64 KiB stack (its
    # frames are what scripts/check-stack.py bounds): a clean error and the prompt back,
    # not a fault in the guard page. `run` inside `run` (kMaxRunDepth 16), then blocks
    # inside blocks (the parser's kMaxNesting 32), then 32 levels that do run.
    c.sendline("setenv d 'run d'; run d")
    expect(checks, c, f"{name}: run inside run ends at its limit",
           "d: nesting too deep (more than 16 scripts inside each other)\r\n")
    expect(checks, c, f"{name}: prompt after deep run", "=> ")
    # The console takes 511-byte lines: the nested text is built in variables.
    c.sendline("setenv x; setenv y; for i in " + " ".join(str(i) for i in range(32)) +
               "; do setenv x \"${x}if true; then \"; setenv y \"${y}; fi\"; done")
    expect(checks, c, f"{name}: prompt after building the nested text", "=> ")
    c.sendline("setenv z \"if true; then ${x}echo deep${y}; fi\"; run z")
    expect(checks, c, f"{name}: blocks nested past the limit are a syntax error",
           re.compile(r"syntax error in z: column \d+: nesting too deep \(more than 32 levels\)\r\n"))
    expect(checks, c, f"{name}: prompt after deep blocks", "=> ")
    c.sendline("setenv z \"${x}echo deepest${y}\"; run z")
    expect(checks, c, f"{name}: 32 nested blocks run", "deepest\r\n")
    expect(checks, c, f"{name}: prompt after 32 blocks", "=> ")
    c.sendline("poweroff")
    expect(checks, c, f"{name}: poweroff message", "Powering off...")
    reason = guest_end(lab)
    checks.check(f"{name}: guest ended by power-off", reason == "poweroff", f"ended: {reason}")


def run_exception_guest(checks, lab, name, kind, esr_class):
    """`exception KIND` must print the dump (class, ESR/ELR/FAR, x0-x30) and power off."""
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, f"{name}: prompt", "=> ", 60):
        return
    c.sendline(f"exception {kind}")
    expect(checks, c, f"{name}: exception reported", f"*** xenboot: unexpected synchronous exception: {esr_class}")
    expect(checks, c, f"{name}: ESR/ELR/FAR dumped", re.compile(r"ESR  [0-9a-f]{16}  ELR  [0-9a-f]{16}  FAR  [0-9a-f]{16}"))
    expect(checks, c, f"{name}: ELR as an offset in xenboot.elf", re.compile(r"ELR is xenboot\.elf\+0x[0-9a-f]+ \(addr2line"))
    expect(checks, c, f"{name}: registers dumped", re.compile(r"x30  [0-9a-f]{16}"))
    expect(checks, c, f"{name}: powering off", "*** powering off")
    reason = guest_end(lab)
    checks.check(f"{name}: guest ended by power-off after the exception", reason == "poweroff", f"ended: {reason}")


def run_stack_overflow_guest(checks, lab, name):
    """`exception stackoverflow` must be reported as a stack overflow, then power off (not hang)."""
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, f"{name}: prompt", "=> ", 60):
        return
    c.sendline("exception stackoverflow")
    expect(checks, c, f"{name}: data abort reported", "*** xenboot: unexpected synchronous exception: data abort")
    expect(checks, c, f"{name}: named a stack overflow", "*** stack overflow: the stack ran into its guard page")
    expect(checks, c, f"{name}: registers dumped", re.compile(r"x30  [0-9a-f]{16}"))
    expect(checks, c, f"{name}: powering off", "*** powering off")
    reason = guest_end(lab)
    checks.check(f"{name}: guest ended by power-off after the overflow", reason == "poweroff", f"ended: {reason}")


def run_nested_fault_guest(checks, lab, name):
    """`exception nested`: the report of a data abort faults in turn; the nested vector must print
    one line and power off instead of recursing."""
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, f"{name}: prompt", "=> ", 60):
        return
    c.sendline("exception nested")
    expect(checks, c, f"{name}: first report begins", "*** xenboot: unexpected synchronous exception: data abort")
    expect(checks, c, f"{name}: report faults on purpose", "*** faulting inside the report on purpose")
    expect(checks, c, f"{name}: nested fault reported once",
           "*** xenboot: synchronous (EL1h) exception while handling an exception: data abort")
    expect(checks, c, f"{name}: nested fault registers", re.compile(r"ESR  [0-9a-f]{16}  ELR  [0-9a-f]{16}  FAR  0{14}10"))
    expect(checks, c, f"{name}: powering off", "*** powering off")
    reason = guest_end(lab)
    checks.check(f"{name}: guest ended by power-off after the nested fault", reason == "poweroff", f"ended: {reason}")
    rest = c.output(since_last_match=True)
    checks.check(f"{name}: no second nested report", "while handling an exception" not in rest, rest[-300:])


def run_reset_guest(checks, lab, name):
    """`reset` must end the guest as a reboot (SCHEDOP_shutdown reboot)."""
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, f"{name}: prompt", "=> ", 60):
        return
    c.sendline("reset")
    expect(checks, c, f"{name}: reset message", "Resetting...")
    reason = guest_end(lab)
    checks.check(f"{name}: guest ended by reboot", reason == "reboot", f"ended: {reason}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--firmware", default=FIRMWARE)
    ap.add_argument("--workdir", default=systest_dir("shell"))
    args = ap.parse_args()
    checks = Checks()
    figures = {"xenboot.bin size": f"{os.path.getsize(args.firmware)} bytes"}
    guests = [labmod.GuestSpec("xenboot-64m", kernel=args.firmware, memory_mib=64, cmdline="bootdelay=-1"),
              labmod.GuestSpec("xenboot-1g", kernel=args.firmware, memory_mib=1024, cmdline="bootdelay=-1"),
              labmod.GuestSpec("xenboot-undef", kernel=args.firmware, memory_mib=64, cmdline="bootdelay=-1"),
              labmod.GuestSpec("xenboot-abort", kernel=args.firmware, memory_mib=64, cmdline="bootdelay=-1"),
              labmod.GuestSpec("xenboot-stack", kernel=args.firmware, memory_mib=64, cmdline="bootdelay=-1"),
              labmod.GuestSpec("xenboot-nested", kernel=args.firmware, memory_mib=64, cmdline="bootdelay=-1"),
              labmod.GuestSpec("xenboot-reset", kernel=args.firmware, memory_mib=64, cmdline="bootdelay=-1")]

    def body(lab):
        for g in guests[:2]:
            run_guest(checks, lab, g.name, g.memory_mib, figures)
        run_exception_guest(checks, lab, "xenboot-undef", "undefined", "unknown reason")
        run_exception_guest(checks, lab, "xenboot-abort", "abort", "data abort")
        run_stack_overflow_guest(checks, lab, "xenboot-stack")
        run_nested_fault_guest(checks, lab, "xenboot-nested")
        run_reset_guest(checks, lab, "xenboot-reset")

    figures["whole lab run"] = f"{run_in_lab(checks, args.workdir, guests, body):.1f} s"
    print_figures(figures)
    return summary(checks, args.workdir)


if __name__ == "__main__":
    sys.exit(main())
