#!/usr/bin/env python3
"""Benchmark: time from DomU unpause to the kernel's first console line, booting the same
Debian kernel and initramfs (a) through xenboot from the guest's own PV disk (autoboot,
extlinux.conf on ext4, bootdelay=0) and (b) directly by xl (kernel/ramdisk in the xl config,
no firmware), in one lab run; plus xenboot's own breakdown (init, disk connect, load,
inflate, hand-off) as it prints it. Also (c): the same with the gzip'd kernel on FAT
(adds inflation). Host-clock figures are intervals [low, high] (tests/system/lab/boottime.py).
Asserts nothing: a benchmark, not a test.

usage: bench_boot.py [--repeat 1]
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lab"))
import boottime  # noqa: E402
import lab as labmod  # noqa: E402
import sample_disk  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIRST_LINE = re.compile(r"Booting Linux on physical CPU")
BREAKDOWN = re.compile(r"xenboot: boot time: (.*)\r?\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    firmware = os.path.join(REPO, "build", "fw", "xenboot.bin")
    work = os.path.join(REPO, "build", "bench", "boot")
    os.makedirs(work, exist_ok=True)
    ext4 = sample_disk.build("mbr-ext4", log=None)
    fat = sample_disk.build("gpt-fat", log=None)
    guests, kinds = [], []
    for i in range(args.repeat):
        guests.append(labmod.GuestSpec(f"direct-{i}", kernel=ext4.kernel, ramdisk=ext4.initrd, memory_mib=256,
                                       cmdline=ext4.cmdline, disks=[ext4.path]))
        kinds.append("xl direct (kernel + ramdisk in the xl config)")
        guests.append(labmod.GuestSpec(f"xenboot-ext4-{i}", kernel=firmware, memory_mib=256, cmdline="bootdelay=0",
                                       disks=[ext4.path]))
        kinds.append("xenboot: extlinux.conf on ext4, Image")
        guests.append(labmod.GuestSpec(f"xenboot-fat-{i}", kernel=firmware, memory_mib=256, cmdline="bootdelay=0",
                                       disks=[fat.path]))
        kinds.append("xenboot: extlinux.conf on FAT, Image.gz")
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
    direct = [t for k, t, _ in rows if k.startswith("xl direct")]
    xb = [t for k, t, _ in rows if "ext4" in k]
    if direct and xb:
        d = sum((t.low + t.high) / 2 for t in direct) / len(direct)
        x = sum((t.low + t.high) / 2 for t in xb) / len(xb)
        print(f"\n  xenboot (ext4) adds {x - d:+.2f} s to the direct boot ({x:.2f} s against {d:.2f} s, midpoints);")
        print("  the direct boot's own kernel loading happens in dom0 before unpause and is not counted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
