#!/usr/bin/env python3
"""Distribution-style guest disks for xenboot's GRUB/BLS boot (issue 11), built WITHOUT
mounting from real tools: sgdisk, mkfs.vfat + mtools, mkfs.ext4 -d, Debian's real
grub-mkconfig (tests/tools/grub-mkconfig-offline.sh, which needs root for `unshare -m`),
grub-editenv, and the real signed grubaa64.efi from Debian's grub-efi-arm64-signed.

Every disk boots the same guest as the sample disks (tests/system/sample_disk.py): the lab's
Debian Image with the sample busybox initramfs, which prints "XENBOOT-GUEST: linux up", its
command line, and checks the signature "XENBOOT-SAMPLE-DISK:distro-<layout>" at 0x10000.
Command lines are the cloud images' `console=tty0 console=ttyS0,115200` (consoles a Xen
guest lacks: xenboot must append console=hvc0) plus `xbtest=poweroff` and `root=UUID=...`.

Layouts (see docs/testing.md "Distribution-style disks"):
  debian      GPT; p15 ESP (FAT) /EFI/BOOT/BOOTAA64.EFI (signed grubaa64.efi) and the stub
              /EFI/debian/grub.cfg; p1 ext4 root with /boot/vmlinuz-<ver> (plain Image),
              /boot/initrd.img-<ver>, /boot/grub/grub.cfg (grub-mkconfig, flavour debian)
  ubuntu      GPT; p15 ESP (FAT, label UEFI) /EFI/ubuntu/grub.cfg -> p16; p16 ext4 BOOT with
              /grub/grub.cfg (flavour ubuntu), /vmlinuz-<ver> (gzip'd Image), /initrd.img-<ver>;
              p1 ext4 cloudimg-rootfs
  fedora-bls  GPT; p1 ESP /EFI/fedora/grub.cfg (search --set=dev, prefix ($dev)/grub2);
              p2 ext4 /boot with /grub2/grub.cfg (BLS), /grub2/grubenv (kernelopts,
              saved_entry), /loader/entries/<machine-id>-<ver>.conf for two versions (the
              newer is the default), /vmlinuz-<ver> (zboot by tests/tools/make-zboot.py when
              it exists, else gzip), /initramfs-<ver>.img; p3 ext4 root
  alma        (issue 12) GPT as AlmaLinux 9's kickstart lays it out; p1 ESP
              /EFI/almalinux/grub.cfg (search --set=dev, prefix ($dev)/grub2); p2 XFS /boot
              with /grub2/grub.cfg (BLS), /grub2/grubenv (kernelopts, saved_entry),
              /loader/entries/<machine-id>-<ver>.conf for two EL9 versions, /vmlinuz-<ver>
              (gzip'd Image), /initramfs-<ver>.img; p3 XFS root
  fedora      (issue 12) GPT as Fedora Cloud 40's kiwi description lays it out; p1 ESP
              /EFI/fedora/grub.cfg (prefix ($dev)/root/boot/grub2); p2 btrfs 'fedora'
              with subvolumes `root` (not the default) and `home`, mounted compress=zstd:1
              as Fedora mounts it, /boot inside `root`: /root/boot/grub2/grub.cfg (BLS),
              /root/boot/grub2/grubenv (kernelopts with rootflags=subvol=root, blsdir=
              /root/boot/loader/entries, saved_entry), entries whose paths start with
              /root/boot (the kernel package's $bootprefix), zboot kernels
  grub-bad    GPT; p1 ESP with four broken stubs /EFI/{a-braces,b-loop,c-nosearch,
              d-missing}/grub.cfg (unbalanced braces, configfile loop, a search matching
              nothing, a missing kernel), each to be reported and skipped; p2 ext4 root with
              a good /boot/grub/grub.cfg (flavour debian) that boots
The XFS and btrfs filesystems are made by mkfs.xfs / mkfs.btrfs and filled through a loop
mount in `unshare -m` (root; btrfs subvolumes and compression need a mount with
btrfs-progs 6.2). mkfs.xfs 6.1 refuses filesystems under 300 MB unless run as fstests runs
it (TEST_DIR/TEST_DEV/QA_CHECK_FS set): the lab copies each disk into dom0's RAM, so the
XFS partitions are kept small that way (Alma's real /boot is 1 GiB; nothing else differs).
Each disk is cross-checked with the real grub-fstest (ls and cmp through GRUB's own GPT,
ext2 and FAT drivers, on the assembled image) before it is cached.

Module API:
  build(layout, *, timeout=2, files_dir=None, cache_dir=None, log=print) -> DistroDisk (cached)
  LAYOUTS, signature(layout), grub_efi(cache_dir=None) -> path of grubaa64.efi.signed
CLI:
  distro_disks.py --layout NAME [--out PATH] | --build-all DIR | --list
"""

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import sample_disk
from sample_disk import MiB, _mkfs_ext4, _mkfs_fat32, _run, _sha256_file, _Tree

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = sample_disk.REPO
MKCONFIG = os.path.join(REPO, "tests", "tools", "grub-mkconfig-offline.sh")
MAKE_ZBOOT = os.path.join(REPO, "tests", "tools", "make-zboot.py")
LOOP_MOUNT = os.path.join(REPO, "tests", "tools", "loop-mount.sh")  # retries a busy loop device
GRUB_EFI_PKG = "grub-efi-arm64-signed:arm64"
GRUB_EFI_PATH = "usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed"
CLOUD_CONSOLES = "console=tty0 console=ttyS0,115200"
MACHINE_ID = "8e3b2b1c0a5d4e6f9a7b6c5d4e3f2a1b"
FEDORA_NEW, FEDORA_OLD = "6.8.5-301.fc40.aarch64", "6.7.11-200.fc40.aarch64"
ALMA_NEW, ALMA_OLD = "5.14.0-427.13.1.el9_4.aarch64", "5.14.0-362.8.1.el9_3.aarch64"
ALMA_NAME, ALMA_OS = "AlmaLinux", "9.4 (Seafoam Ocelot)"
# mkfs.xfs 6.1 allows filesystems under 300 MB only when run as fstests runs it.
XFS_SMALL_ENV = {"TEST_DIR": "/tmp", "TEST_DEV": "xenboot-test", "QA_CHECK_FS": "1"}
UBUNTU_VERSION = "6.8.0-51-generic"
DISK_GUID = "5EB0D15C-0000-4000-8000-00000000D157"
ESP_CODE, LINUX_CODE, XBOOTLDR_CODE = "ef00", "8300", "ea00"


