#!/usr/bin/env python3
"""Sample guest disks for xenboot's autoboot: real Debian arm64 kernels on MBR/GPT disks
with ext4/FAT partitions, extlinux.conf or boot.scr, built WITHOUT root from the lab's files.

Every disk boots the same guest: the lab's kernel (`Image`, Debian's plain arm64 Image) with
a small busybox initramfs (`/boot/initrd.img`, gzip) whose /init
  - prints  XENBOOT-GUEST: linux up (<uname -r>)  and  XENBOOT-GUEST: cmdline: <...>
  - loads xen-blkfront, waits (<= 20 s) for /dev/xvda (or the disk named by xbtest_disk=), reads the signature the builder wrote
    at byte 0x10000 of the disk (in the gap before the first partition) and prints
      XENBOOT-GUEST: disk signature OK XENBOOT-SAMPLE-DISK:<layout>   (or ... FAILED ...)
    and  XENBOOT-GUEST: partitions: xvda1 xvda2 ...
    (a guest with no vbd on xenbus prints  XENBOOT-GUEST: no disk (no vbd on xenbus)  at once)
  - with a vif (the lab's network): loads xen-netfront, runs guestfiles' lab-net (DHCP lease,
    ping of dom0) which prints  LAB: net up <ip> ping ok  (or  LAB: net FAILED <why>)
  - powers off if the kernel command line has `xbtest=poweroff`, else starts a shell on the
    console (prompt "xenboot-guest# "; `exit` powers off).

Layouts (see LAYOUTS and docs/testing.md):
  mbr-ext4      MBR; p1 ext4 (4 KiB blocks, bootable flag) /boot/{Image,initrd.img,
                extlinux/extlinux.conf} with a menu (labels linux, rescue); p2 ext4 (1 KiB
                blocks) "root" with sample files
  gpt-fat       GPT; p1 FAT32 ESP /extlinux/extlinux.conf (no menu), /Image.gz, /initrd.img;
                p2 ext4 "root"
  bootscr       MBR; p1 ext4 (1 KiB blocks) /boot/{boot.scr,boot.cmd,Image,initrd.img}
  mbr-ext4-bad  MBR; p1 ext4 with an extlinux.conf whose labels fail one by one (missing
                kernel, missing initrd, bad magic, truncated gzip, no kernel line, initrd
                too big for 64 MiB of guest RAM) before a good one
  mbr-ext4-big  mbr-ext4 with /boot/big.bin (BIG_FILE_MIB of data) on p1: a long `load`
  mbr-ext4-xvdb mbr-ext4 whose labels pass xbtest_disk=xvdb: booted from a guest's second
                disk, Linux checks /dev/xvdb (test_faults.py, where xvda is gone)

Module API:
  build(layout, *, poweroff=True, menu_timeout=10, files_dir=None, cache_dir=None, log=print)
      -> SampleDisk          (cached: a rebuild with the same inputs takes ~0.3 s)
  build_initramfs(files_dir=None, cache_dir=None) -> path of the guest initramfs (gzip)
  signature(layout) -> "XENBOOT-SAMPLE-DISK:<layout>"
  LAYOUTS, SIGNATURE_OFFSET, GUEST_INIT, POWEROFF_ARG, default_cache_dir()
CLI:
  sample_disk.py --layout NAME [--out PATH] [--interactive] [--menu-timeout DS]
  sample_disk.py --list
"""

import argparse
import dataclasses
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "lab"))
import guestfiles  # noqa: E402
import lab  # noqa: E402

MiB = 1 << 20
SIGNATURE_OFFSET = 0x10000          # in the gap before the first partition (MBR and GPT)
SIGNATURE_PREFIX = "XENBOOT-SAMPLE-DISK:"
POWEROFF_ARG = "xbtest=poweroff"
FIXED_TIME = 1704067200             # 2024-01-01: mtime of every file the builder writes
MBR_DISK_ID = "5eb0d15c"
GPT_DISK_GUID = "5EB0D15C-0000-4000-8000-000000000001"
ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
LINUX_FS_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
GUEST_PROMPT = "xenboot-guest# "

