#!/usr/bin/env python3
"""Proves the sample disks of tests/system/sample_disk.py, without xenboot:

1. On the host, for every layout (and the interactive mbr-ext4 that scripts/run.sh uses):
   the signature at 0x10000, the partition table (sfdisk --json: label, types, bootable
   flag, the gap before the first partition), each filesystem clean (e2fsck -fn, fsck.vfat
   -n), every file the builder recorded read back (debugfs dump / mcopy) with its size and
   SHA-256, and independent content checks: kernel == the lab's Image, Image.gz inflates to
   it, initrd.img == the guest initramfs, extlinux.conf's default label names files that
   exist and passes xbtest=poweroff exactly when it should, boot.scr's uImage header (magic,
   CRCs, arm64/linux/script/none) and payload, and the deliberately broken files of
   mbr-ext4-bad.
2. In the lab, Linux booted DIRECTLY by xl (kernel = the lab's Image, ramdisk = the guest
   initramfs, disk = the image, 256 MiB): the guest's marker, its /proc/cmdline, the
   signature line, the partitions Linux found, and the power-off; mbr-ext4-bad's 48 MiB
   initrd-big.img as the ramdisk; the interactive image (shell on the console, `exit`
   powers off); and Linux with 64 MiB (does the 'good' label of mbr-ext4-bad fit there?).
   Prints the unpause -> "linux up" time of each guest (lab/boottime.py).

Prints PASS/FAIL lines and "N passed, N failed"; exits non-zero on any failure.
usage: check_sample_disks.py [--workdir build/systest/sample-disks] [--host-only]
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import sample_disk as sd
from harness import MIB, REPO, Checks, boottime, labmod, print_figures, summary

# From a guest's power-off to dom0's "ended" line: < 1 s on an idle host, but more than
# 120 s was seen with the 2 cores loaded ~3x over (xl, hotplug scripts and dom0 starved).
END_TIMEOUT = 300

# What each layout must look like: partition label, partition types, filesystems.
EXPECT = {
    "mbr-ext4": ("dos", ["83", "83"], ["ext4", "ext4"]),
    "gpt-fat": ("gpt", [sd.ESP_TYPE, sd.LINUX_FS_TYPE], ["vfat", "ext4"]),
    "bootscr": ("dos", ["83"], ["ext4"]),
    "mbr-ext4-bad": ("dos", ["83"], ["ext4"]),
}


def run(cmd, check=True):
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin", MTOOLS_SKIP_CHECK="1")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=check)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def file_sha(path):
    with open(path, "rb") as f:
        return sha256(f.read())


class DiskReader:
    """Reads files out of one partition of an image with debugfs (ext4) or mtools (vfat)."""

    def __init__(self, image, start, size, fs, tmp):
        self.image, self.start, self.size, self.fs, self.tmp = image, start, size, fs, tmp
        self.spec = f"{image}?offset={start}"

    def read(self, path):
        out = os.path.join(self.tmp, "extract")
        if os.path.exists(out):
            os.unlink(out)
        if self.fs == "ext4":
            run(["debugfs", "-R", f"dump -p {path} {out}", self.spec])
        else:
            run(["mcopy", "-n", "-i", f"{self.image}@@{self.start}", "::" + path, out])
        if not os.path.exists(out):
            return None
        with open(out, "rb") as f:
            return f.read()

    def listing(self, path):
        if self.fs == "ext4":
            return run(["debugfs", "-R", f"ls -l {path}", self.spec]).stdout
        return run(["mdir", "-i", f"{self.image}@@{self.start}", "::" + path]).stdout

    def ext4_stat(self, path):
        return run(["debugfs", "-R", f"stat {path}", self.spec]).stdout

    def fsck(self):
        if self.fs == "ext4":
            p = run(["e2fsck", "-fn", self.spec], check=False)
        else:
            part = os.path.join(self.tmp, "part.img")
            with open(self.image, "rb") as fi, open(part, "wb") as fo:
                fi.seek(self.start)
                fo.write(fi.read(self.size))
            p = run(["fsck.vfat", "-n", part], check=False)
            os.unlink(part)
        return p.returncode == 0, (p.stdout.strip() or p.stderr.strip()).splitlines()[-1:]


def parse_extlinux(text):
    """{"default": name, "labels": {name: {"linux"|"kernel"|"initrd"|"append": value}}, "menu": bool}"""
    conf = {"default": None, "labels": {}, "menu": False, "timeout": None}
    cur = None
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if not words or words[0].startswith("#"):
            continue
        key, val = words[0].lower(), (words[1] if len(words) > 1 else "")
        if key == "label":
            cur = conf["labels"].setdefault(val, {})
        elif key == "default":
            conf["default"] = val
        elif key == "timeout":
            conf["timeout"] = int(val)
        elif key == "menu" and cur is None:
            conf["menu"] = True
        elif cur is not None and key in ("linux", "kernel", "initrd", "append"):
            cur["linux" if key == "kernel" else key] = val
    return conf


def check_uimage_script(c, name, data, script_text):
    """Legacy uImage header (64 bytes, big-endian): magic, header CRC, size, data CRC, os,
    arch, type, compression; a script's data is a 0-terminated u32 length list + the script."""
    if not c.check(f"{name}: boot.scr has a uImage header", len(data) >= 64 and
                   struct.unpack(">I", data[:4])[0] == 0x27051956):
        return
    magic, hcrc, _time, size, _load, _ep, dcrc, os_, arch, typ, comp = struct.unpack(">IIIIIIIBBBB", data[:32])
    hdr = bytearray(data[:64])
    hdr[4:8] = b"\0\0\0\0"
    body = data[64:64 + size]
    c.check(f"{name}: boot.scr header CRC", zlib.crc32(hdr) == hcrc)
    c.check(f"{name}: boot.scr data size and CRC", len(body) == size and zlib.crc32(body) == dcrc,
            f"size {size}, file {len(data)}")
    c.check(f"{name}: boot.scr is os=linux arch=arm64 type=script comp=none",
            (os_, arch, typ, comp) == (5, 22, 6, 0), f"{(os_, arch, typ, comp)}")
    n, zero = struct.unpack(">II", body[:8])
    c.check(f"{name}: boot.scr payload is boot.cmd", zero == 0 and body[8:8 + n] == script_text,
            f"length {n}")


