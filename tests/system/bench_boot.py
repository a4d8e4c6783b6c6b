#!/usr/bin/env python3
"""Benchmark: time from DomU unpause to the kernel's first console line, booting the same
Debian kernel and initramfs (a) through xenboot from the guest's own PV disk (autoboot,
extlinux.conf on ext4, bootdelay=0) and (b) directly by xl (kernel/ramdisk in the xl config,
no firmware), in one lab run; plus xenboot's own breakdown (init, disk connect, load,
inflate, hand-off) as it prints it. Also (c): the same with the gzip'd kernel on FAT
(adds inflation). And (d), (e): the Debian cloud layout (tests/system/distro_disks.py)
booting the same kernel, initrd and command line from an extlinux.conf and from the
grub.cfg Debian's grub-mkconfig wrote (timeout 0): xenboot's "config" figure is the time spent reading and running the boot
configuration, which is where GRUB's interpretation costs. Host-clock figures are intervals [low, high] (tests/system/lab/boottime.py).
For each xenboot guest it reports, from DomU unpause: the "Entry to prompt" line (xenboot's
console is up, no XenStore request made yet), "Starting kernel ..." and the kernel's first
line, and xenboot's own share of the boot: init + disks (listing) + hand-off from its
breakdown, which leaves out reading the boot configuration, loading and inflating the kernel
(issue 17's goal: <= 150 ms). (f) A diskless guest with one vif (bootdelay=-1): unpause ->
"Entry to prompt", the requests it counted (0 before the prompt), and bdinfo's init steps
(where the time before the prompt went).
Asserts nothing: a benchmark, not a test.

usage: bench_boot.py [--repeat 1] [--diskless-only] [--firmware F ...]
  --diskless-only   only (f), REPEAT times: where the time before the prompt goes, in minutes
  --firmware F      the xenboot.bin to boot (default build/fw/xenboot.bin); given twice or
                    more with --diskless-only, each repeat boots each firmware in turn, in
                    the same lab run (before/after under the same load and frames)
"""

import argparse
import re
import sys

import distro_disks
import sample_disk
from harness import FIRMWARE, Figures, bench_dir, boottime, labmod

FIRST_LINE = re.compile(r"Booting Linux on physical CPU")
BREAKDOWN = re.compile(r"xenboot: boot time: (.*)\r?\n")
ENTRY = re.compile(r"Entry to prompt: ([\d.]+) ms(?: \((\d+) XenStore requests\))?")
STARTING = "Starting kernel ..."
DISKLESS = "xenboot: diskless, one vif (bootdelay=-1)"
INIT_STEP = re.compile(r"init step\s*= ([\d.]+ ms [^\r\n]*)")


def own_share_ms(breakdown):
    """init + disks + hand-off from xenboot's "boot time" line (ms), or None."""
    figures = {k: int(v) for k, v in re.findall(r"([a-z-]+) (\d+) ms", breakdown)}
    if not all(k in figures for k in ("init", "disks", "hand-off")):
        return None
    return figures["init"] + figures["disks"] + figures["hand-off"]