def signature(layout):
    return sample_disk.signature("distro-" + layout)


@dataclasses.dataclass
class DistroDisk:
    layout: str
    path: str                 # the image (in the cache; copy it before writing to it)
    signature: str            # the bytes at 0x10000, without the "\n"
    cmdline: str              # the default entry's kernel command line, as on the disk
    default_title: str        # the default entry's title
    titles: list              # the menu's top-level titles, in order
    partition_table: str      # `sfdisk -d` of the image
    fstest: list              # the grub-fstest checks that passed
    notes: list
    build_seconds: float
    cached: bool = False


class _Ctx:
    def __init__(self, layout, tmp, kernel, initrd, release, grub_efi, timeout, cache_dir):
        self.layout, self.tmp, self.kernel, self.initrd = layout, tmp, kernel, initrd
        self.release, self.grub_efi, self.timeout, self.cache_dir = release, grub_efi, timeout, cache_dir
        self.disk = os.path.join(tmp, "disk.img")
        self.trees = []

    def tree(self, part, fs):
        t = _Tree(os.path.join(self.tmp, f"p{part}.d"), part, fs)
        self.trees.append(t)
        return t

    def part_img(self, part):
        return os.path.join(self.tmp, f"p{part}.img")

    def mkconfig(self, flavour, root_uuid, boot_uuid, versions, fs_module=None):
        out = os.path.join(self.tmp, f"grub-{flavour}.cfg")
        env = dict(os.environ, XB_GRUB_FS_MODULE=fs_module) if fs_module else None
        _run([MKCONFIG, "-f", flavour, "-r", root_uuid, "-b", boot_uuid, "-k", " ".join(versions),
              "-t", str(self.timeout), "-a", sample_disk.POWEROFF_ARG, "-o", out], env=env)
        return out

    def esp_stub(self, flavour, uuid, part, grub_dir=None):
        return _run([MKCONFIG, "--esp-stub", flavour, uuid, str(part)] + ([grub_dir] if grub_dir else []))


def grub_efi(cache_dir=None):
    """The real signed grubaa64.efi: `apt-get download grub-efi-arm64-signed:arm64` into
    <cache>/debs (as tests/system/lab/fetch-packages.sh fetches the lab's packages), then
    dpkg -x. Cached."""
    cache_dir = os.path.abspath(cache_dir or sample_disk.default_cache_dir())
    debs = os.path.join(cache_dir, "debs")
    os.makedirs(debs, exist_ok=True)
    found = sorted(f for f in os.listdir(debs) if f.startswith("grub-efi-arm64-signed_") and f.endswith(".deb"))
    if not found:
        subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", GRUB_EFI_PKG],
                       cwd=debs, check=True, capture_output=True, text=True)
        found = sorted(f for f in os.listdir(debs) if f.startswith("grub-efi-arm64-signed_"))
    deb = os.path.join(debs, found[-1])
    out = os.path.join(cache_dir, f"grubaa64-{_sha256_file(deb)[:16]}.efi")
    if not os.path.exists(out):
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
            _run(["dpkg-deb", "-x", deb, tmp])
            shutil.copyfile(os.path.join(tmp, GRUB_EFI_PATH), out + ".tmp")
        os.replace(out + ".tmp", out)
    return out


def _fedora_kernel(ctx):
    """Fedora 40+ ships EFI zboot kernels with a gzip payload (shared/docs/distro-images.md
    §1); tests/tools/make-zboot.py makes one from the lab's Image per the header format."""
    out = os.path.join(ctx.cache_dir, f"Image-{_sha256_file(ctx.kernel)[:16]}.zboot")
    if not os.path.exists(out):
        _run([sys.executable, MAKE_ZBOOT, ctx.kernel, out + ".tmp", "--comp", "gzip"])
        os.replace(out + ".tmp", out)
    return out, "EFI zboot, gzip payload (tests/tools/make-zboot.py)"