def host_checks(c, disk, image, tmp):
    name = f"{disk.layout}{'' if disk.poweroff else ' (interactive)'}"
    size = os.path.getsize(disk.path)
    c.check(f"{name}: image at most 128 MiB (copied into dom0's RAM)", size <= 128 * MIB, f"{size // MIB} MiB")
    with open(disk.path, "rb") as f:
        f.seek(sd.SIGNATURE_OFFSET)
        sig = f.read(64).split(b"\n")[0]
    c.check(f"{name}: signature at 0x10000", sig == sd.signature(disk.layout).encode(), repr(sig))

    label, types, fss = EXPECT[disk.layout]
    pt = json.loads(run(["sfdisk", "--json", disk.path]).stdout)["partitiontable"]
    parts = pt.get("partitions", [])
    c.check(f"{name}: {label} partition table with types {types}",
            pt["label"] == label and [p["type"].upper() for p in parts] == [t.upper() for t in types],
            f"{pt['label']} {[p['type'] for p in parts]}")
    if label == "dos":
        c.check(f"{name}: p1 bootable", parts[0].get("bootable") is True)
    ends = [p["start"] + p["size"] for p in parts]
    c.check(f"{name}: partitions in order, inside the disk, after the signature gap",
            all(p["start"] * 512 > sd.SIGNATURE_OFFSET for p in parts) and
            all(ends[i] <= parts[i + 1]["start"] for i in range(len(parts) - 1)) and
            ends[-1] * 512 <= size - (33 * 512 if label == "gpt" else 0))

    readers = {i + 1: DiskReader(disk.path, p["start"] * 512, p["size"] * 512, fss[i], tmp)
               for i, p in enumerate(parts)}
    for i, r in readers.items():
        ok, last = r.fsck()
        c.check(f"{name}: p{i} {r.fs} clean ({'e2fsck -fn' if r.fs == 'ext4' else 'fsck.vfat -n'})",
                ok, " ".join(last))
    boot = readers[1]
    print(boot.listing("/boot" if boot.fs == "ext4" else "/").rstrip())

    bad = []
    for f in disk.files:
        r = readers[f["part"]]
        if f["type"] == "symlink":
            if f"Fast link dest: \"{f['target']}\"" not in r.ext4_stat(f["path"]):
                bad.append(f"{f['path']} is not a symlink to {f['target']}")
            continue
        data = r.read(f["path"])
        if data is None or len(data) != f["size"] or sha256(data) != f["sha256"]:
            bad.append(f"p{f['part']}:{f['path']}")
    c.check(f"{name}: all {len(disk.files)} recorded files/symlinks read back with their SHA-256",
            not bad, ", ".join(bad[:5]))

    image_sha = file_sha(image)
    initrd = open(disk.initrd, "rb").read()
    if disk.layout == "gpt-fat":
        kernel = gzip.decompress(boot.read("/Image.gz"))
        c.check(f"{name}: /Image.gz inflates to the lab's Image", sha256(kernel) == image_sha)
        c.check(f"{name}: /initrd.img is the guest initramfs", boot.read("/initrd.img") == initrd)
        mdir = run(["mdir", "-i", f"{disk.path}@@{boot.start}", "::/extlinux"]).stdout
        c.check(f"{name}: FAT long name extlinux.conf", "extlinux.conf" in mdir)
    else:
        c.check(f"{name}: /boot/Image is the lab's Image", sha256(boot.read("/boot/Image") or b"") == image_sha)
        c.check(f"{name}: /boot/initrd.img is the guest initramfs", boot.read("/boot/initrd.img") == initrd)

    if disk.layout == "bootscr":
        cmd = boot.read("/boot/boot.cmd")
        check_uimage_script(c, name, boot.read("/boot/boot.scr"), cmd)
        text = cmd.decode()
        c.check(f"{name}: boot.cmd loads kernel then initrd, booti with ${{filesize}} and no fdt",
                re.search(r"load pvblock 0:1 \$\{kernel_addr_r\} /boot/Image\n"
                          r"load pvblock 0:1 \$\{ramdisk_addr_r\} /boot/initrd.img\n", text) is not None
                and "\nbooti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize}\n" in text)
        c.check(f"{name}: bootargs has {sd.POWEROFF_ARG} iff poweroff",
                (sd.POWEROFF_ARG in text) == disk.poweroff)
        return

    conf_path = "/extlinux/extlinux.conf" if disk.layout == "gpt-fat" else "/boot/extlinux/extlinux.conf"
    conf = parse_extlinux(boot.read(conf_path).decode())
    present = {f["path"] for f in disk.files if f["part"] == 1}
    default = conf["labels"].get(conf["default"])
    c.check(f"{name}: extlinux.conf default label '{conf['default']}' exists", default is not None)
    if disk.layout == "mbr-ext4-bad":
        expected = {n: (k, i) for n, k, i, _ in sd.BAD_LABELS}
        c.check(f"{name}: labels in order {list(expected)}", list(conf["labels"]) == list(expected))
        for n, (k, i) in expected.items():
            lb = conf["labels"].get(n, {})
            c.check(f"{name}: label {n}: linux {k} initrd {i}", lb.get("linux") == k and lb.get("initrd") == i)
        c.check(f"{name}: missing-kernel / missing-initrd files are absent",
                "/boot/no-such-Image" not in present and "/boot/no-such-initrd.img" not in present)
        img = open(image, "rb").read(2 * MIB)
        badmagic = boot.read("/boot/Image-badmagic")
        c.check(f"{name}: Image-badmagic = Image[:2 MiB] with 'XXXX' at 0x38",
                badmagic[0x38:0x3c] == b"XXXX" and img[0x38:0x3c] == b"ARM\x64" and
                badmagic[:0x38] == img[:0x38] and badmagic[0x3c:] == img[0x3c:])
        trunc = os.path.join(tmp, "trunc.gz")
        with open(trunc, "wb") as f:
            f.write(boot.read("/boot/Image-truncated.gz"))
        c.check(f"{name}: Image-truncated.gz is 4 MiB and fails gzip -t",
                os.path.getsize(trunc) == 4 * MIB and run(["gzip", "-t", trunc], check=False).returncode != 0)
        big = boot.read("/boot/initrd-big.img")
        blocks = re.search(r"Blockcount: (\d+)", boot.ext4_stat("/boot/initrd-big.img"))
        c.check(f"{name}: initrd-big.img = initrd.img + zeros to 48 MiB, sparse on ext4",
                len(big) == sd.BAD_INITRD_SIZE and big[:len(initrd)] == initrd and
                big[len(initrd):].count(0) == len(big) - len(initrd) and
                blocks is not None and int(blocks.group(1)) * 512 < 4 * MIB,
                f"{len(big)} bytes, {blocks.group(1) if blocks else '?'} sectors allocated")
        return
    for n, lb in conf["labels"].items():
        missing = [lb[k] for k in ("linux", "initrd") if k in lb and lb[k] not in present]
        c.check(f"{name}: label {n}: kernel and initrd present", "linux" in lb and not missing, str(missing))
    c.check(f"{name}: default label append has {sd.POWEROFF_ARG} iff poweroff",
            (sd.POWEROFF_ARG in default.get("append", "").split()) == disk.poweroff, default.get("append", ""))
    c.check(f"{name}: default label passes console=hvc0", "console=hvc0" in default.get("append", "").split())
    if disk.layout == "mbr-ext4":
        c.check(f"{name}: menu (top-level 'menu title') with labels linux and rescue, timeout > 0",
                conf["menu"] and list(conf["labels"]) == ["linux", "rescue"] and conf["timeout"] > 0,
                f"timeout {conf['timeout']}")
        root = readers[2]
        c.check(f"{name}: p2 /data/pattern.bin listed", "pattern.bin" in root.listing("/data"))
    else:
        c.check(f"{name}: no menu line (U-Boot boots the default at once)", not conf["menu"])


