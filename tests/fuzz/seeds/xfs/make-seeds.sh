#!/usr/bin/env bash
# Makes small XFS images as seeds for fuzz_xfs, without root: mkfs.xfs -p
# fills them from a protofile (short-form, block and leaf/node directories,
# inline and remote symlinks, a symlink loop, files of a few blocks). The log
# goes to a separate device so that all the metadata and data sit in the
# first ~200 KiB of the 16 MiB filesystem; each seed is that start only (its
# all-zero tail cut off: fuzz_xfs's device claims the size the superblock
# gives). Variants: v5 with 1 KiB and 4 KiB blocks, 8 KiB directory blocks,
# and v4 without CRCs or ftype.
# Usage: make-seeds.sh CORPUS_DIR
set -euo pipefail
out=$1
mkdir -p "$out"
export PATH=$PATH:/sbin:/usr/sbin
# mkfs.xfs refuses filesystems under 300 MB outside fstests.
export TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tree=$work/tree
mkdir -p "$tree/a/b" "$tree/links" "$tree/empty" "$tree/leaf"
seq 1 2000 >"$tree/a/numbers"
printf 'hello\n' >"$tree/a/b/hello"
seq 1 10 >"$tree/short"
for i in $(seq 1 150); do printf '%d' "$i" >"$tree/leaf/entry-$i"; done
ln -s ../a/b/hello "$tree/links/fast"
ln -s "../a/$(printf './%.0s' $(seq 1 200))b/hello" "$tree/links/remote"
ln -s /a/b "$tree/links/dir"
ln -s loop2 "$tree/links/loop1"
ln -s loop1 "$tree/links/loop2"

# The protofile: "name mode uid gid [source or target]", "$" closes a directory.
proto_dir() {
  local e name
  for e in "$1"/*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    name=$(basename "$e")
    if [ -L "$e" ]; then
      echo "$name l--777 0 0 $(readlink "$e")"
    elif [ -d "$e" ]; then
      echo "$name d--755 0 0"
      proto_dir "$e"
      echo '$'
    else
      echo "$name ---644 0 0 $e"
    fi
  done
}
{
  echo /dev/null
  echo 0 0
  echo "d--755 0 0"
  proto_dir "$tree"
  echo '$'
} >"$work/proto"

mk() {  # name, mkfs.xfs options
  local img=$work/$1.img
  rm -f "$img" "$work/log"
  truncate -s 16M "$img"
  truncate -s 16M "$work/log"
  mkfs.xfs -q -f -d agcount=1 -l logdev="$work/log" -m uuid=6e2a1c3e-0f4b-4f2e-9d3a-5b6c7d8e9f00 $2 \
    -p "$work/proto" "$img" >/dev/null
  # Cut the all-zero tail (in 4 KiB units, so 4096-byte sectors still fit).
  python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
end = len(d)
while end > 0 and not any(d[end - 4096:end]):
    end -= 4096
open(sys.argv[2], "wb").write(d[:end])' "$img" "$out/$1.img"
}
mk xfs-v5-1k "-b size=1024 -L seed"
mk xfs-v5-4k "-b size=4096"
mk xfs-v5-dirblk8k "-b size=1024 -n size=8192"
mk xfs-v4 "-b size=1024 -m crc=0 -n ftype=0 -i size=256"
