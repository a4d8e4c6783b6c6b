"""Files for Linux DomU guests of the lab, built without root: a newc cpio writer and a
busybox initramfs that carries the xen-blkfront modules of the lab's kernel.

Used by the lab's self-test, the PV block benchmark and tests/system/sample_disk.py.

    write_cpio(path, entries)                                  -> None
    blkfront_modules(files_dir)                                -> [module paths, load order]
    guest_initramfs(path, files_dir, init_script, applets)     -> path

files_dir is the lab's directory (lab.lab_dir()): rootfs-src/ (the arm64 sysroot with
busybox and the kernel's modules) and kernel-release.
"""

import os
import stat
import subprocess


def write_cpio(path, entries):
    """Writes a newc cpio archive. entries: (name, mode, data_bytes_or_None, rdev) tuples;
    device nodes need no root this way. Every entry gets uid/gid 0 and mtime 0, so the
    archive depends only on the entries."""
    out = bytearray()

    def add(name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08X}" for v in (
            len(out), mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
        out.extend(hdr.encode() + name_b)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for name, mode, data, rdev in entries:
        add(name, mode, data or b"", rdev)
    add("TRAILER!!!", 0)
    with open(path, "wb") as f:
        f.write(out)


def blkfront_modules(files_dir):
    """The .ko files xen-blkfront needs, in load order (from `modprobe --show-depends`
    against the lab's sysroot; Debian 12's modules are plain .ko files)."""
    sysroot = os.path.join(files_dir, "rootfs-src")
    with open(os.path.join(files_dir, "kernel-release")) as f:
        kver = f.read().strip()
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    deps = subprocess.run(["modprobe", "-d", sysroot, "-S", kver, "--show-depends", "xen-blkfront"],
                          check=True, capture_output=True, text=True, env=env).stdout
    return [line.split()[1] for line in deps.splitlines() if line.startswith("insmod ")]


def guest_initramfs(path, files_dir, init_script, applets):
    """Writes a Linux guest initramfs (uncompressed newc cpio): busybox with `applets` as
    symlinks in /bin, the xen-blkfront modules of the lab's kernel in / (their names, in
    load order, in /modules: `for m in $(cat /modules); do insmod "$m"; done`), and
    init_script as /init. Returns path."""
    sysroot = os.path.join(files_dir, "rootfs-src")
    mods = blkfront_modules(files_dir)
    d, f, l = stat.S_IFDIR | 0o755, stat.S_IFREG, stat.S_IFLNK | 0o777

    def read(p):
        with open(p, "rb") as fh:
            return fh.read()

    entries = [("bin", d, None, (0, 0)), ("dev", d, None, (0, 0)), ("proc", d, None, (0, 0)),
               ("sys", d, None, (0, 0)),
               ("dev/console", stat.S_IFCHR | 0o600, None, (5, 1)),
               ("init", f | 0o755, init_script.encode(), (0, 0)),
               ("bin/busybox", f | 0o755, read(os.path.join(sysroot, "bin/busybox")), (0, 0)),
               ("modules", f | 0o644, "".join(f"/{os.path.basename(m)}\n" for m in mods).encode(), (0, 0))]
    entries += [(os.path.basename(m), f | 0o644, read(m), (0, 0)) for m in mods]
    entries += [(f"bin/{applet}", l, b"busybox", (0, 0)) for applet in applets]
    write_cpio(path, entries)
    return path