def _assemble(ctx, size_mib, parts):
    """A sparse disk of size_mib partitioned with sgdisk (GPT, partition numbers as the
    distributions use them), the partition images copied in, the signature at 0x10000.
    parts: dicts {num, start_mib, size_mib, code, name, uuid, image}. Returns `sfdisk -d`."""
    with open(ctx.disk, "wb") as f:
        f.truncate(size_mib * MiB)
    cmd = ["sgdisk", "-o", "-U", DISK_GUID]
    for p in parts:
        first = p["start_mib"] * 2048
        cmd += ["-n", f"{p['num']}:{first}:{first + p['size_mib'] * 2048 - 1}", "-t", f"{p['num']}:{p['code']}",
                "-c", f"{p['num']}:{p['name']}", "-u", f"{p['num']}:{p['uuid']}"]
    _run(cmd + [ctx.disk])
    with open(ctx.disk, "r+b") as out:
        for p in parts:
            out.seek(p["start_mib"] * MiB)
            with open(p["image"], "rb") as src:
                shutil.copyfileobj(src, out, 4 * MiB)
        out.seek(sample_disk.SIGNATURE_OFFSET)
        out.write(signature(ctx.layout).encode() + b"\n")
    return _run(["sfdisk", "-d", ctx.disk])


def _fstest(ctx, checks):
    """Cross-checks the assembled disk with GRUB's own drivers: every (part, path, local)
    compared byte for byte (`grub-fstest cmp`), and each directory listed by `ls` holds
    what the builder put there. Raises on any difference. Returns the checks done."""
    done = []
    fat = {t.part for t in ctx.trees if t.fs == "vfat"}
    for part, path, local in checks:
        dev = f"(loop0,gpt{part}){path}"
        r = subprocess.run(["grub-fstest", ctx.disk, "cmp", dev, local], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"grub-fstest cmp {dev}: {r.stderr.strip() or r.stdout.strip()}")
        d = os.path.dirname(path) or "/"
        listing = _run(["grub-fstest", ctx.disk, "ls", f"(loop0,gpt{part}){d}"]).split()
        name = os.path.basename(path)
        if part in fat:     # GRUB lists an 8.3 name (as mcopy stores BOOTAA64.EFI) in lower case
            name, listing = name.lower(), [n.lower() for n in listing]
        if name not in listing:
            raise RuntimeError(f"grub-fstest ls (loop0,gpt{part}){d}: {os.path.basename(path)} missing: {listing}")
        done.append(f"gpt{part}{path}")
    return done


def _menu(cfg_path):
    """(top-level titles, first title, its linux arguments) of a generated grub.cfg."""
    with open(cfg_path) as f:
        text = f.read()
    titles = re.findall(r"^(?:menuentry|submenu) '([^']*)'", text, re.M)
    args = re.search(r"^\tlinux\t\S+ (.*)$", text, re.M).group(1).strip()
    return titles, titles[0], args


def _root_tree(ctx, part, name):
    t = ctx.tree(part, "ext4")
    t.add_text("/etc/hostname", f"xenboot-{name}\n")
    t.add_text("/etc/os-release", f'PRETTY_NAME="xenboot {name}-style test disk"\nID={name}\n')
    return t


def _esp(ctx, part, stubs):
    """stubs: {"/EFI/<dir>/grub.cfg": text}; BOOTAA64.EFI is the real signed grubaa64.efi."""
    esp = ctx.tree(part, "vfat")
    esp.add_file("/EFI/BOOT/BOOTAA64.EFI", ctx.grub_efi)
    for path, text in stubs.items():
        esp.add_text(path, text)
    return esp


def layout_debian(ctx, extlinux=False):
    root_uuid = "de61a0e0-0001-4000-8000-00000000d157"
    ver = ctx.release
    cfg = ctx.mkconfig("debian", root_uuid, root_uuid, [ver])
    root = _root_tree(ctx, 1, "debian")
    root.add_file(f"/boot/vmlinuz-{ver}", ctx.kernel)
    root.add_file(f"/boot/initrd.img-{ver}", ctx.initrd)
    root.add_file("/boot/grub/grub.cfg", cfg)
    if extlinux:
        # The same kernel, initrd and command line as grub.cfg's default entry, for
        # bench_boot.py's GRUB-against-extlinux.conf figure on one disk layout.
        cmdline = _menu(cfg)[2]
        root.add_text("/boot/extlinux/extlinux.conf",
                      f"default debian\nlabel debian\n  linux /boot/vmlinuz-{ver}\n"
                      f"  initrd /boot/initrd.img-{ver}\n  append {cmdline}\n")
    _esp(ctx, 15, {"/EFI/debian/grub.cfg": ctx.esp_stub("debian", root_uuid, 1)})
    notes = [_mkfs_fat32(ctx.part_img(15), 40, ctx.trees[1], "ESP"),
             _mkfs_ext4(ctx.part_img(1), 80, root, "root", root_uuid, 4096),
             f"kernel /boot/vmlinuz-{ver}: the plain Image (as Debian's)"]
    table = _assemble(ctx, 122, [
        {"num": 15, "start_mib": 1, "size_mib": 40, "code": ESP_CODE, "name": "EFI System",
         "uuid": "DE61A0E0-000F-4000-8000-00000000D157", "image": ctx.part_img(15)},
        {"num": 1, "start_mib": 41, "size_mib": 80, "code": LINUX_CODE, "name": "Linux filesystem",
         "uuid": "DE61A0E0-0001-4000-8000-00000000D157", "image": ctx.part_img(1)}])
    checks = [(1, f"/boot/vmlinuz-{ver}", ctx.kernel), (1, f"/boot/initrd.img-{ver}", ctx.initrd),
              (1, "/boot/grub/grub.cfg", cfg), (15, "/EFI/BOOT/BOOTAA64.EFI", ctx.grub_efi)]
    return table, notes, cfg, checks


