#!/usr/bin/env bash
# Makes small ext2/3/4 images (1 KiB blocks, under 1 MiB) as seeds for
# fuzz_ext4: extents (one tree of depth 1), indirect maps, inline data, an
# htree directory, fast/slow/looping symlinks. File contents are fixed (times
# and inode generations still differ run to run). Also copies the ext4
# regression inputs from ../regressions/ext4-*.
# Usage: make-seeds.sh CORPUS_DIR
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export PATH=$PATH:/sbin:/usr/sbin E2FSPROGS_FAKE_TIME=1700000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The common tree: small and medium files, nested directories, symlinks.
tree=$work/tree
mkdir -p "$tree/a/b" "$tree/links" "$tree/empty"
seq 1 2000 >"$tree/a/numbers"
printf 'hello\n' >"$tree/a/b/hello"
seq 1 10 >"$tree/short"
ln -s ../a/b/hello "$tree/links/fast"
ln -s "../a/./b/../b/../../a/b/../b/../b/../../a/b/../../a/b/./././././././././././hello" "$tree/links/slow"
ln -s /a/b "$tree/links/dir"
ln -s loop2 "$tree/links/loop1"
ln -s loop1 "$tree/links/loop2"
# A file in pieces: holes between 4 KiB chunks (and a depth-1 extent tree).
truncate -s 64K "$tree/sparse"
for i in 0 2 4 6 8 10 12 14; do seq $((i * 1000)) $((i * 1000 + 600)) | head -c 4096 | dd of="$tree/sparse" bs=4096 seek=$i conv=notrunc status=none; done

mk() {  # name, mke2fs options, size, source
  rm -f "$out/$1.img"
  mke2fs -q -F -b 1024 -N 32 -U 6e2a1c3e-0f4b-4f2e-9d3a-5b6c7d8e9f00 -E root_owner=0:0,hash_seed=0d7b1b46-7c3f-4c1d-8a3e-2f5e6d7c8b9a \
    $2 -d "$4" "$out/$1.img" "$3" >/dev/null
}
# Small images mutate faster: no journal, no reserved GDT blocks, 32 inodes.
mk ext4-extents "-t ext4 -O ^has_journal,^resize_inode" 192K "$tree"
mk ext2-indirect "-t ext2 -O ^resize_inode" 192K "$tree"
mk ext4-inline "-t ext4 -O ^has_journal,^resize_inode,inline_data -I 256" 192K "$tree"
mk ext4-noextent "-t ext4 -O ^has_journal,^resize_inode,^extent,^64bit" 192K "$tree"

# An htree directory (long names fill leaves quickly).
htree=$work/htree
mkdir -p "$htree/dir"
for i in $(seq 1 100); do : >"$htree/dir/$(printf 'entry-%03d-%080d' "$i" 0)"; done
mk ext4-htree "-t ext4 -O ^has_journal,^resize_inode -N 128" 384K "$htree"
e2fsck -fyD "$out/ext4-htree.img" >/dev/null 2>&1 || true

cp "$here"/../regressions/ext4-* "$out"/ 2>/dev/null || true
