#!/usr/bin/env python3
"""Benchmark: loading a 32 MiB file through each filesystem against a raw `pvblock read`
of 32 MiB, in one lab run (issue 4's target for ext4/FAT and issue 12's for XFS and btrfs:
>= 0.9x raw), and loading a zstd-compressed btrfs file against its own reference: the raw
read of its on-disk (compressed) bytes plus the decompression of the same data.

One xenboot guest, one GPT disk (copied into dom0's RAM):
  p1 ext4   /big.bin (32 MiB random), /big.zst (the btrfs zstd reference, below)
  p2 FAT    /big.bin
  p3 XFS    /big.bin                       (mkfs.xfs defaults, v5)
  p4 btrfs  /big.bin                       (mkfs.btrfs defaults, written uncompressed)
  p5 btrfs  /text.bin, 32 MiB of base64 text written with compress=zstd:1 (as Fedora
            mounts), so btrfs stores every 128 KiB extent as a zstd frame
The zstd reference: `pvblock read` of as many bytes as p5's extents take on disk (from
btrfs's own dump-tree), plus `time unzip` of /big.zst, the same text as one zstd -1 frame
per 128 KiB (what btrfs writes), loaded from ext4 first.
Each round does every measurement, interleaved so that drift hits all alike; the figure
is the median of REPEAT rounds, from xenboot's own "N bytes read in M ms" and "time: S
seconds", after one uncounted warm-up read (blkback maps the persistent-grant pool on
first use). Prints tables; asserts nothing (a benchmark, not a test). Needs root (loop
mounts for XFS and btrfs).

usage: bench_fs.py [--repeat 5] [--small-units]
"""

import argparse
import base64
import os
import random
import re
import sys

from fs_images import (MIB, btrfs_extents, btrfs_image, ext4_image, fat_image, make_tree, partitioned_disk, run,
                       xfs_image)
from harness import FIRMWARE, RATE, Figures, bench_dir, labmod, read_rate

CHUNK = 128 * 1024          # btrfs compresses a file in extents of at most 128 KiB
TIME = re.compile(r"time: (?:(\d+) minutes, )?(\d+)\.(\d+) seconds")


def zstd_frames(data, work):
    """One `zstd -1 --no-check` frame per 128 KiB of data, concatenated: what btrfs's
    compress=zstd:1 writes, extent by extent."""
    out = bytearray()
    piece = os.path.join(work, "piece")
    for at in range(0, len(data), CHUNK):
        with open(piece, "wb") as f:
            f.write(data[at:at + CHUNK])
        out += run(["zstd", "-1", "-q", "--no-check", "-c", piece]).stdout
    return bytes(out)


def build_disk(work, small):
    data = random.Random(7).randbytes(32 * MIB)
    text = base64.b64encode(random.Random(8).randbytes(24 * MIB))[:32 * MIB]
    frames = zstd_frames(text, work)
    trees = {}
    for name, files in (("ext4", {"big.bin": data, "big.zst": frames}), ("fat", {"big.bin": data}),
                        ("xfs", {"big.bin": data}), ("btrfs", {"big.bin": data}), ("btrfs-zstd", {"text.bin": text})):
        trees[name] = os.path.join(work, name + "-root")
        make_tree(trees[name], files)
    img = lambda n: os.path.join(work, f"{n}.img")
    # As distributions make them: ext4 with 4 KiB blocks (mke2fs picks 1 KiB for a
    # filesystem this small), FAT with 4 KiB clusters (what mkfs.fat gives an ESP of
    # 260 MiB-8 GiB); --small-units measures the 1 KiB / 512-byte case.
    ext4_image(img("ext4"), trees["ext4"], 80, () if small else ("-b", "4096"))
    # (A FAT32 with 4 KiB clusters needs 256 MiB; this 48 MiB partition is FAT16 then.)
    fat_image(img("fat"), trees["fat"], 48, fat_bits=32 if small else 16, cluster_sectors=None if small else 8)
    xfs_image(img("xfs"), trees["xfs"], 64)
    btrfs_image(img("btrfs"), trees["btrfs"], 128)
    btrfs_image(img("btrfs-zstd"), trees["btrfs-zstd"], 128, compress="zstd:1")
    extents = btrfs_extents(img("btrfs-zstd"), "text.bin")
    kinds = sorted({k for _, _, k in extents})
    on_disk = sum(n for _, n, _ in extents)
    disk = partitioned_disk(os.path.join(work, "bench-fs.img"),
                            [(img(n), "L") for n in ("ext4", "fat", "xfs", "btrfs", "btrfs-zstd")], label="gpt")
    return disk, len(frames), on_disk, len(extents), kinds