def linux_guest(c, L, name, disk_layout, kver, cmdline, partitions, figures):
    """Checks one directly booted Linux guest that powers off by itself."""
    L.wait_guest_start(240)
    t = boottime.time_to_console(L, name, re.compile(r"XENBOOT-GUEST: linux up \((\S+)\)"), 240)
    c.check(f"{name}: marker 'linux up ({kver})'", L.console.last_match.group(1) == kver)
    figures.append(str(t))
    L.console.expect(re.compile(r"XENBOOT-GUEST: cmdline: ([^\r\n]*)"), 60)
    got = L.console.last_match.group(1).strip()
    c.check(f"{name}: /proc/cmdline is what xl passed", got == cmdline, got)
    L.console.expect(re.compile(r"XENBOOT-GUEST: disk signature (OK|FAILED)([^\r\n]*)"), 120)
    status, rest = L.console.last_match.groups()
    c.check(f"{name}: disk signature line", status == "OK" and rest.strip() == sd.signature(disk_layout),
            f"{status}{rest}")
    L.console.expect(re.compile(r"XENBOOT-GUEST: partitions: ([^\r\n]*)"), 60)
    got = L.console.last_match.group(1).split()
    c.check(f"{name}: Linux sees partitions {partitions}", got == partitions, str(got))
    L.console.expect("XENBOOT-GUEST: powering off", 60)
    reason = L.wait_guest_end(END_TIMEOUT)
    c.check(f"{name}: guest powered off", reason == "poweroff", reason)


