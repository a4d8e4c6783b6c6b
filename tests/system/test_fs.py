#!/usr/bin/env python3
"""System test of the filesystems on the real stack (QEMU + Xen + dom0 blkback).

One xenboot guest gets one MBR disk made here without root:
  pvblock 0:1  ext4 (mkfs.ext4 -d): /boot/vmlinuz-test (24 MiB random), a small text
               file, a deep path, a relative symlink, a sparse file
  pvblock 0:2  FAT32 (mkfs.vfat + mcopy): a long-named file, a 12 MiB file, subdirectories
and checks fstype, ls/ext4ls/fatls listings, load/ext4load/fatload with the CRC-32 of
every loaded file (`crc32 ${fileaddr} ${filesize}`) against the host's, size/filesize,
and the refusals (missing file, a load over xenboot's memory). The ext4 partition also
holds one text compressed by the real gzip, zstd, xz, lzma and lz4 -l tools: `unzip` of
each must give the text's CRC-32, which checks the firmware's own build of every decoder
(the host tests link the system's libraries). Prints PASS/FAIL lines and "N passed, N failed".
"""

import os
import random
import re
import subprocess
import sys
import zlib

from fs_images import MIB, ext4_image, fat_image, make_tree, partitioned_disk
from harness import FIRMWARE, Checks, expect, guest_end, labmod, relocaddr, run_in_lab, summary, systest_dir


def contents():
    rnd = random.Random(4)
    ext4 = {
        "boot/vmlinuz-test": rnd.randbytes(24 * MIB + 1234),
        "boot/config.txt": b"console=hvc0\n" * 20,
        "a/b/c/d/e/f/g/deep.bin": rnd.randbytes(70000),
        "boot/latest": ("symlink", "vmlinuz-test"),
        "sparse.bin": b"",  # made sparse below
    }
    fat = {
        "EFI/BOOT/Long File Name With Spaces.txt": b"hello from a long name\n" * 100,
        "EFI/BOOT/kernel.img": rnd.randbytes(12 * MIB + 77),
        "readme.txt": b"FAT32 partition\n",
    }
    return ext4, fat


# One text, compressed by each tool as kernels and initrds are (lz4 -l: the legacy
# frame format Linux's Image.lz4 uses).
COMPRESSORS = {"gz": ["gzip", "-9", "-n", "-c"], "zst": ["zstd", "-19", "-q", "-c"], "xz": ["xz", "-6", "--check=crc32", "-c"],
               "lzma": ["xz", "--format=lzma", "-c"], "lz4": ["lz4", "-l", "-9", "-q", "-c"]}


def compressed_text():
    rnd = random.Random(7)
    words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))) for _ in range(500)]
    text = b" ".join(rnd.choice(words) for _ in range(700000)) + b"\n"
    return text, {ext: subprocess.run(cmd, input=text, stdout=subprocess.PIPE, check=True).stdout
                  for ext, cmd in COMPRESSORS.items()}


def build_disk(work):
    ext4_files, fat_files = contents()
    text, packed = compressed_text()
    for ext, data in packed.items():
        ext4_files[f"z/text.{ext}"] = data
    ext4_root, fat_root = os.path.join(work, "ext4-root"), os.path.join(work, "fat-root")
    make_tree(ext4_root, ext4_files)
    with open(os.path.join(ext4_root, "sparse.bin"), "r+b") as f:
        f.seek(5 * MIB)
        f.write(b"end of a sparse file")
    ext4_files["sparse.bin"] = bytes(5 * MIB) + b"end of a sparse file"
    ext4_files["z/text"] = text  # not on the disk: what every z/text.* must unzip to
    make_tree(fat_root, fat_files)
    ext4_img, fat_img = os.path.join(work, "p1.ext4"), os.path.join(work, "p2.fat")
    ext4_image(ext4_img, ext4_root, 48)
    fat_image(fat_img, fat_root, 40)
    disk = partitioned_disk(os.path.join(work, "fs.img"), [(ext4_img, "83"), (fat_img, "c")])
    return disk, ext4_files, fat_files


def check_load(checks, c, cmd, name, data):
    c.sendline(f"{cmd}; crc32 ${{fileaddr}} ${{filesize}}")
    if not expect(checks, c, f"{name}: loaded {len(data)} bytes", re.compile(rf"{len(data)} bytes read in \d+ ms"), 120):
        return
    want = zlib.crc32(data) & 0xffffffff
    expect(checks, c, f"{name}: CRC-32 matches the host ({want:08x})", f"==> {want:08x}", 60)
    expect(checks, c, f"{name}: prompt", "=> ")