GUEST_INIT = r"""#!/bin/sh
# /init of the xenboot sample guest (tests/system/sample_disk.py).
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
echo "XENBOOT-GUEST: linux up ($(uname -r))"
cmdline=$(cat /proc/cmdline)
echo "XENBOOT-GUEST: cmdline: $cmdline"
for m in $(cat /modules); do insmod "$m"; done
disk=xvda   # xbtest_disk=xvdb: the disk to check (a guest whose xvda is gone)
for a in $cmdline; do case "$a" in xbtest_disk=?*) disk=${a#xbtest_disk=} ;; esac; done
# A diskless guest (scripts/run.sh's network sample) has no vbd on xenbus at all: say so
# at once instead of waiting 20 s for a disk that cannot come.
if ! ls /sys/bus/xen/devices 2>/dev/null | grep -q '^vbd-'; then
  echo "XENBOOT-GUEST: no disk (no vbd on xenbus)"
  disk=
fi
n=0
while [ -n "$disk" ] && [ ! -b /dev/$disk ] && [ "$n" -lt 200 ]; do n=$((n + 1)); sleep 0.1; done
if [ -z "$disk" ]; then
  :
elif [ -b /dev/$disk ]; then
  # The builder wrote "XENBOOT-SAMPLE-DISK:<layout>\n" at byte 0x10000 (4096 * 16).
  sig=$(dd if=/dev/$disk bs=4096 skip=16 count=1 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9:._-')
  case "$sig" in
    XENBOOT-SAMPLE-DISK:?*) echo "XENBOOT-GUEST: disk signature OK $sig" ;;
    *) echo "XENBOOT-GUEST: disk signature FAILED (read '$sig' at 0x10000 of /dev/$disk)" ;;
  esac
  n=0   # the partitions appear just after the disk
  while [ ! -e /sys/block/$disk/${disk}1 ] && [ "$n" -lt 20 ]; do n=$((n + 1)); sleep 0.1; done
  echo "XENBOOT-GUEST: partitions: $(grep -o "$disk[0-9][0-9]*" /proc/partitions | tr '\n' ' ')"
else
  echo "XENBOOT-GUEST: disk signature FAILED (no /dev/$disk after 20 s)"
fi
# A guest with a vif (the lab's network, issue 15): eth0 by DHCP and a ping of dom0; prints
# "LAB: net up <ip> ping ok" or "LAB: net FAILED ..." (guestfiles.py lab-net).
if ls /sys/bus/xen/devices 2>/dev/null | grep -q '^vif-'; then
  echo "XENBOOT-GUEST: vif found, bringing up eth0"
  lab-net
fi
case " $cmdline " in
  *" xbtest=poweroff "*) echo "XENBOOT-GUEST: powering off"; poweroff -f ;;
esac
echo "XENBOOT-GUEST: interactive shell on the console ('exit' powers off)"
export PS1='xenboot-guest# ' HOME=/
setsid cttyhack sh
poweroff -f
"""

GUEST_APPLETS = ("sh", "mount", "umount", "uname", "cat", "echo", "insmod", "sleep", "dd", "head",
                 "tr", "grep", "setsid", "cttyhack", "poweroff", "reboot", "ls", "od", "hexdump",
                 "sha256sum", "dmesg", "mkdir", "wc", "cut", "sed", "awk", "printf", "stty",
                 "test", "[", "find", "stat", "free", "ps", "df", "fdisk", "xxd", "less")


@dataclasses.dataclass
class SampleDisk:
    """A built disk. files: what the builder put in each filesystem, for host-side checks:
    dicts {part, fs, path, type: "file"|"symlink", size, sha256 | target}."""
    layout: str
    path: str                 # the image (in the cache; copy it before writing to it)
    signature: str            # the bytes at SIGNATURE_OFFSET, without the "\n"
    kernel: str               # the lab's Image the disk's kernel files were made from
    initrd: str               # the guest initramfs (also on the disk as initrd.img)
    cmdline: str              # what the disk's default boot passes to Linux
    poweroff: bool
    partition_table: str      # `sfdisk -d` of the image
    files: list
    notes: list               # one line per notable fact (block sizes, label meanings, ...)
    build_seconds: float
    cached: bool = False


