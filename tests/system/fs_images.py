"""Filesystem disk images for the system tests and the benchmark, built without root:
ext4 with `mkfs.ext4 -d`, FAT32 with `mkfs.vfat` + `mcopy`, put into a partitioned
disk (sfdisk) with dd. Every file's bytes are known to the caller (for CRC checks)."""

import os
import shutil
import subprocess

MIB = 2**20
SBIN = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin", MTOOLS_SKIP_CHECK="1")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, env=SBIN, **kw)


def make_tree(root, files):
    """files: {relative path: bytes | ("symlink", target)}; creates them under root."""
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, tuple):
            os.symlink(content[1], path)
        else:
            with open(path, "wb") as f:
                f.write(content)


def ext4_image(path, root, size_mib, options=()):
    if os.path.exists(path):
        os.remove(path)
    run(["mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", *options, "-d", root, path, f"{size_mib}M"])


def fat_image(path, root, size_mib, fat_bits=32, cluster_sectors=None):
    if os.path.exists(path):
        os.remove(path)
    extra = ["-s", str(cluster_sectors)] if cluster_sectors else []
    run(["mkfs.vfat", "-F", str(fat_bits), *extra, "-C", path, str(size_mib * 1024)])
    entries = [os.path.join(root, e) for e in sorted(os.listdir(root))]
    if entries:
        run(["mcopy", "-s", "-i", path, *entries, "::/"])


def partitioned_disk(path, parts, label="dos"):
    """parts: list of (image path, sfdisk type). Partitions start at 1 MiB, each image
    rounded up to whole MiB, one MiB of slack at the end (GPT backup)."""
    sizes = [(os.path.getsize(img) + MIB - 1) // MIB for img, _ in parts]
    total = 1 + sum(sizes) + 1
    with open(path, "wb") as f:
        f.truncate(total * MIB)
    lines = [f"label: {label}"]
    start = 1
    for (img, ptype), size in zip(parts, sizes):
        lines.append(f"start={start * 2048}, size={size * 2048}, type={ptype}")
        start += size
    run(["sfdisk", "-q", path], input="\n".join(lines) + "\n", text=True)
    start = 1
    for (img, _), size in zip(parts, sizes):
        run(["dd", f"if={img}", f"of={path}", "bs=1M", f"seek={start}", "conv=notrunc,sparse", "status=none"])
        start += size
    return path