def layout_ubuntu(ctx):
    root_uuid, boot_uuid = "0b0e7e00-0001-4000-8000-00000000d157", "0b0e7e00-0016-4000-8000-00000000d157"
    ver = UBUNTU_VERSION
    cfg = ctx.mkconfig("ubuntu", root_uuid, boot_uuid, [ver])
    boot = ctx.tree(16, "ext4")
    image_gz = sample_disk._image_gz(ctx.kernel, ctx.cache_dir)
    boot.add_file(f"/vmlinuz-{ver}", image_gz)
    boot.add_file(f"/initrd.img-{ver}", ctx.initrd)
    boot.add_file("/grub/grub.cfg", cfg)
    esp = _esp(ctx, 15, {"/EFI/ubuntu/grub.cfg": ctx.esp_stub("ubuntu", boot_uuid, 16)})
    root = _root_tree(ctx, 1, "ubuntu")
    notes = [_mkfs_fat32(ctx.part_img(15), 40, esp, "UEFI"),
             _mkfs_ext4(ctx.part_img(16), 40, boot, "BOOT", boot_uuid, 4096),
             _mkfs_ext4(ctx.part_img(1), 8, root, "cloudimg-rootfs", root_uuid, 1024),
             f"kernel /vmlinuz-{ver} on p16: gzip -9 of the Image (as Ubuntu's)"]
    table = _assemble(ctx, 90, [
        {"num": 15, "start_mib": 1, "size_mib": 40, "code": ESP_CODE, "name": "EFI System",
         "uuid": "0B0E7E00-000F-4000-8000-00000000D157", "image": ctx.part_img(15)},
        {"num": 16, "start_mib": 41, "size_mib": 40, "code": XBOOTLDR_CODE, "name": "Linux extended boot",
         "uuid": "0B0E7E00-0010-4000-8000-00000000D157", "image": ctx.part_img(16)},
        {"num": 1, "start_mib": 81, "size_mib": 8, "code": LINUX_CODE, "name": "Linux filesystem",
         "uuid": "0B0E7E00-0001-4000-8000-00000000D157", "image": ctx.part_img(1)}])
    checks = [(16, f"/vmlinuz-{ver}", image_gz), (16, f"/initrd.img-{ver}", ctx.initrd),
              (16, "/grub/grub.cfg", cfg), (15, "/EFI/ubuntu/grub.cfg", os.path.join(esp.root, "EFI/ubuntu/grub.cfg"))]
    return table, notes, cfg, checks


def layout_fedora_bls(ctx):
    root_uuid, boot_uuid = "fed0a000-0003-4000-8000-00000000d157", "fed0a000-0002-4000-8000-00000000d157"
    cfg = ctx.mkconfig("fedora-bls", root_uuid, boot_uuid, [])
    opts = f"root=UUID={root_uuid} ro {CLOUD_CONSOLES} {sample_disk.POWEROFF_ARG}"
    kernel, kernel_note = _fedora_kernel(ctx)
    boot = ctx.tree(2, "ext4")
    boot.add_file("/grub2/grub.cfg", cfg)
    env = os.path.join(ctx.tmp, "grubenv")
    _run(["grub-editenv", env, "create"])
    _run(["grub-editenv", env, "set", f"kernelopts={opts}", f"saved_entry={MACHINE_ID}-{FEDORA_NEW}"])
    boot.add_file("/grub2/grubenv", env)
    for ver, options in ((FEDORA_NEW, opts), (FEDORA_OLD, "$kernelopts")):
        boot.add_file(f"/vmlinuz-{ver}", kernel)
        boot.add_file(f"/initramfs-{ver}.img", ctx.initrd)
        boot.add_text(f"/loader/entries/{MACHINE_ID}-{ver}.conf", _run([MKCONFIG, "--bls-entry", ver, options]))
    esp = _esp(ctx, 1, {"/EFI/fedora/grub.cfg": ctx.esp_stub("fedora-bls", boot_uuid, 2)})
    root = _root_tree(ctx, 3, "fedora")
    notes = [_mkfs_fat32(ctx.part_img(1), 40, esp, "EFI"),
             _mkfs_ext4(ctx.part_img(2), 56, boot, "boot", boot_uuid, 4096),
             _mkfs_ext4(ctx.part_img(3), 8, root, "fedora", root_uuid, 1024),
             f"kernels /vmlinuz-{FEDORA_NEW} (default: saved_entry, newest) and /vmlinuz-{FEDORA_OLD} "
             f"(options $kernelopts from grubenv): {kernel_note}"]
    table = _assemble(ctx, 106, [
        {"num": 1, "start_mib": 1, "size_mib": 40, "code": ESP_CODE, "name": "EFI System Partition",
         "uuid": "FED0A000-0001-4000-8000-00000000D157", "image": ctx.part_img(1)},
        {"num": 2, "start_mib": 41, "size_mib": 56, "code": LINUX_CODE, "name": "boot",
         "uuid": "FED0A000-0002-4000-8000-00000000D157", "image": ctx.part_img(2)},
        {"num": 3, "start_mib": 97, "size_mib": 8, "code": LINUX_CODE, "name": "root",
         "uuid": "FED0A000-0003-4000-8000-00000000D157", "image": ctx.part_img(3)}])
    checks = [(2, f"/vmlinuz-{FEDORA_NEW}", kernel), (2, f"/initramfs-{FEDORA_NEW}.img", ctx.initrd),
              (2, "/grub2/grub.cfg", cfg), (2, "/grub2/grubenv", env),
              (2, f"/loader/entries/{MACHINE_ID}-{FEDORA_NEW}.conf",
               os.path.join(boot.root, f"loader/entries/{MACHINE_ID}-{FEDORA_NEW}.conf")),
              (1, "/EFI/fedora/grub.cfg", os.path.join(esp.root, "EFI/fedora/grub.cfg"))]
    return table, notes, cfg, checks