def signature(layout):
    return SIGNATURE_PREFIX + layout


def default_cache_dir():
    return os.environ.get("XENBOOT_SAMPLE_DISK_CACHE") or os.path.join(REPO, "build", "sample-disks")


def _sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(4 * MiB)
            if not block:
                return h.hexdigest()
            h.update(block)


def _run(cmd, **kw):
    env = dict(kw.pop("env", None) or os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin",
               MTOOLS_SKIP_CHECK="1", E2FSPROGS_FAKE_TIME=str(FIXED_TIME),
               SOURCE_DATE_EPOCH=str(FIXED_TIME))
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, **kw).stdout


def _pattern(n, seed):
    """n deterministic pseudo-random bytes."""
    return hashlib.shake_256(seed.encode()).digest(n)


def build_initramfs(files_dir=None, cache_dir=None):
    """The sample guest initramfs (newc cpio, gzip -9 without a timestamp): GUEST_INIT,
    busybox, the xen-blkfront and xen-netfront modules and guestfiles' network scripts.
    Deterministic for given lab files."""
    files_dir = files_dir or lab.lab_dir()
    cache_dir = cache_dir or default_cache_dir()
    os.makedirs(cache_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        cpio = guestfiles.guest_initramfs(os.path.join(tmp, "initramfs.cpio"), files_dir,
                                          GUEST_INIT, GUEST_APPLETS, net=True)
        with open(cpio, "rb") as f:
            data = gzip.compress(f.read(), compresslevel=9, mtime=0)
    key = hashlib.sha256(data).hexdigest()[:16]
    path = os.path.join(cache_dir, f"initramfs-{key}.cpio.gz")
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
    return path


def _image_gz(kernel, cache_dir):
    """gzip -9 -n of the kernel Image, cached by the Image's hash (gzip takes 5-15 s)."""
    path = os.path.join(cache_dir, f"Image-{_sha256_file(kernel)[:16]}.gz")
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as out:
            subprocess.run(["gzip", "-9", "-n", "-c", kernel], stdout=out, check=True)
        os.replace(path + ".tmp", path)
    return path


# --- filesystem and disk helpers ------------------------------------------------------------

class _Tree:
    """A staging directory for one filesystem; records what goes in for the manifest."""

    def __init__(self, root, part, fs):
        self.root, self.part, self.fs = root, part, fs
        self.files = []
        os.makedirs(root)

    def _host(self, path):
        host = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(host), exist_ok=True)
        return host

    def add_bytes(self, path, data):
        host = self._host(path)
        with open(host, "wb") as f:
            f.write(data)
        return self._record(path, host)

    def add_text(self, path, text):
        return self.add_bytes(path, text.encode())

    def add_file(self, path, src, size=None, sparse_to=None):
        """Copies src (its first `size` bytes if given); sparse_to: extend with a hole to
        this size (zeros when read)."""
        host = self._host(path)
        with open(src, "rb") as fi, open(host, "wb") as fo:
            if size is None:
                shutil.copyfileobj(fi, fo, 4 * MiB)
            else:
                fo.write(fi.read(size))
            if sparse_to is not None:
                fo.truncate(sparse_to)
        return self._record(path, host)

    def add_symlink(self, path, target):
        host = self._host(path)
        os.symlink(target, host)
        self.files.append({"part": self.part, "fs": self.fs, "path": path, "type": "symlink",
                           "target": target})

    def _record(self, path, host):
        os.utime(host, (FIXED_TIME, FIXED_TIME))
        self.files.append({"part": self.part, "fs": self.fs, "path": path, "type": "file",
                           "size": os.path.getsize(host), "sha256": _sha256_file(host)})
        return host

    def fix_times(self):
        for d, dirs, files in os.walk(self.root):
            for n in dirs + files:
                os.utime(os.path.join(d, n), (FIXED_TIME, FIXED_TIME), follow_symlinks=False)