def ms(t):
    return f"{t.low * 1000:5.0f} .. {t.high * 1000:5.0f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--diskless-only", action="store_true")
    ap.add_argument("--firmware", action="append")
    args = ap.parse_args()
    firmwares = args.firmware or [FIRMWARE]
    if len(firmwares) > 1 and not args.diskless_only:
        ap.error("several --firmware need --diskless-only")
    firmware = firmwares[0]
    work = bench_dir("boot")
    direct = "xl direct (kernel + ramdisk in the xl config)"
    if not args.diskless_only:
        ext4 = sample_disk.build("mbr-ext4", log=None)
        fat = sample_disk.build("gpt-fat", log=None)
        grub = distro_disks.build("debian", timeout=0, log=None)
        grub_ext = distro_disks.build("debian-extlinux", timeout=0, log=None)
    guests, kinds = [], []
    for i in range(args.repeat):
        if args.diskless_only:
            for j, fw in enumerate(firmwares):
                guests.append(labmod.GuestSpec(f"xenboot-diskless-{i}-{j}", kernel=fw, memory_mib=256,
                                               cmdline="bootdelay=-1", vifs=[labmod.DEFAULT_MAC]))
                kinds.append(DISKLESS + (f" [{fw}]" if len(firmwares) > 1 else ""))
            continue
        guests.append(labmod.GuestSpec(f"direct-{i}", kernel=ext4.kernel, ramdisk=ext4.initrd, memory_mib=256,
                                       cmdline=ext4.cmdline, disks=[ext4.path]))
        kinds.append(direct)
        guests.append(labmod.GuestSpec(f"xenboot-ext4-{i}", kernel=firmware, memory_mib=256, cmdline="bootdelay=0",
                                       disks=[ext4.path]))
        kinds.append("xenboot: extlinux.conf on ext4, Image")
        guests.append(labmod.GuestSpec(f"xenboot-fat-{i}", kernel=firmware, memory_mib=256, cmdline="bootdelay=0",
                                       disks=[fat.path]))
        kinds.append("xenboot: extlinux.conf on FAT, Image.gz")
        guests.append(labmod.GuestSpec(f"xenboot-distro-ext-{i}", kernel=firmware, memory_mib=256,
                                       cmdline="bootdelay=0", disks=[grub_ext.path]))
        kinds.append("xenboot: Debian cloud layout, extlinux.conf")
        guests.append(labmod.GuestSpec(f"xenboot-grub-{i}", kernel=firmware, memory_mib=256, cmdline="bootdelay=0",
                                       disks=[grub.path]))
        kinds.append("xenboot: Debian cloud layout, grub.cfg")
        guests.append(labmod.GuestSpec(f"xenboot-diskless-{i}", kernel=firmware, memory_mib=256,
                                       cmdline="bootdelay=-1", vifs=[labmod.DEFAULT_MAC]))
        kinds.append(DISKLESS)
    rows = []
    with labmod.Lab(work, guests) as lab:
        for spec, kind in zip(guests, kinds):
            lab.wait_guest_start(timeout=180)
            row = {"kind": kind}
            if spec.kernel not in firmwares:
                row["first"] = boottime.time_to_console(lab, spec.name, FIRST_LINE, timeout=240)
            elif kind.startswith(DISKLESS):
                row["prompt"] = boottime.time_to_console(lab, spec.name, ENTRY, timeout=240)
                lab.console.expect("=> ", 60)
                # Where init spent its time before the prompt (bdinfo's profile).
                lab.console.sendline("bdinfo")
                lab.console.expect("=> ", 60)
                # The console log holds every guest's output so far: this
                # guest's bdinfo is what follows its own "Entry to prompt".
                text = lab.console.output()
                entries = list(ENTRY.finditer(text))
                row["steps"] = INIT_STEP.findall(text[entries[-1].end():] if entries else text)
                lab.console.sendline("poweroff")
            else:
                row["prompt"] = boottime.time_to_console(lab, spec.name, ENTRY, timeout=240)
                row["starting"] = boottime.time_to_console(lab, spec.name, STARTING, timeout=240)
                row["first"] = boottime.time_to_console(lab, spec.name, FIRST_LINE, timeout=240)
            text = lab.console.output()
            entries = list(ENTRY.finditer(text))
            if entries and spec.kernel in firmwares:
                row["entry"] = f"{entries[-1].group(1)} ms" + (
                    f", {entries[-1].group(2)} XenStore requests" if entries[-1].group(2) else "")
            m = list(BREAKDOWN.finditer(text))
            row["breakdown"] = m[-1].group(1) if (m and spec.kernel in firmwares and
                                                   not kind.startswith(DISKLESS)) else ""
            if kind.startswith(DISKLESS):
                lab.wait_guest_end(timeout=120)
            else:
                lab.console.expect("XENBOOT-GUEST: powering off", 240)
                lab.wait_guest_end(timeout=120)
            rows.append(row)
        lab.wait_done(timeout=120)
    print("\nFrom DomU unpause (host clock, [low .. high]):")
    for row in rows:
        print(f"  {row['kind']}")
        for key, label in (("prompt", "-> \"Entry to prompt\" line"), ("starting", "-> \"Starting kernel ...\""),
                           ("first", "-> kernel's first console line")):
            if key in row:
                print(f"    {label:34s} {ms(row[key])}")
        if row.get("entry"):
            print(f"    {'xenboot: entry to prompt':34s} {row['entry']}")
        for step in row.get("steps", []):
            print(f"    {'init step (bdinfo)':34s} {step}")
        if row.get("breakdown"):
            print(f"    {'xenboot: boot time':34s} {row['breakdown']}")
            share = own_share_ms(row["breakdown"])
            if share is not None:
                print(f"    {'own share (init+disks+hand-off)':34s} {share} ms (goal <= 150 ms)")
    if args.diskless_only:
        return 0
    figures = Figures(reference=direct, unit="s")
    for row in rows:
        if "first" in row:
            figures.add(row["kind"], row["first"].seconds)
    figures.print_table("Unpause -> kernel's first line, midpoints, each against the direct boot:", "xl direct",
                        difference=True)
    print("  The direct boot's own kernel loading happens in dom0 before unpause and is not counted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