def _loop_fill(img, tree_root, mount_opts, subvolumes=()):
    """Copies tree_root into the filesystem image `img` through a loop mount in a private
    mount namespace (root only); btrfs `subvolumes` (top-level names) are created first, so
    the tree's directories of those names land inside them."""
    script = "set -e; m=$(mktemp -d); \"$3\" \"$4\" \"$1\" \"$m\"; "
    for s in subvolumes:
        script += f"btrfs subvolume create \"$m/{s}\" >/dev/null; "
    script += "cp -a \"$2\"/. \"$m\"/; sync; umount \"$m\"; rmdir \"$m\""
    _run(["unshare", "-m", "sh", "-c", script, "loop-fill", img, tree_root, LOOP_MOUNT, mount_opts])


def _mkfs_xfs(img, size_mib, tree, label, uuid):
    tree.fix_times()
    with open(img, "wb") as f:
        f.truncate(size_mib * MiB)
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin", **XFS_SMALL_ENV)
    subprocess.run(["mkfs.xfs", "-q", "-f", "-L", label, "-m", f"uuid={uuid}", img], check=True,
                   capture_output=True, text=True, env=env)
    _loop_fill(img, tree.root, "nouuid")  # fixed UUIDs: another build may have one mounted
    return f"p{tree.part}: XFS v5 '{label}', {size_mib} MiB (mkfs.xfs defaults: crc, ftype, finobt, sparse, reflink)"


def _mkfs_btrfs(img, size_mib, tree, label, uuid, subvolumes, compress):
    tree.fix_times()
    with open(img, "wb") as f:
        f.truncate(size_mib * MiB)
    _run(["mkfs.btrfs", "-q", "-f", "-L", label, "-U", uuid, img])
    _loop_fill(img, tree.root, f"compress={compress}", subvolumes)
    dump = _run(["btrfs", "inspect-internal", "dump-tree", img])
    kinds = re.findall(r"compression \d+ \((\w+)\)", dump)
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds)))
    return (f"p{tree.part}: btrfs '{label}', {size_mib} MiB, subvolumes {', '.join(subvolumes)}, "
            f"written with compress={compress}; file extents by compression: {counts}")


def _bls_boot(ctx, boot, fs, uuids, grub_dir, entries_dir, versions, opts, prefix, name=None, os_version=None,
              env_extra=()):
    """A BLS /boot: grub.cfg (the Fedora/EL template; uuids = (root, boot)), grubenv
    (kernelopts, saved_entry = the newest, extra settings), one entry per (version,
    options). Returns (cfg, env)."""
    cfg = ctx.mkconfig("fedora-bls", uuids[0], uuids[1], [], fs_module=fs)
    boot.add_file(f"{grub_dir}/grub.cfg", cfg)
    env = os.path.join(ctx.tmp, "grubenv")
    _run(["grub-editenv", env, "create"])
    _run(["grub-editenv", env, "set", f"kernelopts={opts}", f"saved_entry={MACHINE_ID}-{versions[0][0]}",
          *env_extra])
    boot.add_file(f"{grub_dir}/grubenv", env)
    for ver, options in versions:
        extra = [prefix] + ([name, os_version] if name else [])
        boot.add_text(f"{entries_dir}/{MACHINE_ID}-{ver}.conf", _run([MKCONFIG, "--bls-entry", ver, options, *extra]))
    return cfg, env