def _mkfs_ext4(img, size_mib, tree, label, uuid, block_size):
    tree.fix_times()
    with open(img, "wb") as f:
        f.truncate(size_mib * MiB)
    _run(["mkfs.ext4", "-q", "-F", "-b", str(block_size), "-L", label, "-U", uuid,
          "-E", f"hash_seed={uuid},root_owner=0:0", "-d", tree.root, img])
    feats = _run(["dumpe2fs", "-h", img])
    feat = next((l.split(":", 1)[1].strip() for l in feats.splitlines()
                 if l.startswith("Filesystem features:")), "?")
    return f"p{tree.part}: ext4 '{label}', {size_mib} MiB, {block_size}-byte blocks, features: {feat}"


def _mkfs_fat32(img, size_mib, tree, label):
    """FAT32 with 512-byte clusters: >= 65525 clusters from 33 MiB up, so it is FAT32 by
    the spec's cluster-count rule (not just by the BPB), and every file spans many clusters."""
    tree.fix_times()
    if os.path.exists(img):
        os.unlink(img)
    _run(["mkfs.vfat", "-F", "32", "-S", "512", "-s", "1", "-n", label, "--invariant",
          "-C", img, str(size_mib * 1024)])
    for d, dirs, files in sorted(os.walk(tree.root)):
        rel = os.path.relpath(d, tree.root)
        for n in sorted(dirs):
            _run(["mmd", "-i", img, "::/" + os.path.normpath(os.path.join(rel, n))])
        for n in sorted(files):
            _run(["mcopy", "-m", "-i", img, os.path.join(d, n),
                  "::/" + os.path.normpath(os.path.join(rel, n))])
    return f"p{tree.part}: FAT32 '{label}', {size_mib} MiB, 512-byte clusters (long file names via VFAT)"


def _assemble(disk, size_mib, label, parts, sig):
    """Partitions a sparse disk of size_mib with sfdisk, copies the partition images in and
    writes the signature. parts: dicts {start_mib, size_mib, type, image, bootable?, name?,
    uuid?}. Returns `sfdisk -d`."""
    with open(disk, "wb") as f:
        f.truncate(size_mib * MiB)
    if label == "dos":
        script = f"label: dos\nlabel-id: 0x{MBR_DISK_ID}\nunit: sectors\nsector-size: 512\n\n"
    else:
        script = f"label: gpt\nlabel-id: {GPT_DISK_GUID}\nunit: sectors\nsector-size: 512\n\n"
    for p in parts:
        line = f"start={p['start_mib'] * 2048}, size={p['size_mib'] * 2048}, type={p['type']}"
        if p.get("bootable"):
            line += ", bootable"
        if label == "gpt":
            line += f", uuid={p['uuid']}, name=\"{p['name']}\""
        script += line + "\n"
    _run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", disk], input=script)
    with open(disk, "r+b") as out:
        for p in parts:
            out.seek(p["start_mib"] * MiB)
            with open(p["image"], "rb") as src:
                shutil.copyfileobj(src, out, 4 * MiB)
        out.seek(SIGNATURE_OFFSET)
        out.write(sig.encode() + b"\n")
    return _run(["sfdisk", "-d", disk])


def _root_tree(tree, layout):
    """A small "root" filesystem with deterministic contents of several shapes."""
    tree.add_text("/etc/hostname", "xenboot-sample\n")
    tree.add_text("/etc/os-release", 'PRETTY_NAME="xenboot sample root"\nID=xenboot-sample\n')
    tree.add_text("/README.txt", f"Root partition of the xenboot sample disk '{layout}'.\n"
                  "Built by tests/system/sample_disk.py; contents are deterministic.\n")
    tree.add_bytes("/data/pattern.bin", _pattern(MiB + 123, "pattern"))   # not block-aligned
    tree.add_bytes("/data/empty", b"")
    tree.add_text("/data/deep/a/b/c/d/leaf.txt", "leaf\n")
    for i in range(300):    # a directory spanning several blocks
        tree.add_text(f"/many/file-{i:03d}-with-a-longer-name.txt", f"file {i}\n")
    tree.add_symlink("/latest", "data/pattern.bin")


