#!/bin/sh
# Makes the btrfs test images for btrfs_test.cpp with the kernel's own btrfs
# (loop mounts: run as root, inside `unshare -m`), then copies every file back
# out through a read-only mount of the top level: the oracle the reader is
# compared with.
# Usage: btrfs_images.sh KIND IMAGE MOUNTPOINT ORACLE_DIR
#   fedora: 120 MiB, metadata DUP (the default), subvolumes root and home
#           (root the default), zstd:1 then lzo then zlib then no compression,
#           holes (no-holes), prealloc, symlinks, 3000 entries in one directory.
#   single: 64 MiB, -m single -O ^no-holes (explicit hole extents), uncompressed.
set -eu
kind=$1 img=$2 mnt=$3 oracle=$4
loop_mount="$(dirname "$0")/../../tools/loop-mount.sh"  # retries: shards mount at once
mkdir -p "$mnt" "$oracle"
rm -f "$img"
compressible() { seq 1 "$1" | sed 's/$/ lorem ipsum dolor sit amet/'; }
case $kind in
fedora)
  truncate -s 120M "$img"
  mkfs.btrfs -q -f -L fedora-root "$img"
  "$loop_mount" compress=zstd:1 "$img" "$mnt"
  btrfs -q subvolume create "$mnt/root"
  btrfs -q subvolume create "$mnt/home"
  mkdir -p "$mnt/root/boot/loader/entries" "$mnt/root/etc" "$mnt/home/user/deep/er"
  for v in 6.8.5-301.fc40.aarch64 6.9.7-200.fc40.aarch64; do
    printf 'title Fedora Linux (%s) 40 (Cloud Edition)\nversion %s\nlinux /boot/vmlinuz-%s\ninitrd /boot/initramfs-%s.img\noptions root=UUID=0c3b5c4e rootflags=subvol=root ro\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class fedora\n' \
      "$v" "$v" "$v" "$v" >"$mnt/root/boot/loader/entries/3f1c2e6d-$v.conf"
  done
  compressible 200000 >"$mnt/root/boot/vmlinuz-6.9.7-200.fc40.aarch64"
  head -c 3000000 /dev/urandom >"$mnt/root/boot/initramfs-6.9.7-200.fc40.aarch64.img"
  printf 'hello\n' >"$mnt/home/user/hello"
  printf 'deep\n' >"$mnt/home/user/deep/er/file"
  ln -s ../boot/loader/entries "$mnt/root/etc/entries"
  ln -s /root/boot "$mnt/bootlink"
  ln -s loop2 "$mnt/loop1"
  ln -s loop1 "$mnt/loop2"
  btrfs -q subvolume set-default "$mnt/root"
  sync
  mount -o remount,compress=lzo "$mnt"
  mkdir "$mnt/lzo"
  compressible 150000 >"$mnt/lzo/big"
  head -c 1000000 /dev/urandom >"$mnt/lzo/random"
  printf 'small lzo file, small lzo file, small lzo file, small lzo file\n' >"$mnt/lzo/small"
  sync
  mount -o remount,compress=zlib "$mnt"
  mkdir "$mnt/zlib"
  compressible 150000 >"$mnt/zlib/big"
  head -c 1000000 /dev/urandom >"$mnt/zlib/random"
  printf 'small zlib file, small zlib file, small zlib file, small zlib file\n' >"$mnt/zlib/small"
  sync
  mount -o remount,compress=no "$mnt"
  mkdir "$mnt/plain" "$mnt/plain/many"
  # Reserved in one piece first: written straight, its extents could be split and
  # scattered when writeback flushes mid-copy (parallel test shards load the host),
  # and ContiguousExtentsAreOneDeviceRead needs them adjacent on disk.
  fallocate -l 5000000 "$mnt/plain/big"
  head -c 5000000 /dev/urandom | dd of="$mnt/plain/big" bs=1M conv=notrunc iflag=fullblock status=none
  printf 'inline\n' >"$mnt/plain/inline"
  truncate -s 3000000 "$mnt/plain/sparse"
  printf 'in the middle' | dd of="$mnt/plain/sparse" bs=1 seek=1048576 conv=notrunc status=none
  printf 'near the end' | dd of="$mnt/plain/sparse" bs=1 seek=2500000 conv=notrunc status=none
  head -c 8192 /dev/urandom | dd of="$mnt/plain/gap" bs=4096 seek=100 conv=notrunc status=none
  fallocate -l 1048576 "$mnt/plain/prealloc"
  printf 'written into prealloc' | dd of="$mnt/plain/prealloc" bs=1 seek=300000 conv=notrunc status=none
  i=0
  while [ $i -lt 3000 ]; do : >"$mnt/plain/many/entry-$i"; i=$((i + 1)); done
  ;;
single)
  truncate -s 64M "$img"
  mkfs.btrfs -q -f -m single -O ^no-holes -L single "$img"
  "$loop_mount" "" "$img" "$mnt"
  mkdir "$mnt/dir"
  truncate -s 2000000 "$mnt/dir/sparse"
  printf 'in the middle' | dd of="$mnt/dir/sparse" bs=1 seek=1048576 conv=notrunc status=none
  head -c 8192 /dev/urandom | dd of="$mnt/dir/gap" bs=4096 seek=100 conv=notrunc status=none
  head -c 2000000 /dev/urandom >"$mnt/dir/big"
  printf 'hello\n' >"$mnt/dir/hello"
  ;;
*) echo "unknown kind $kind" >&2; exit 2 ;;
esac
umount "$mnt"
# The oracle: the kernel reading the finished image, from the top level.
"$loop_mount" ro,subvolid=5 "$img" "$mnt"
cp -a "$mnt/." "$oracle/"
umount "$mnt"