def layout_alma(ctx):
    """AlmaLinux 9 (almalinux-9.gencloud-aarch64.ks): ESP, XFS /boot, XFS root."""
    root_uuid, boot_uuid = "a1ba0000-0003-4000-8000-00000000d157", "a1ba0000-0002-4000-8000-00000000d157"
    opts = f"root=UUID={root_uuid} ro {CLOUD_CONSOLES} {sample_disk.POWEROFF_ARG}"
    image_gz = sample_disk._image_gz(ctx.kernel, ctx.cache_dir)
    boot = ctx.tree(2, "xfs")
    for ver in (ALMA_NEW, ALMA_OLD):
        boot.add_file(f"/vmlinuz-{ver}", image_gz)
        boot.add_file(f"/initramfs-{ver}.img", ctx.initrd)
    cfg, env = _bls_boot(ctx, boot, "xfs", (root_uuid, boot_uuid), "/grub2", "/loader/entries", [(ALMA_NEW, "$kernelopts"), (ALMA_OLD, "$kernelopts")],
                         opts, "", ALMA_NAME, ALMA_OS)
    esp = _esp(ctx, 1, {"/EFI/almalinux/grub.cfg": ctx.esp_stub("fedora-bls", boot_uuid, 2)})
    root = ctx.tree(3, "xfs")
    root.add_text("/etc/hostname", "xenboot-alma\n")
    root.add_text("/etc/os-release", 'PRETTY_NAME="xenboot alma-style test disk"\nID=almalinux\n')
    notes = [_mkfs_fat32(ctx.part_img(1), 40, esp, "EFI"),
             _mkfs_xfs(ctx.part_img(2), 64, boot, "boot", boot_uuid),
             _mkfs_xfs(ctx.part_img(3), 24, root, "root", root_uuid),
             f"kernels /vmlinuz-{ALMA_NEW} (default: saved_entry, newest) and /vmlinuz-{ALMA_OLD}, "
             "both gzip -9 of the Image, options $kernelopts from grubenv"]
    table = _assemble(ctx, 130, [
        {"num": 1, "start_mib": 1, "size_mib": 40, "code": ESP_CODE, "name": "EFI System Partition",
         "uuid": "A1BA0000-0001-4000-8000-00000000D157", "image": ctx.part_img(1)},
        {"num": 2, "start_mib": 41, "size_mib": 64, "code": LINUX_CODE, "name": "boot",
         "uuid": "A1BA0000-0002-4000-8000-00000000D157", "image": ctx.part_img(2)},
        {"num": 3, "start_mib": 105, "size_mib": 24, "code": LINUX_CODE, "name": "root",
         "uuid": "A1BA0000-0003-4000-8000-00000000D157", "image": ctx.part_img(3)}])
    checks = [(2, f"/vmlinuz-{ALMA_NEW}", image_gz), (2, f"/initramfs-{ALMA_NEW}.img", ctx.initrd),
              (2, "/grub2/grub.cfg", cfg), (2, "/grub2/grubenv", env),
              (2, f"/loader/entries/{MACHINE_ID}-{ALMA_NEW}.conf",
               os.path.join(boot.root, f"loader/entries/{MACHINE_ID}-{ALMA_NEW}.conf")),
              (3, "/etc/hostname", os.path.join(root.root, "etc/hostname")),
              (1, "/EFI/almalinux/grub.cfg", os.path.join(esp.root, "EFI/almalinux/grub.cfg"))]
    return table, notes, cfg, checks


def layout_fedora(ctx):
    """Fedora Cloud 40 (kiwi: btrfs, /boot in subvolume root, compress=zstd:1, zboot)."""
    fs_uuid = "fed0b7f5-0002-4000-8000-00000000d157"
    opts = f"root=UUID={fs_uuid} ro rootflags=subvol=root {CLOUD_CONSOLES} {sample_disk.POWEROFF_ARG}"
    kernel, kernel_note = _fedora_kernel(ctx)
    top = ctx.tree(2, "btrfs")
    for ver in (FEDORA_NEW, FEDORA_OLD):
        top.add_file(f"/root/boot/vmlinuz-{ver}", kernel)
        top.add_file(f"/root/boot/initramfs-{ver}.img", ctx.initrd)
    cfg, env = _bls_boot(ctx, top, "btrfs", (fs_uuid, fs_uuid), "/root/boot/grub2", "/root/boot/loader/entries",
                         [(FEDORA_NEW, "$kernelopts"), (FEDORA_OLD, "$kernelopts")], opts, "/root/boot",
                         env_extra=["blsdir=/root/boot/loader/entries"])
    top.add_text("/root/etc/hostname", "xenboot-fedora\n")
    top.add_text("/root/etc/os-release", 'PRETTY_NAME="xenboot fedora-style test disk"\nID=fedora\n')
    top.add_text("/home/fedora/notes.txt", "a file in subvolume home\n")
    esp = _esp(ctx, 1, {"/EFI/fedora/grub.cfg": ctx.esp_stub("fedora-bls", fs_uuid, 2, "/root/boot/grub2")})
    notes = [_mkfs_fat32(ctx.part_img(1), 40, esp, "EFI"),
             _mkfs_btrfs(ctx.part_img(2), 160, top, "fedora", fs_uuid, ["root", "home"], "zstd:1"),
             f"kernels /root/boot/vmlinuz-{FEDORA_NEW} (default: saved_entry, newest) and "
             f"/root/boot/vmlinuz-{FEDORA_OLD}, options $kernelopts, blsdir in grubenv: {kernel_note}"]
    table = _assemble(ctx, 202, [
        {"num": 1, "start_mib": 1, "size_mib": 40, "code": ESP_CODE, "name": "EFI System Partition",
         "uuid": "FED0B7F5-0001-4000-8000-00000000D157", "image": ctx.part_img(1)},
        {"num": 2, "start_mib": 41, "size_mib": 160, "code": LINUX_CODE, "name": "p.lxroot",
         "uuid": "FED0B7F5-0002-4000-8000-00000000D157", "image": ctx.part_img(2)}])
    checks = [(2, f"/root/boot/vmlinuz-{FEDORA_NEW}", kernel), (2, f"/root/boot/initramfs-{FEDORA_NEW}.img", ctx.initrd),
              (2, "/root/boot/grub2/grub.cfg", cfg), (2, "/root/boot/grub2/grubenv", env),
              (2, f"/root/boot/loader/entries/{MACHINE_ID}-{FEDORA_NEW}.conf",
               os.path.join(top.root, f"root/boot/loader/entries/{MACHINE_ID}-{FEDORA_NEW}.conf")),
              (2, "/home/fedora/notes.txt", os.path.join(top.root, "home/fedora/notes.txt")),
              (1, "/EFI/fedora/grub.cfg", os.path.join(esp.root, "EFI/fedora/grub.cfg"))]
    return table, notes, cfg, checks


