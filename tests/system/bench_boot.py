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
Asserts nothing: a benchmark, not a test.

usage: bench_boot.py [--repeat 1]
"""

import argparse
import re
import sys

import distro_disks
import sample_disk
from harness import FIRMWARE, Figures, bench_dir, boottime, labmod

FIRST_LINE = re.compile(r"Booting Linux on physical CPU")
BREAKDOWN = re.compile(r"xenboot: boot time: (.*)\r?\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    firmware = FIRMWARE
    work = bench_dir("boot")
    ext4 = sample_disk.build("mbr-ext4", log=None)
    fat = sample_disk.build("gpt-fat", log=None)
    grub = distro_disks.build("debian", timeout=0, log=None)
    grub_ext = distro_disks.build("debian-extlinux", timeout=0, log=None)
    direct = "xl direct (kernel + ramdisk in the xl config)"
    guests, kinds = [], []
    for i in range(args.repeat):
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
    rows = []
    with labmod.Lab(work, guests) as lab:
        for spec, kind in zip(guests, kinds):
            lab.wait_guest_start(timeout=180)
            t = boottime.time_to_console(lab, spec.name, FIRST_LINE, timeout=240)
            text = lab.console.output()
            m = list(BREAKDOWN.finditer(text))
            breakdown = m[-1].group(1) if (m and spec.kernel == firmware) else ""
            lab.console.expect("XENBOOT-GUEST: powering off", 240)
            lab.wait_guest_end(timeout=120)
            rows.append((kind, t, breakdown))
        lab.wait_done(timeout=120)
    print("\nDomU unpause -> kernel's first console line (host clock, seconds, [low, high]):")
    for kind, t, breakdown in rows:
        print(f"  {kind:48s} {t.low:6.2f} .. {t.high:6.2f}")
        if breakdown:
            print(f"  {'':48s} xenboot's breakdown: {breakdown}")
    figures = Figures(reference=direct, unit="s")
    for kind, t, _ in rows:
        figures.add(kind, t.seconds)
    figures.print_table("Midpoints of the intervals, each against the direct boot:", "xl direct", difference=True)
    print("  The direct boot's own kernel loading happens in dom0 before unpause and is not counted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