def run_guest(checks, lab, ext4_files, fat_files):
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, "prompt", "=> ", 120):
        return
    c.sendline("fstype pvblock 0:1; fstype pvblock 0:2")
    expect(checks, c, "fstype 0:1 is ext4", "ext4\r\n")
    expect(checks, c, "fstype 0:2 is fat", "fat\r\n")
    expect(checks, c, "prompt after fstype", "=> ")

    c.sendline("ls pvblock 0:1 /boot")
    # Entries come in directory order: config.txt, latest, vmlinuz-test.
    expect(checks, c, "ls ext4 /boot: the symlink", "<SYM>   latest")
    expect(checks, c, "ls ext4 /boot: vmlinuz-test with its size",
           re.compile(rf" {len(ext4_files['boot/vmlinuz-test'])}   vmlinuz-test"))
    expect(checks, c, "ls ext4 /boot: totals", re.compile(r"\d+ file\(s\), \d+ dir\(s\)"))
    expect(checks, c, "prompt after ls", "=> ")
    c.sendline("fatls pvblock 0:2 /efi/boot")
    expect(checks, c, "fatls: the long name (case-insensitive path)", "Long File Name With Spaces.txt")
    expect(checks, c, "fatls: kernel.img size", re.compile(rf" {len(fat_files['EFI/BOOT/kernel.img'])}   kernel.img"))
    expect(checks, c, "prompt after fatls", "=> ")

    addr = "${loadaddr}"
    check_load(checks, c, f"load pvblock 0:1 {addr} /boot/vmlinuz-test", "ext4 24 MiB file", ext4_files["boot/vmlinuz-test"])
    check_load(checks, c, f"ext4load pvblock 0:1 {addr} /boot/latest", "ext4 via a symlink", ext4_files["boot/vmlinuz-test"])
    check_load(checks, c, f"load pvblock 0:1 {addr} /a/b/c/d/e/f/g/deep.bin", "ext4 deep path", ext4_files["a/b/c/d/e/f/g/deep.bin"])
    check_load(checks, c, f"load pvblock 0:1 {addr} /sparse.bin", "ext4 sparse file", ext4_files["sparse.bin"])
    check_load(checks, c, f"load pvblock 0:1 {addr} /boot/config.txt 40 10", "ext4 bytes+pos",
               ext4_files["boot/config.txt"][0x10:0x50])
    check_load(checks, c, f"fatload pvblock 0:2 {addr} /EFI/BOOT/kernel.img", "FAT 12 MiB file", fat_files["EFI/BOOT/kernel.img"])
    check_load(checks, c, f"load pvblock 0:2 {addr} '/efi/boot/long file name with spaces.txt'", "FAT long name",
               fat_files["EFI/BOOT/Long File Name With Spaces.txt"])

    text = ext4_files["z/text"]
    want = zlib.crc32(text) & 0xffffffff
    for ext in COMPRESSORS:
        c.sendline(f"load pvblock 0:1 ${{loadaddr}} /z/text.{ext} && unzip ${{loadaddr}} ${{ramdisk_addr_r}} && "
                   f"crc32 ${{ramdisk_addr_r}} ${{filesize}}")
        expect(checks, c, f"unzip {ext}: the text's size", f"Uncompressed size: {len(text)} = ", 120)
        expect(checks, c, f"unzip {ext}: CRC-32 matches the host ({want:08x})", f"==> {want:08x}", 60)
        expect(checks, c, f"unzip {ext}: prompt", "=> ")

    c.sendline("size pvblock 0:1 /boot/vmlinuz-test; echo size=${filesize}")
    expect(checks, c, "size sets filesize (hex)", f"size={len(ext4_files['boot/vmlinuz-test']):x}")
    expect(checks, c, "prompt after size", "=> ")

    c.sendline("load pvblock 0:1 ${loadaddr} /boot/missing")
    expect(checks, c, "missing file: clear error", "missing")
    expect(checks, c, "prompt after missing file", "=> ")
    reloc = relocaddr(checks, c)
    if reloc is not None:
        c.sendline(f"load pvblock 0:1 {reloc:x} /boot/config.txt")
        expect(checks, c, "load over xenboot's memory refused", "refusing /boot/config.txt at")
        expect(checks, c, "prompt after refusal", "=> ")
    c.sendline("poweroff")
    checks.check("guest ended by power-off", guest_end(lab) == "poweroff")


def main():
    firmware = FIRMWARE
    work = systest_dir("fs")
    checks = Checks()
    disk, ext4_files, fat_files = build_disk(work)
    guests = [labmod.GuestSpec("xenboot-fs", kernel=firmware, memory_mib=256, disks=[disk], cmdline="bootdelay=-1")]
    run_in_lab(checks, work, guests, lambda lab: run_guest(checks, lab, ext4_files, fat_files))
    return summary(checks, work)


if __name__ == "__main__":
    sys.exit(main())
