#!/usr/bin/env python3
"""Benchmark: loading a 32 MiB file through ext4 and through FAT against a raw
`pvblock read` of 32 MiB, in one lab run (issue 4's target: >= 0.9x raw).

One xenboot guest, one disk (copied into dom0's RAM): p1 ext4 and p2 FAT32, each with a
32 MiB random file /big.bin. Each round reads the raw 32 MiB at the start of p1, then
loads the file from ext4 and from FAT, interleaved so that drift hits all three alike;
the figure is the median of REPEAT rounds, from xenboot's own "N bytes read in M ms",
after one uncounted warm-up read (blkback maps the persistent-grant pool on first use).
Prints a table; asserts nothing (a benchmark, not a test).

usage: bench_fs.py [--repeat 5]
"""

import argparse
import os
import random
import sys

from fs_images import MIB, ext4_image, fat_image, make_tree, partitioned_disk
from harness import FIRMWARE, Figures, bench_dir, labmod, read_rate


def build_disk(work):
    data = random.Random(7).randbytes(32 * MIB)
    for name in ("ext4-root", "fat-root"):
        make_tree(os.path.join(work, name), {"big.bin": data})
    # As distributions make them: ext4 with 4 KiB blocks (mke2fs picks 1 KiB for a
    # filesystem this small), FAT32 with 4 KiB clusters (what mkfs.fat gives an ESP of
    # 260 MiB-8 GiB). bench_fs.py --small-units measures the 1 KiB / 512-byte case.
    small = "--small-units" in sys.argv
    ext4_image(os.path.join(work, "p1.ext4"), os.path.join(work, "ext4-root"), 48,
               () if small else ("-b", "4096"))
    # (A FAT32 with 4 KiB clusters needs 256 MiB; this 48 MiB partition is FAT16 then.)
    fat_image(os.path.join(work, "p2.fat"), os.path.join(work, "fat-root"), 48,
              fat_bits=32 if small else 16, cluster_sectors=None if small else 8)
    return partitioned_disk(os.path.join(work, "bench-fs.img"),
                            [(os.path.join(work, "p1.ext4"), "83"), (os.path.join(work, "p2.fat"), "c")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--small-units", action="store_true",
                    help="ext4 with 1 KiB blocks, FAT32 with 512-byte clusters (the worst case)")
    args = ap.parse_args()
    work = bench_dir("fs")
    disk = build_disk(work)
    raw = "raw pvblock read (32 MiB)"
    figures = Figures(reference=raw, unit="MiB/s")
    guests = [labmod.GuestSpec("bench-fs", kernel=FIRMWARE, memory_mib=256, disks=[disk], cmdline="bootdelay=-1")]
    with labmod.Lab(work, guests) as lab:
        c = lab.console
        lab.wait_guest_start(timeout=120)
        c.expect("=> ", 120)
        # Warm-up, not counted: blkback maps the persistent-grant pool on first use,
        # which makes the first read of a connection several times slower.
        read_rate(c, "pvblock read ${loadaddr} 800 10000")
        # p1 starts at 1 MiB (block 0x800); 32 MiB is 0x10000 blocks of 512 bytes.
        for _ in range(args.repeat):
            figures.add(raw, read_rate(c, "pvblock read ${loadaddr} 800 10000"))
            figures.add("load from ext4 (32 MiB file)", read_rate(c, "load pvblock 0:1 ${loadaddr} /big.bin"))
            figures.add("load from FAT (32 MiB file)", read_rate(c, "load pvblock 0:2 ${loadaddr} /big.bin"))
        c.sendline("poweroff")
        lab.wait_guest_end(timeout=60)
        lab.wait_done(timeout=120)
    units = "ext4 1 KiB blocks, FAT32 512-byte clusters" if args.small_units else "ext4 4 KiB blocks, FAT16 4 KiB clusters"
    figures.print_table(f"Filesystem load throughput ({units}), median of {args.repeat} (MiB/s), "
                        "xenboot in one lab run:", "raw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