MISSING_UUID = "00000000-dead-4bad-8000-000000000000"
BAD_STUBS = {   # ESP path -> (text, what is wrong)
    "/EFI/a-braces/grub.cfg": (
        "# unbalanced braces: the menuentry is never closed\n"
        "set timeout=0\n"
        "menuentry 'never closed' {\n"
        "\tlinux /boot/vmlinuz root=/dev/xvda2 console=hvc0\n", "unbalanced braces"),
    "/EFI/b-loop/grub.cfg": (
        "# a configfile loop: this file loads itself\n"
        "configfile /EFI/b-loop/grub.cfg\n", "configfile loop"),
    "/EFI/c-nosearch/grub.cfg": (
        f"search.fs_uuid {MISSING_UUID} root hd0,gpt9 \n"
        "set prefix=($root)'/boot/grub'\n"
        "configfile $prefix/grub.cfg\n", "a search that matches nothing"),
    "/EFI/d-missing/grub.cfg": (
        "set timeout=0\n"
        "menuentry 'missing kernel' {\n"
        "\tlinux /boot/no-such-vmlinuz root=/dev/xvda2 console=hvc0\n"
        "}\n", "a missing kernel"),
}


def layout_grub_bad(ctx):
    root_uuid = "baddbadd-0002-4000-8000-00000000d157"
    ver = ctx.release
    cfg = ctx.mkconfig("debian", root_uuid, root_uuid, [ver])
    esp = _esp(ctx, 1, {path: text for path, (text, _) in BAD_STUBS.items()})
    root = _root_tree(ctx, 2, "grub-bad")
    root.add_file(f"/boot/vmlinuz-{ver}", ctx.kernel)
    root.add_file(f"/boot/initrd.img-{ver}", ctx.initrd)
    root.add_file("/boot/grub/grub.cfg", cfg)
    notes = [_mkfs_fat32(ctx.part_img(1), 40, esp, "ESP"),
             _mkfs_ext4(ctx.part_img(2), 80, root, "root", root_uuid, 4096)]
    notes += [f"p1 {path}: {why}" for path, (_, why) in BAD_STUBS.items()]
    notes.append("p2 /boot/grub/grub.cfg: good (flavour debian), boots after the four are skipped")
    table = _assemble(ctx, 122, [
        {"num": 1, "start_mib": 1, "size_mib": 40, "code": ESP_CODE, "name": "EFI System",
         "uuid": "BADDBADD-0001-4000-8000-00000000D157", "image": ctx.part_img(1)},
        {"num": 2, "start_mib": 41, "size_mib": 80, "code": LINUX_CODE, "name": "Linux filesystem",
         "uuid": "BADDBADD-0002-4000-8000-00000000D157", "image": ctx.part_img(2)}])
    checks = [(2, f"/boot/vmlinuz-{ver}", ctx.kernel), (2, "/boot/grub/grub.cfg", cfg)]
    checks += [(1, path, os.path.join(esp.root, path.lstrip("/"))) for path in BAD_STUBS]
    return table, notes, cfg, checks


LAYOUTS = {
    "debian": layout_debian,
    "debian-extlinux": lambda ctx: layout_debian(ctx, extlinux=True),
    "ubuntu": layout_ubuntu,
    "fedora-bls": layout_fedora_bls,
    "alma": layout_alma,
    "fedora": layout_fedora,
    "grub-bad": layout_grub_bad,
}


def _default_entry(layout, cfg):
    layout = "debian" if layout == "debian-extlinux" else layout
    if layout == "fedora-bls":
        title = f"Fedora Linux ({FEDORA_NEW}) 40 (Cloud Edition)"
        return [title, f"Fedora Linux ({FEDORA_OLD}) 40 (Cloud Edition)"], title, \
            f"root=UUID=fed0a000-0003-4000-8000-00000000d157 ro {CLOUD_CONSOLES} {sample_disk.POWEROFF_ARG}"
    if layout == "alma":
        title = f"{ALMA_NAME} ({ALMA_NEW}) {ALMA_OS}"
        return [title, f"{ALMA_NAME} ({ALMA_OLD}) {ALMA_OS}"], title, \
            f"root=UUID=a1ba0000-0003-4000-8000-00000000d157 ro {CLOUD_CONSOLES} {sample_disk.POWEROFF_ARG}"
    if layout == "fedora":
        title = f"Fedora Linux ({FEDORA_NEW}) 40 (Cloud Edition)"
        return [title, f"Fedora Linux ({FEDORA_OLD}) 40 (Cloud Edition)"], title, \
            f"root=UUID=fed0b7f5-0002-4000-8000-00000000d157 ro rootflags=subvol=root {CLOUD_CONSOLES} " \
            f"{sample_disk.POWEROFF_ARG}"
    return _menu(cfg)


