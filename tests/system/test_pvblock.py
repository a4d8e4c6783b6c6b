#!/usr/bin/env python3
"""System test of the PV block frontend on the real stack (QEMU + Xen + Linux dom0 blkback).

One xenboot guest gets three disks, built here without root:
  pvblock 0: 64 MiB, MBR (sfdisk) with a primary, an extended and three logical partitions
  pvblock 1: 32 MiB, GPT (sgdisk) with three named partitions
  pvblock 2: 96 MiB of random data
and checks `pvblock info`, `part list pvblock 0/1` against what sfdisk reports, the
CRC-32 (`crc32`) of data read with `pvblock read` against the host's CRC of the same
bytes for reads of various sizes, offsets and destination alignments (up to 64 MiB),
a write read back, the refusals, and `pvblock reconnect` (the XenBus reset dance with
real blkback). A second guest without disks must say so. Prints PASS/FAIL lines and
"N passed, N failed".
"""

import json
import os
import re
import subprocess
import sys
import zlib

from harness import FIRMWARE, MIB, Checks, expect, guest_end, labmod, relocaddr, run_in_lab, summary, systest_dir


def random_file(path, size):
    with open(path, "wb") as f:
        f.write(os.urandom(size))


def build_disks(work):
    os.makedirs(work, exist_ok=True)
    mbr, gpt, raw = (os.path.join(work, n) for n in ("mbr.img", "gpt.img", "data.img"))
    random_file(mbr, 64 * MIB)
    script = ("label: dos\n"
              "start=2048, size=16MiB, type=83, bootable\n"
              "type=5\n"
              "size=8MiB, type=83\n"
              "size=8MiB, type=c\n"
              "type=83\n")
    subprocess.run(["sfdisk", "-q", mbr], input=script, text=True, check=True)
    random_file(gpt, 32 * MIB)
    subprocess.run(["sgdisk", "-Z", gpt], check=True, capture_output=True)  # no random "table" left
    subprocess.run(["sgdisk", "-n", "1:2048:+8M", "-c", "1:boot", "-t", "1:ef00",
                    "-n", "2:0:+8M", "-c", "2:root", "-t", "2:8300",
                    "-n", "3:0:0", "-c", "3:data", gpt], check=True, capture_output=True)
    random_file(raw, 96 * MIB)
    return mbr, gpt, raw


def sfdisk_table(path):
    out = subprocess.run(["sfdisk", "--json", path], check=True, capture_output=True, text=True).stdout
    parts = json.loads(out)["partitiontable"]["partitions"]
    return {int(re.search(r"(\d+)$", p["node"]).group(1)): (p["start"], p["size"]) for p in parts}