def _extlinux_menu(layout, append, menu_timeout):
    return (f"# extlinux.conf of the xenboot sample disk '{layout}' (tests/system/sample_disk.py)\n"
            "# U-Boot semantics: a top-level 'menu' line makes U-Boot show the menu and wait\n"
            "# 'timeout' tenths of a second (rounded up to seconds; 0 = forever), then boot\n"
            "# the default label.\n"
            f"menu title xenboot sample disk ({layout})\n"
            f"timeout {menu_timeout}\n"
            "default linux\n"
            "\n"
            "label linux\n"
            "    menu label Debian Linux (sample initramfs)\n"
            "    linux /boot/Image\n"
            "    initrd /boot/initrd.img\n"
            f"    append {append('linux')}\n"
            "\n"
            "label rescue\n"
            "    menu label Rescue shell (listed, not booted by the tests)\n"
            "    linux /boot/Image\n"
            "    initrd /boot/initrd.img\n"
            "    append console=hvc0 xbtest_label=rescue\n")


# --- layouts ----------------------------------------------------------------------------------

def layout_mbr_ext4(ctx, big_mib=0):
    boot = ctx.tree(1, "ext4")
    boot.add_file("/boot/Image", ctx.kernel)
    boot.add_file("/boot/initrd.img", ctx.initrd)
    boot.add_text("/boot/extlinux/extlinux.conf", _extlinux_menu(ctx.layout, ctx.append, ctx.menu_timeout))
    if big_mib:
        # Real data (a sparse file would read as holes, without I/O): a 1 MiB pattern repeated.
        chunk = _pattern(MiB, "big")
        big = os.path.join(ctx.tmp, "big.bin")
        with open(big, "wb") as f:
            for _ in range(big_mib):
                f.write(chunk)
        boot.add_file("/boot/big.bin", big)
    root = ctx.tree(2, "ext4")
    _root_tree(root, ctx.layout)
    p1_mib = 44 + (big_mib + 32 if big_mib else 0)   # room for the journal, metadata, reserve
    notes = [_mkfs_ext4(ctx.part_img(1), p1_mib, boot, "BOOT", "5eb0d15c-0001-4000-8000-000000000001", 4096),
             _mkfs_ext4(ctx.part_img(2), 18, root, "ROOT", "5eb0d15c-0002-4000-8000-000000000002", 1024),
             f"extlinux menu, timeout {ctx.menu_timeout} (tenths of a second): default 'linux' "
             "boots; 'rescue' is listed only"]
    if big_mib:
        notes.append(f"p1 also holds /boot/big.bin, {big_mib} MiB of data (a long `load`)")
    if ctx.disk_arg:
        notes.append(f"the labels pass '{ctx.disk_arg.strip()}': Linux checks that disk")
    table = _assemble(ctx.disk, 20 + p1_mib, "dos", [
        {"start_mib": 1, "size_mib": p1_mib, "type": "83", "bootable": True, "image": ctx.part_img(1)},
        {"start_mib": 1 + p1_mib, "size_mib": 18, "type": "83", "image": ctx.part_img(2)}], ctx.signature)
    return table, notes


BIG_FILE_MIB = 96


def layout_mbr_ext4_big(ctx):
    return layout_mbr_ext4(ctx, big_mib=BIG_FILE_MIB)


def layout_gpt_fat(ctx):
    esp = ctx.tree(1, "vfat")
    esp.add_text("/extlinux/extlinux.conf",
                 f"# extlinux.conf of the xenboot sample disk '{ctx.layout}' (tests/system/sample_disk.py)\n"
                 "# No 'menu' line: U-Boot boots the default label at once ('timeout' is unused).\n"
                 "timeout 0\n"
                 "default linux\n"
                 "\n"
                 "label linux\n"
                 "    kernel /Image.gz\n"
                 "    initrd /initrd.img\n"
                 f"    append {ctx.append('linux')}\n")
    esp.add_file("/Image.gz", ctx.image_gz())
    esp.add_file("/initrd.img", ctx.initrd)
    root = ctx.tree(2, "ext4")
    _root_tree(root, ctx.layout)
    notes = [_mkfs_fat32(ctx.part_img(1), 40, esp, "XBOOTESP"),
             _mkfs_ext4(ctx.part_img(2), 16, root, "ROOT", "5eb0d15c-0002-4000-8000-000000000003", 4096),
             "kernel is /Image.gz (gzip -9 of the plain Image): the loader must inflate it; "
             "extlinux.conf uses the 'kernel' keyword"]
    table = _assemble(ctx.disk, 64, "gpt", [
        {"start_mib": 1, "size_mib": 40, "type": ESP_TYPE, "name": "EFI system partition",
         "uuid": "5EB0D15C-0001-4000-8000-0000000000E5", "image": ctx.part_img(1)},
        {"start_mib": 41, "size_mib": 16, "type": LINUX_FS_TYPE, "name": "root",
         "uuid": "5EB0D15C-0002-4000-8000-000000000002", "image": ctx.part_img(2)}], ctx.signature)
    return table, notes