def build(layout, *, timeout=2, files_dir=None, cache_dir=None, log=print):
    """Builds (or takes from the cache) the distro disk `layout`; returns a DistroDisk.
    timeout: GRUB_TIMEOUT of the generated grub.cfg (seconds). The cache key covers the
    kernel, initramfs, grubaa64.efi, this file, sample_disk.py and the mkconfig script."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    t0 = time.monotonic()
    files_dir = files_dir or sample_disk.lab.lab_dir()
    cache_dir = os.path.abspath(cache_dir or sample_disk.default_cache_dir())
    os.makedirs(cache_dir, exist_ok=True)
    kernel = os.path.join(files_dir, "Image")
    with open(os.path.join(files_dir, "kernel-release")) as f:
        release = f.read().strip()
    initrd = sample_disk.build_initramfs(files_dir, cache_dir)
    efi = grub_efi(cache_dir)
    sources = [os.path.abspath(__file__), sample_disk.__file__, MKCONFIG] + \
        ([MAKE_ZBOOT] if os.path.exists(MAKE_ZBOOT) and layout in ("fedora-bls", "fedora") else [])
    key = hashlib.sha256(json.dumps([layout, timeout, release, _sha256_file(kernel), _sha256_file(initrd),
                                     _sha256_file(efi)] + [_sha256_file(s) for s in sources])
                         .encode()).hexdigest()[:16]
    variant = f"distro-{layout}-t{timeout}"
    path = os.path.join(cache_dir, f"{variant}-{key}.img")
    meta = path + ".json"
    if os.path.exists(path) and os.path.exists(meta):
        with open(meta) as f:
            d = json.load(f)
        d.update(cached=True, build_seconds=time.monotonic() - t0)
        disk = DistroDisk(**d)
    else:
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=f"build-distro-{layout}-") as tmp:
            ctx = _Ctx(layout, tmp, kernel, initrd, release, efi, timeout, cache_dir)
            table, notes, cfg, checks = LAYOUTS[layout](ctx)
            fstest = _fstest(ctx, checks)
            titles, title, cmdline = _default_entry(layout, cfg)
            disk = DistroDisk(layout=layout, path=path, signature=signature(layout), cmdline=cmdline,
                              default_title=title, titles=titles, partition_table=table.replace(ctx.disk, path),
                              fstest=fstest, notes=notes, build_seconds=time.monotonic() - t0)
            os.replace(ctx.disk, path)
        for old in os.listdir(cache_dir):   # older builds of this variant
            if old.startswith(variant + "-") and not old.startswith(os.path.basename(path)):
                os.unlink(os.path.join(cache_dir, old))
        with open(meta + ".tmp", "w") as f:
            json.dump(dataclasses.asdict(disk), f, indent=1)
        os.replace(meta + ".tmp", meta)
    if log:
        log(f"distro disk {layout}: {disk.path} ({os.path.getsize(disk.path) // MiB} MiB, "
            f"{'from the cache' if disk.cached else 'built'} in {disk.build_seconds:.1f} s)")
        log(disk.partition_table.rstrip())
        for n in disk.notes:
            log(f"  {n}")
        log(f"  default entry '{disk.default_title}': {disk.cmdline}")
        log(f"  grub-fstest agrees: {', '.join(disk.fstest)}")
    return disk


def main(argv=None):
    ap = argparse.ArgumentParser(description="Builds distribution-style guest disks (GRUB, BLS) for "
                                 "xenboot from real tools. Needs root (grub-mkconfig runs in unshare -m).")
    ap.add_argument("--layout", choices=sorted(LAYOUTS))
    ap.add_argument("--out", help="copy the image here (default: print the cached image's path)")
    ap.add_argument("--build-all", metavar="DIR", help="build every layout and copy the images into DIR")
    ap.add_argument("--timeout", type=int, default=2, help="GRUB_TIMEOUT in seconds (default 2)")
    ap.add_argument("--cache-dir", help=f"default {sample_disk.default_cache_dir()}")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if args.list:
        print("\n".join(LAYOUTS))
        return 0
    if args.build_all:
        os.makedirs(args.build_all, exist_ok=True)
        for layout in LAYOUTS:
            disk = build(layout, timeout=args.timeout, cache_dir=args.cache_dir, log=log)
            out = os.path.join(args.build_all, f"{layout}.img")
            shutil.copyfile(disk.path, out)
            print(out)
        return 0
    if not args.layout:
        ap.error("--layout, --build-all or --list is required")
    disk = build(args.layout, timeout=args.timeout, cache_dir=args.cache_dir, log=log)
    if args.out:
        shutil.copyfile(disk.path, args.out)
    print(args.out or disk.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