def run_disks_guest(checks, lab, disks):
    c = lab.console
    mbr, gpt, raw = disks
    lab.wait_guest_start(timeout=600)
    # No XenStore request before the prompt: the disks are listed and connect in
    # the background; the first command prints the listing, and `pvblock info`
    # (which waits for the handshakes) gives their sizes.
    expect(checks, c, "prompt before any XenStore request", re.compile(r"Entry to prompt: [\d.]+ ms \(0 XenStore requests\)"), 90)
    if not expect(checks, c, "prompt", "=> ", 60):
        return

    c.sendline("pvblock info")
    expect(checks, c, "listing names pvblock 0 (xvda)", "pvblock 0: xvda (vbd 51712)\r\n")
    expect(checks, c, "listing names pvblock 1 (xvdb)", "pvblock 1: xvdb (vbd 51728)\r\n")
    expect(checks, c, "listing names pvblock 2 (xvdc)", "pvblock 2: xvdc (vbd 51744)\r\n")
    expect(checks, c, "info: device 0 capacity", "Capacity: 64.0 MB = 0.0 GB (131072 x 512)")
    expect(checks, c, "info: device 0 negotiated a multi-page ring and indirect requests",
           re.compile(r"Ring: \d+ pages? \(\d+ requests\), \d+ segments per request \(indirect\)"))
    expect(checks, c, "info: device 0 uses persistent grants", "Grants: persistent pool of")
    expect(checks, c, "info: device 2 capacity", "Capacity: 96.0 MB = 0.0 GB (196608 x 512)")
    expect(checks, c, "prompt after info", "=> ")

    c.sendline("part list pvblock 0")
    expect(checks, c, "part list 0: DOS table", "Partition Map for PVBLOCK device 0  --   Partition Type: DOS")
    for num, (start, size) in sorted(sfdisk_table(mbr).items()):
        if num == 2:
            continue  # the extended container itself is not listed, as in U-Boot
        expect(checks, c, f"part list 0: partition {num} at sector {start}, {size} sectors",
               re.compile(rf"\n\s*{num}\t{start}\s*\t{size}\s*\t"))
    expect(checks, c, "prompt after part list 0", "=> ")

    c.sendline("pvblock part 1")
    expect(checks, c, "pvblock part 1: EFI table", "Partition Map for PVBLOCK device 1  --   Partition Type: EFI")
    for num, (start, size) in sorted(sfdisk_table(gpt).items()):
        name = {1: "boot", 2: "root", 3: "data"}[num]
        expect(checks, c, f"part 1: partition {num} '{name}' at LBA {start:#x}",
               re.compile(rf"\n\s*{num}\t0x{start:08x}\t0x{start + size - 1:08x}\t\"{name}\""))
    expect(checks, c, "prompt after pvblock part 1", "=> ")

    data = open(raw, "rb").read()
    c.sendline("pvblock dev 2")
    expect(checks, c, "pvblock dev 2 selects xvdc", "... is now current device")
    expect(checks, c, "prompt after dev", "=> ")
    cases = [(0x0, 0x1, 0x0), (0x7, 0x3, 0x200), (0x1234, 0x21, 0x30), (0x800, 0x800, 0x0),
             (0x1ffff, 0x1, 0xffe), (0x10001, 0x5555, 0x1000), (0x0, 0x20000, 0x0),
             (0x2fff8, 0x8, 0x200)]
    for blk, cnt, off in cases:
        addr = 0x40000000 + off
        length = cnt * 512
        c.sendline(f"pvblock read {addr:x} {blk:x} {cnt:x}")
        if not expect(checks, c, f"read blk {blk:#x} cnt {cnt:#x} to {addr:#x}: OK", f"{cnt} blocks read: OK", 120):
            continue
        expect(checks, c, f"read blk {blk:#x}: rate printed", re.compile(r"bytes read in \d+ ms \(\d+\.\d MiB/s\)"))
        c.sendline(f"crc32 {addr:x} {length:x}")
        want = zlib.crc32(data[blk * 512:(blk + cnt) * 512]) & 0xffffffff
        expect(checks, c, f"crc32 of {length} bytes from blk {blk:#x} matches the host ({want:08x})",
               f"==> {want:08x}", 60)
        expect(checks, c, "prompt after crc32", "=> ")

    # A write, read back elsewhere, compared in the guest.
    c.sendline("mw.b 40000000 a5 1000; pvblock write 40000000 10 8; pvblock read 41000000 10 8; cmp.b 40000000 41000000 1000")
    expect(checks, c, "write reported OK", "8 blocks written: OK", 60)
    expect(checks, c, "written data reads back the same", "Total of 4096 byte(s) were the same", 60)
    expect(checks, c, "prompt after write", "=> ")

    c.sendline("pvblock read 40000000 2ffff 2")
    expect(checks, c, "read beyond the disk end refused", "beyond its 196608 blocks")
    expect(checks, c, "prompt after beyond-end", "=> ")
    reloc = relocaddr(checks, c)
    if reloc is not None:
        c.sendline(f"pvblock read {reloc:x} 0 1")
        expect(checks, c, "read over xenboot's own memory refused", "refusing pvblock read destination")
        expect(checks, c, "prompt after refusal", "=> ")

    c.sendline("pvblock reconnect noindirect")
    expect(checks, c, "reconnect without indirect: 11-segment requests", "11 segments per request\r\n", 120)
    expect(checks, c, "prompt after reconnect", "=> ", 60)
    c.sendline("pvblock dev 2; pvblock read 40000000 0 800; crc32 40000000 100000")
    # The write above put 4 KiB of 0xa5 at block 0x10 of this disk (dom0's copy).
    written = bytearray(data[:MIB])
    written[0x10 * 512:0x18 * 512] = b"\xa5" * 4096
    want = zlib.crc32(bytes(written)) & 0xffffffff
    expect(checks, c, "after reconnect, data still correct (with the write)", f"==> {want:08x}", 120)
    expect(checks, c, "prompt after reconnect read", "=> ")
    c.sendline("poweroff")
    checks.check("disks guest ended by power-off", guest_end(lab) == "poweroff")


def run_diskless_guest(checks, lab):
    c = lab.console
    lab.wait_guest_start(timeout=600)
    if not expect(checks, c, "diskless: prompt", "=> ", 90):
        return
    c.sendline("pvblock info")
    expect(checks, c, "diskless: pvblock info says there are none", "no pvblock devices available")
    c.sendline("poweroff")
    checks.check("diskless guest ended by power-off", guest_end(lab) == "poweroff")


def main():
    firmware = FIRMWARE
    work = systest_dir("pvblock")
    checks = Checks()
    disks = build_disks(os.path.join(work, "disks"))
    guests = [labmod.GuestSpec("xenboot-disks", kernel=firmware, memory_mib=256, disks=list(disks), cmdline="bootdelay=-1"),
              labmod.GuestSpec("xenboot-nodisk", kernel=firmware, memory_mib=64, cmdline="bootdelay=-1")]

    def body(lab):
        run_disks_guest(checks, lab, disks)
        run_diskless_guest(checks, lab)

    run_in_lab(checks, work, guests, body)
    return summary(checks, work)


if __name__ == "__main__":
    sys.exit(main())