def layout_bootscr(ctx):
    boot = ctx.tree(1, "ext4")
    cmd = (f"# boot.cmd of the xenboot sample disk '{ctx.layout}' (tests/system/sample_disk.py)\n"
           "# boot.scr = mkimage -A arm64 -O linux -T script -C none -d boot.cmd boot.scr\n"
           "echo \"sample boot.scr: loading /boot/Image and /boot/initrd.img from pvblock 0:1\"\n"
           "load pvblock 0:1 ${kernel_addr_r} /boot/Image\n"
           "load pvblock 0:1 ${ramdisk_addr_r} /boot/initrd.img\n"
           f"setenv bootargs \"{ctx.append('bootscr')}\"\n"
           "# ${filesize} is the size of the last file loaded: the initrd. No fdt argument:\n"
           "# booti then uses the current (working) device tree.\n"
           "booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize}\n")
    src = boot.add_text("/boot/boot.cmd", cmd)
    scr = os.path.join(ctx.tmp, "boot.scr")
    _run(["mkimage", "-A", "arm64", "-O", "linux", "-T", "script", "-C", "none",
          "-n", f"xenboot sample {ctx.layout}", "-d", src, scr])
    boot.add_file("/boot/boot.scr", scr)
    boot.add_file("/boot/Image", ctx.kernel)
    boot.add_file("/boot/initrd.img", ctx.initrd)
    notes = [_mkfs_ext4(ctx.part_img(1), 44, boot, "BOOT", "5eb0d15c-0001-4000-8000-000000000004", 1024),
             "boot.scr: legacy uImage, type script, no compression; /boot/boot.cmd is its source"]
    table = _assemble(ctx.disk, 48, "dos", [
        {"start_mib": 1, "size_mib": 44, "type": "83", "bootable": True, "image": ctx.part_img(1)}],
        ctx.signature)
    return table, notes


BAD_INITRD_SIZE = 48 * MiB
BAD_LABELS = [  # (label, linux, initrd or None, why it fails)
    ("missing-kernel", "/boot/no-such-Image", "/boot/initrd.img", "the kernel file does not exist"),
    ("missing-initrd", "/boot/Image", "/boot/no-such-initrd.img", "the initrd file does not exist"),
    ("bad-magic", "/boot/Image-badmagic", "/boot/initrd.img",
     "first 2 MiB of the Image with the arm64 magic at 0x38 overwritten ('XXXX')"),
    ("truncated-gz", "/boot/Image-truncated.gz", "/boot/initrd.img",
     "first 4 MiB of Image.gz: the gzip stream ends early (no trailer)"),
    ("no-kernel-line", None, "/boot/initrd.img", "the label has no linux/kernel line"),
    ("big-initrd", "/boot/Image", "/boot/initrd-big.img",
     "initrd.img + a hole up to 48 MiB (sparse on ext4, reads as zeros; Linux skips the zero "
     "padding): does not fit next to the kernel with 64 MiB of guest RAM, boots with 256 MiB"),
    ("good", "/boot/Image", "/boot/initrd.img", "boots (last resort)"),
]


