#!/usr/bin/env bash
# Makes btrfs seeds for fuzz_btrfs in its sparse format (records of a LE32
# 4 KiB-block index and the block; all-zero blocks left out): mixed-mode
# images from mkfs.btrfs --rootdir --shrink (rootless: no compression, no
# subvolumes) and, when run as root, loop-mounted ones with subvolumes and
# zstd, lzo and zlib extents. A few dozen blocks each (~150 KiB).
# Usage: make-seeds.sh CORPUS_DIR
set -euo pipefail
out=$1
loop_mount=$(cd "$(dirname "$0")/../../../tools" && pwd)/loop-mount.sh  # retries a busy loop device
mkdir -p "$out"
export PATH=$PATH:/sbin:/usr/sbin
command -v mkfs.btrfs >/dev/null || { echo "make-seeds: no mkfs.btrfs: no btrfs seeds" >&2; exit 0; }
work=$(mktemp -d)
trap 'umount "$work/mnt" 2>/dev/null || true; rm -rf "$work"' EXIT

# image -> records; at most 256 blocks (the target's limit).
sparse() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
out = bytearray()
n = 0
for i in range(0, len(data), 4096):
    block = data[i:i + 4096].ljust(4096, b'\0')
    if any(block) and n < 256:
        out += struct.pack('<I', i // 4096) + block
        n += 1
open(sys.argv[2], 'wb').write(out)
PY
}

tree=$work/tree
mkdir -p "$tree/a/b" "$tree/empty"
seq 1 3000 >"$tree/a/numbers"
printf 'hello\n' >"$tree/a/b/hello"
ln -s ../a/b/hello "$tree/fastlink"
ln -s loop2 "$tree/loop1"
ln -s loop1 "$tree/loop2"
truncate -s 64K "$tree/sparse"
printf 'middle' | dd of="$tree/sparse" bs=1 seek=30000 conv=notrunc status=none
for i in $(seq 1 40); do : >"$tree/a/entry-$i"; done

mk() {  # name, mkfs options
  rm -f "$work/img"
  truncate -s 64M "$work/img"
  mkfs.btrfs -q -f -M -U 5b0c1d2e-3f40-4152-8364-758697a8b9ca -L seed $2 --rootdir "$tree" --shrink "$work/img" \
    >/dev/null 2>&1
  sparse "$work/img" "$out/btrfs-$1.bin"
}
mk mixed ""
mk mixed-holes "-O ^no-holes"

# Root only: subvolumes and compressed extents written by the kernel.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  for comp in zstd:1 lzo zlib; do
    name=btrfs-${comp%%:*}
    rm -f "$work/img"
    truncate -s 16M "$work/img"
    mkfs.btrfs -q -f -M -L "$name" "$work/img" >/dev/null 2>&1
    mkdir -p "$work/mnt"
    if unshare -m sh -c "
      '$loop_mount' compress=$comp '$work/img' '$work/mnt' &&
      btrfs -q subvolume create '$work/mnt/root' &&
      mkdir -p '$work/mnt/root/boot/loader/entries' &&
      printf 'title Fedora Linux\nversion 6.9\nlinux /boot/vmlinuz\noptions root=UUID=x ro rootflags=subvol=root\n' >'$work/mnt/root/boot/loader/entries/a.conf' &&
      seq 1 30000 >'$work/mnt/root/boot/vmlinuz' &&
      ln -s /root/boot '$work/mnt/bootlink' &&
      btrfs -q subvolume set-default '$work/mnt/root' &&
      umount '$work/mnt'"; then
      sparse "$work/img" "$out/$name.bin"
    fi
  done
fi