def seconds(console, cmd, timeout=120):
    """Runs `time CMD` and returns its seconds."""
    console.sendline("time " + cmd)
    console.expect(TIME, timeout)
    m = console.last_match
    s = int(m.group(1) or 0) * 60 + int(m.group(2)) + int(m.group(3)) / 1000
    console.expect("=> ", 60)
    return max(s, 0.001)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--small-units", action="store_true",
                    help="ext4 with 1 KiB blocks, FAT32 with 512-byte clusters (the worst case)")
    args = ap.parse_args()
    work = bench_dir("fs")
    disk, frames_size, on_disk, n_extents, kinds = build_disk(work, args.small_units)
    raw = "raw pvblock read (32 MiB)"
    figures = Figures(reference=raw, unit="MiB/s")
    zref = "raw read of the on-disk bytes + unzip"
    zstd = Figures(reference=zref, unit="MiB/s")
    # p1 starts at 1 MiB (block 0x800); 32 MiB is 0x10000 blocks of 512 bytes; the zstd
    # reference reads as many blocks as the compressed extents take.
    on_disk_blocks = (on_disk + 511) // 512
    guests = [labmod.GuestSpec("bench-fs", kernel=FIRMWARE, memory_mib=256, disks=[disk], cmdline="bootdelay=-1")]
    with labmod.Lab(work, guests) as lab:
        c = lab.console
        lab.wait_guest_start(timeout=120)
        c.expect("=> ", 120)
        # Warm-up, not counted: blkback maps the persistent-grant pool on first use,
        # which makes the first read of a connection several times slower.
        read_rate(c, "pvblock read ${loadaddr} 800 10000")
        for _ in range(args.repeat):
            figures.add(raw, read_rate(c, "pvblock read ${loadaddr} 800 10000"))
            figures.add("load from ext4 (32 MiB file)", read_rate(c, "load pvblock 0:1 ${loadaddr} /big.bin"))
            figures.add("load from FAT (32 MiB file)", read_rate(c, "load pvblock 0:2 ${loadaddr} /big.bin"))
            figures.add("load from XFS (32 MiB file)", read_rate(c, "load pvblock 0:3 ${loadaddr} /big.bin"))
            figures.add("load from btrfs (32 MiB file)", read_rate(c, "load pvblock 0:4 ${loadaddr} /big.bin"))
            # The zstd reference: read the compressed bytes' worth, then decompress the
            # same frames (loaded from ext4 to ${kernel_comp_addr_r}; not timed).
            c.sendline(f"pvblock read ${{loadaddr}} 800 {on_disk_blocks:x}")
            c.expect(RATE, 120)
            raw_ms = max(int(c.last_match.group(2)), 1)
            c.expect("=> ", 60)
            read_rate(c, "load pvblock 0:1 ${kernel_comp_addr_r} /big.zst")
            unzip_s = seconds(c, "unzip ${kernel_comp_addr_r} ${loadaddr} 2000000")
            zstd.add(zref, 32 / (raw_ms / 1000 + unzip_s))
            zstd.add("load from btrfs, zstd:1 (32 MiB file)", read_rate(c, "load pvblock 0:5 ${loadaddr} /text.bin"))
        c.sendline("poweroff")
        lab.wait_guest_end(timeout=60)
        lab.wait_done(timeout=120)
    units = "ext4 1 KiB blocks, FAT32 512-byte clusters" if args.small_units else "ext4 4 KiB blocks, FAT16 4 KiB clusters"
    figures.print_table(f"Filesystem load throughput ({units}, XFS and btrfs mkfs defaults), median of "
                        f"{args.repeat} (MiB/s), xenboot in one lab run:", "raw")
    zstd.print_table(f"btrfs compress=zstd:1: 32 MiB of text in {n_extents} extents ({', '.join(kinds)}), "
                     f"{on_disk / MIB:.1f} MiB on disk ({frames_size / MIB:.1f} MiB as zstd -1 frames), "
                     f"median of {args.repeat} (MiB/s of file data):", "reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
