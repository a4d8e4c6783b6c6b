"""Filesystem disk images for the system tests and the benchmark: ext4 with
`mkfs.ext4 -d` and FAT32 with `mkfs.vfat` + `mcopy` (no root needed); XFS and btrfs made
by mkfs.xfs / mkfs.btrfs and filled through a loop mount in `unshare -m` (root), btrfs
optionally with compress=...; put into a partitioned disk (sfdisk) with dd. Every file's
bytes are known to the caller (for CRC checks)."""

import os
import shutil
import subprocess

MIB = 2**20
SBIN = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin", MTOOLS_SKIP_CHECK="1")


def run(cmd, **kw):
    kw.setdefault("env", SBIN)
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


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


# mkfs.xfs 6.1 allows filesystems under 300 MB only when run as fstests runs it.
XFS_SMALL_ENV = {"TEST_DIR": "/tmp", "TEST_DEV": "xenboot-test", "QA_CHECK_FS": "1"}


def loop_fill(path, root, mount_opts=""):
    """Copies the tree `root` into the filesystem image `path` through a loop mount in a
    private mount namespace (needs root)."""
    script = 'set -e; m=$(mktemp -d); "$3" "$4" "$1" "$m"; cp -a "$2"/. "$m"/; sync; umount "$m"; rmdir "$m"'
    loop_mount = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "loop-mount.sh")
    run(["unshare", "-m", "sh", "-c", script, "loop-fill", path, root, loop_mount, mount_opts])


def xfs_image(path, root, size_mib):
    if os.path.exists(path):
        os.remove(path)
    with open(path, "wb") as f:
        f.truncate(size_mib * MIB)
    run(["mkfs.xfs", "-q", "-f", path], env=dict(SBIN, **XFS_SMALL_ENV))
    loop_fill(path, root, "nouuid")


def btrfs_image(path, root, size_mib, compress=None):
    """compress: None, or a btrfs mount option value ("zstd:1", "lzo", "zlib")."""
    if os.path.exists(path):
        os.remove(path)
    with open(path, "wb") as f:
        f.truncate(size_mib * MIB)
    run(["mkfs.btrfs", "-q", "-f", path])
    loop_fill(path, root, f"compress={compress}" if compress else "")


def btrfs_extents(path, inode_name):
    """[(disk_bytenr, disk_num_bytes, compression)] of the regular extents btrfs's own
    `dump-tree` lists after the inode named `inode_name` (its first occurrence)."""
    import re
    dump = run(["btrfs", "inspect-internal", "dump-tree", path], text=True).stdout
    out = []
    for m in re.finditer(r"extent data disk byte (\d+) nr (\d+)\n\s+extent data offset \d+ nr \d+ ram \d+\n"
                         r"\s+extent compression \d+ \((\w+)\)", dump):
        out.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    return out


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