def layout_mbr_ext4_bad(ctx):
    boot = ctx.tree(1, "ext4")
    boot.add_file("/boot/Image", ctx.kernel)
    boot.add_file("/boot/initrd.img", ctx.initrd)
    with open(ctx.kernel, "rb") as f:
        head = bytearray(f.read(2 * MiB))
    head[0x38:0x3c] = b"XXXX"
    boot.add_bytes("/boot/Image-badmagic", bytes(head))
    boot.add_file("/boot/Image-truncated.gz", ctx.image_gz(), size=4 * MiB)
    boot.add_file("/boot/initrd-big.img", ctx.initrd, sparse_to=BAD_INITRD_SIZE)
    conf = (f"# extlinux.conf of the xenboot sample disk '{ctx.layout}' (tests/system/sample_disk.py)\n"
            "# Every label but the last fails on purpose. U-Boot tries the default first, then\n"
            "# every label not yet attempted, in file order.\n"
            "menu title xenboot sample disk: bad cases\n"
            f"timeout {ctx.menu_timeout}\n"
            "default missing-kernel\n"
            "frobnicate 1\n")
    for name, linux, initrd, why in BAD_LABELS:
        conf += f"\n# {why}\nlabel {name}\n    menu label {name}\n"
        if linux:
            conf += f"    linux {linux}\n"
        if initrd:
            conf += f"    initrd {initrd}\n"
        conf += f"    append {ctx.append(name)}\n"
    boot.add_text("/boot/extlinux/extlinux.conf", conf)
    notes = [_mkfs_ext4(ctx.part_img(1), 100, boot, "BOOT", "5eb0d15c-0001-4000-8000-000000000005", 4096),
             "extlinux.conf: default 'missing-kernel'; an unknown top-level keyword 'frobnicate 1' "
             "(U-Boot ignores it with a message)"]
    notes += [f"label {name}: {why}" for name, _, _, why in BAD_LABELS]
    table = _assemble(ctx.disk, 112, "dos", [
        {"start_mib": 1, "size_mib": 100, "type": "83", "bootable": True, "image": ctx.part_img(1)}],
        ctx.signature)
    return table, notes


LAYOUTS = {
    "mbr-ext4": layout_mbr_ext4,
    "gpt-fat": layout_gpt_fat,
    "bootscr": layout_bootscr,
    "mbr-ext4-bad": layout_mbr_ext4_bad,
    # test_faults.py: disk 0 with a large file, and disk 1 whose Linux checks xvdb
    "mbr-ext4-big": layout_mbr_ext4_big,
    "mbr-ext4-xvdb": layout_mbr_ext4,
}


class _Ctx:
    def __init__(self, layout, tmp, disk, kernel, initrd, poweroff, menu_timeout, cache_dir):
        self.layout, self.tmp, self.disk = layout, tmp, disk
        self.kernel, self.initrd = kernel, initrd
        self.poweroff, self.menu_timeout = poweroff, menu_timeout
        self.signature = signature(layout)
        # Booted from the second disk after the first one's backend is gone: Linux has no xvda.
        self.disk_arg = " xbtest_disk=xvdb" if layout == "mbr-ext4-xvdb" else ""
        self._cache_dir = cache_dir
        self.trees = []

    def append(self, label):
        """The kernel command line of a label (xbtest_label says which one booted)."""
        return f"console=hvc0 xbtest_label={label}{self.disk_arg}" + (f" {POWEROFF_ARG}" if self.poweroff else "")

    def tree(self, part, fs):
        t = _Tree(os.path.join(self.tmp, f"p{part}.d"), part, fs)
        self.trees.append(t)
        return t

    def part_img(self, part):
        return os.path.join(self.tmp, f"p{part}.img")

    def image_gz(self):
        return _image_gz(self.kernel, self._cache_dir)