def lab_checks(c, disks, interactive, work):
    image = os.path.join(labmod.lab_dir(), "Image")
    kver = open(os.path.join(labmod.lab_dir(), "kernel-release")).read().strip()
    initrd = disks["mbr-ext4"].initrd
    big = os.path.join(work, "initrd-big.img")   # what mbr-ext4-bad's big-initrd label loads
    with open(initrd, "rb") as fi, open(big, "wb") as fo:
        fo.write(fi.read())
        fo.truncate(sd.BAD_INITRD_SIZE)
    cmdline = f"console=hvc0 {sd.POWEROFF_ARG}"
    parts = {layout: [f"xvda{i + 1}" for i in range(len(EXPECT[layout][1]))] for layout in EXPECT}
    guests = [labmod.GuestSpec(layout, image, 256, disks=[d.path], ramdisk=initrd, cmdline=cmdline)
              for layout, d in disks.items()]
    guests.append(labmod.GuestSpec("bad-big-initrd", image, 256, disks=[disks["mbr-ext4-bad"].path],
                                   ramdisk=big, cmdline=cmdline))
    guests.append(labmod.GuestSpec("interactive", image, 256, disks=[interactive.path],
                                   ramdisk=initrd, cmdline="console=hvc0"))
    guests.append(labmod.GuestSpec("mem64", image, 64, disks=[disks["mbr-ext4-bad"].path],
                                   ramdisk=initrd, cmdline=cmdline))
    figures = []
    t0 = time.monotonic()
    with labmod.Lab(os.path.join(work, "lab"), guests) as L:
        c.check("lab: dom0 ready", True, f"{L.timings['dom0_ready']:.1f} s, dom0_mem {L.dom0_memory_mib}M")
        for layout in disks:
            linux_guest(c, L, layout, layout, kver, cmdline, parts[layout], figures)
        linux_guest(c, L, "bad-big-initrd", "mbr-ext4-bad", kver, cmdline, parts["mbr-ext4-bad"], figures)

        L.wait_guest_start(240)
        figures.append(str(boottime.time_to_console(L, "interactive", "XENBOOT-GUEST: linux up", 240)))
        L.console.expect(re.compile(r"XENBOOT-GUEST: disk signature OK (\S+)"), 120)
        c.check("interactive: disk signature", L.console.last_match.group(1) == sd.signature("mbr-ext4"))
        L.console.expect("XENBOOT-GUEST: interactive shell", 60)
        L.console.expect(sd.GUEST_PROMPT, 60)
        L.console.sendline("cat /sys/block/xvda/size")
        L.console.expect(re.compile(r"\r?\n(\d+)\r?\n"), 30)
        sectors = int(L.console.last_match.group(1))
        c.check("interactive: shell on the console runs commands", sectors * 512 == os.path.getsize(interactive.path),
                f"xvda {sectors} sectors")
        L.console.expect(sd.GUEST_PROMPT, 30)
        L.console.sendline("exit")
        reason = L.wait_guest_end(END_TIMEOUT)
        c.check("interactive: 'exit' powers off", reason == "poweroff", reason)

        L.wait_guest_start(240)
        try:
            figures.append(str(boottime.time_to_console(L, "mem64", "XENBOOT-GUEST: linux up", 240)))
            L.console.expect("XENBOOT-GUEST: powering off", 120)
            reason = L.wait_guest_end(END_TIMEOUT)
        except labmod.LabTimeout as e:
            reason = f"no marker/power-off: {str(e)[-300:]}"
        c.check("mem64: Linux + initramfs run in 64 MiB", reason == "poweroff", reason)
        if reason == "poweroff":   # else the guest still runs: closing the lab stops QEMU
            c.check("lab: QEMU exits", L.wait_done(120) == 0)
    print_figures(figures, "unpause -> first init line (host clock)")
    c.check("lab run", True, f"{time.monotonic() - t0:.1f} s; logs in {L.log_dir}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default=os.path.join(REPO, "build", "systest", "sample-disks"))
    ap.add_argument("--host-only", action="store_true", help="skip the lab run")
    args = ap.parse_args()
    t0 = time.monotonic()
    c = Checks(details_on_pass=True)
    work = os.path.abspath(args.workdir)
    os.makedirs(work, exist_ok=True)
    disks = {}
    for layout in EXPECT:
        disks[layout] = sd.build(layout)
        c.check(f"{layout}: built", True, f"{disks[layout].build_seconds:.1f} s"
                f"{' (cached)' if disks[layout].cached else ''}")
    interactive = sd.build("mbr-ext4", poweroff=False)
    image = os.path.join(labmod.lab_dir(), "Image")
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        for d in [*disks.values(), interactive]:
            host_checks(c, d, image, tmp)
    if not args.host_only:
        try:
            lab_checks(c, disks, interactive, work)
        except labmod.LabError as e:
            c.check("lab run", False, str(e))
    print(f"check_sample_disks: {time.monotonic() - t0:.1f} s")
    return summary(c)


if __name__ == "__main__":
    sys.exit(main())
