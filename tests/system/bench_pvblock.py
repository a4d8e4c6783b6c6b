#!/usr/bin/env python3
"""Benchmark: PV block read throughput, xenboot against Linux blkfront, in one lab run.

The same 64 MiB region (the start of the same 128 MiB random-data disk, copied into
dom0's RAM) is read
  - by xenboot: `pvblock read` into free RAM: first the cold reads, the first of a
    connection, which pay for blkback mapping each persistent grant on first use:
    the first read after boot (typed as soon as the prompt shows), the first read
    right after `pvblock reconnect` (same command line: the pool is not warmed), and
    the first read after `pvblock reconnect` and WARM_S s at the prompt (xenboot warms
    the pool while the console waits for input); then the warm reads with its default
    configuration (persistent grants, 16-page ring, 256-segment indirect requests),
    then after `pvblock reconnect` without persistent grants, and without indirect
    descriptors;
  - by a Linux DomU (Debian's kernel, xen-blkfront): `dd if=/dev/xvda bs=1M count=64
    iflag=direct` (O_DIRECT: no guest page cache); its first run is also shown alone
    (Linux's first read after boot).
Each figure is the median of REPEAT reads (the first read after boot: one). Also
prints xenboot's "Entry to prompt". Prints a table and the ratios; it asserts nothing
(a benchmark, not a test) and exits non-zero only if a run failed.

usage: bench_pvblock.py [--firmware build/fw/xenboot.bin] [--repeat 3]
"""

import argparse
import os
import re
import sys
import time

from harness import FIRMWARE, Figures, bench_dir, guestfiles, labmod, read_rate

REGION_MIB = 64
WARM_S = 2

LINUX_INIT = r"""#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules); do insmod "$m"; done
n=0
while [ ! -b /dev/xvda ] && [ "$n" -lt 100 ]; do n=$((n + 1)); sleep 0.1; done
for i in $(seq REPEAT); do
  t0=$(cut -d' ' -f1 /proc/uptime)
  dd if=/dev/xvda of=/dev/null bs=1M count=REGION iflag=direct 2>/dev/null
  t1=$(cut -d' ' -f1 /proc/uptime)
  echo "BENCH-LINUX: $((REGION * 1048576)) bytes in $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}') s"
done
echo "BENCH-LINUX-DONE"
poweroff -f
"""


def linux_guest(work, files_dir, repeat):
    init = LINUX_INIT.replace("REPEAT", str(repeat)).replace("REGION", str(REGION_MIB))
    return guestfiles.guest_initramfs(os.path.join(work, "bench-initramfs.cpio"), files_dir, init,
                                    ("sh", "mount", "cat", "insmod", "sleep", "cut", "dd", "awk", "seq", "poweroff"))


def xenboot_reads(c, repeat, label, figures):
    for _ in range(repeat):
        figures.add(label, read_rate(c, f"pvblock read 40000000 0 {REGION_MIB * 2048:x}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--firmware", default=FIRMWARE)
    ap.add_argument("--workdir", default=bench_dir("pvblock"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    disk = os.path.join(args.workdir, "disk.img")
    with open(disk, "wb") as fh:
        fh.write(os.urandom(128 * 2**20))  # random: contiguous, nothing sparse or compressible
    initrd = linux_guest(args.workdir, labmod.lab_dir(), args.repeat)
    image = os.path.join(labmod.lab_dir(), "Image")
    guests = [labmod.GuestSpec("xenboot", kernel=args.firmware, memory_mib=256, disks=[disk], cmdline="bootdelay=-1"),
              labmod.GuestSpec("linux", kernel=image, ramdisk=initrd, memory_mib=256, disks=[disk],
                               cmdline="console=hvc0 quiet")]
    linux = "Linux 6.1 blkfront (dd bs=1M iflag=direct)"
    figures = Figures(reference=linux, unit="MiB/s")
    read = f"pvblock read 40000000 0 {REGION_MIB * 2048:x}"
    entry_to_prompt = None
    with labmod.Lab(args.workdir, guests) as lab:
        c = lab.console
        lab.wait_guest_start(120)
        c.expect(re.compile(r"Entry to prompt: ([\d.]+) ms"), 120)
        entry_to_prompt = float(c.last_match.group(1))
        c.expect("=> ", 120)
        figures.add("xenboot, cold: first read after boot (at once at the prompt)", read_rate(c, read))
        for _ in range(args.repeat):
            figures.add("xenboot, cold: first read after `pvblock reconnect` (same line)",
                        read_rate(c, f"pvblock reconnect; {read}"))
        for _ in range(args.repeat):
            c.sendline("pvblock reconnect")
            c.expect("=> ", 60)
            time.sleep(WARM_S)
            figures.add(f"xenboot, first read after `pvblock reconnect` and {WARM_S} s at the prompt",
                        read_rate(c, read))
        xenboot_reads(c, args.repeat, "xenboot (persistent grants, indirect 256, 16-page ring)", figures)
        c.sendline("pvblock reconnect nopersistent")
        c.expect("=> ", 60)
        xenboot_reads(c, args.repeat, "xenboot (direct grants of the destination, indirect 256)", figures)
        c.sendline("pvblock reconnect noindirect")
        c.expect("=> ", 60)
        xenboot_reads(c, args.repeat, "xenboot (persistent grants, no indirect: 11 segments)", figures)
        c.sendline("poweroff")
        lab.wait_guest_end(60)
        lab.wait_guest_start(120)
        for i in range(args.repeat):
            c.expect(re.compile(r"BENCH-LINUX: (\d+) bytes in ([\d.]+) s"), 180)
            rate = int(c.last_match.group(1)) / 2**20 / max(float(c.last_match.group(2)), 0.01)
            figures.add(linux, rate)
            if i == 0:
                figures.add("Linux 6.1 blkfront, cold: its first read after boot", rate)
        c.expect("BENCH-LINUX-DONE", 60)
        lab.wait_guest_end(60)
        lab.wait_done(120)

    figures.print_table(f"PV block read of the same {REGION_MIB} MiB region, median of {args.repeat} "
                        "(QEMU TCG, disk in dom0 RAM):", "Linux")
    if entry_to_prompt is not None:
        print(f"  xenboot's Entry to prompt: {entry_to_prompt:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