def build(layout, *, poweroff=True, menu_timeout=10, files_dir=None, cache_dir=None, log=print):
    """Builds (or takes from the cache) the sample disk `layout`; returns a SampleDisk.
    poweroff: the boot entries pass `xbtest=poweroff` (the guest powers off after its checks)
    or not (it starts a shell). menu_timeout: extlinux 'timeout' of the menu layouts, in
    tenths of a second (U-Boot: 0 = wait forever). The cache key covers the kernel, the
    initramfs, this file's source and the parameters. log: None for silence."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    t0 = time.monotonic()
    files_dir = files_dir or lab.lab_dir()
    cache_dir = os.path.abspath(cache_dir or default_cache_dir())
    os.makedirs(cache_dir, exist_ok=True)
    kernel = os.path.join(files_dir, "Image")
    initrd = build_initramfs(files_dir, cache_dir)
    with open(os.path.abspath(__file__), "rb") as f:
        source = f.read()
    key = hashlib.sha256(json.dumps([layout, poweroff, menu_timeout, _sha256_file(kernel),
                                     _sha256_file(initrd), hashlib.sha256(source).hexdigest()])
                         .encode()).hexdigest()[:16]
    variant = f"{layout}{'' if poweroff else '-interactive'}" + \
        ("" if menu_timeout == 10 or layout in ("gpt-fat", "bootscr") else f"-t{menu_timeout}")
    path = os.path.join(cache_dir, f"{variant}-{key}.img")
    meta = path + ".json"
    if os.path.exists(path) and os.path.exists(meta):
        with open(meta) as f:
            d = json.load(f)
        d.update(cached=True, build_seconds=time.monotonic() - t0)
        disk = SampleDisk(**d)
    else:
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=f"build-{layout}-") as tmp:
            tmp_disk = os.path.join(tmp, "disk.img")
            ctx = _Ctx(layout, tmp, tmp_disk, kernel, initrd, poweroff, menu_timeout, cache_dir)
            table, notes = LAYOUTS[layout](ctx)
            disk = SampleDisk(layout=layout, path=path, signature=ctx.signature, kernel=kernel,
                              initrd=initrd, cmdline=ctx.append("bootscr" if layout == "bootscr" else
                                                                "good" if layout == "mbr-ext4-bad" else "linux"),
                              poweroff=poweroff, partition_table=table.replace(tmp_disk, path),
                              files=[f for t in ctx.trees for f in t.files], notes=notes,
                              build_seconds=time.monotonic() - t0)
            os.replace(tmp_disk, path)
        for old in os.listdir(cache_dir):   # older builds of this variant
            if old.startswith(variant + "-") and old.count("-") == variant.count("-") + 1 \
                    and not old.startswith(os.path.basename(path)):
                os.unlink(os.path.join(cache_dir, old))
        with open(meta + ".tmp", "w") as f:
            json.dump(dataclasses.asdict(disk), f, indent=1)
        os.replace(meta + ".tmp", meta)
    if log:
        log(f"sample disk {layout}{'' if poweroff else ' (interactive)'}: {disk.path} "
            f"({os.path.getsize(disk.path) // MiB} MiB, "
            f"{'from the cache' if disk.cached else 'built'} in {disk.build_seconds:.1f} s)")
        log(disk.partition_table.rstrip())
        for n in disk.notes:
            log(f"  {n}")
    return disk


def main(argv=None):
    ap = argparse.ArgumentParser(description="Builds a sample guest disk for xenboot's autoboot "
                                 "(no root needed). Files come from the lab ($XENBOOT_LAB_DIR).")
    ap.add_argument("--layout", choices=sorted(LAYOUTS), help="which disk")
    ap.add_argument("--out", help="copy the image here (default: print the cached image's path "
                    "on stdout; the build log goes to stderr)")
    ap.add_argument("--interactive", action="store_true",
                    help=f"boot entries without {POWEROFF_ARG}: the guest starts a shell")
    ap.add_argument("--menu-timeout", type=int, default=10,
                    help="extlinux menu timeout in tenths of a second (default 10)")
    ap.add_argument("--cache-dir", help=f"default {default_cache_dir()}")
    ap.add_argument("--initrd-out", help="also copy the guest initramfs here")
    ap.add_argument("--list", action="store_true", help="list the layouts and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name, fn in LAYOUTS.items():
            print(name)
        return 0
    if not args.layout:
        ap.error("--layout is required (or --list)")
    disk = build(args.layout, poweroff=not args.interactive, menu_timeout=args.menu_timeout,
                 cache_dir=args.cache_dir, log=lambda m: print(m, file=sys.stderr))
    if args.out:
        shutil.copyfile(disk.path, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.initrd_out:
        shutil.copyfile(disk.initrd, args.initrd_out)
        print(f"wrote {args.initrd_out}", file=sys.stderr)
    if not args.out:
        print(disk.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
