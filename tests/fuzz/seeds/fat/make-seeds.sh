#!/usr/bin/env bash
# Seeds for fuzz_fat: FAT12, FAT16 and FAT32 images (512- and
# 4096-byte sectors) made by mkfs.fat and filled by mtools (long and Unicode
# names, lower-case 8.3 names, subdirectories, a deleted file, a fragmented
# file). Stored without their all-zero tail: fuzz_fat pads an image back to
# the size its boot sector claims.
set -euo pipefail
out=$1
mkdir -p "$out"
export MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8 PATH=$PATH:/sbin:/usr/sbin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src
mkdir -p "$src/boot/extlinux" "$src/deep/a/b/c"
seq 100000 100500 | head -c 3000 >"$src/boot/Image"  # deterministic content
printf 'label linux\n  kernel /boot/Image\n' >"$src/boot/extlinux/extlinux.conf"
printf 'x' >"$src/readme.txt"
printf 'y' >"$src/UPPER.TXT"
: >"$src/empty"
printf 'long' >"$src/A long name with spaces, over 13 chars.text"
printf 'unicode' >"$src/ÄÖü-κόσμε.txt"
printf 'deep' >"$src/deep/a/b/c/File.Bin"

make() {  # name, mkfs arguments, size in KiB
  local img=$tmp/$1.img
  mkfs.fat $2 -C "$img" "$3" >/dev/null 2>&1
  mcopy -s -i "$img" "$src"/* ::/
  mcopy -i "$img" "$src/readme.txt" ::/gone.txt
  head -c 1500 /dev/zero | tr '\0' 'p' >"$tmp/pad"
  mcopy -i "$img" "$tmp/pad" ::/pad1 && mcopy -i "$img" "$tmp/pad" ::/pad2
  mdel -i "$img" ::/gone.txt ::/pad1
  head -c 5000 /dev/zero | tr '\0' 'f' >"$tmp/frag"
  mcopy -i "$img" "$tmp/frag" ::/frag
  # Drop the all-zero tail.
  python3 - "$img" "$out/$1.img" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(data[:len(data.rstrip(b'\0')) or 512])
PY
}
make fat12 "-F 12 -s 1" 256
make fat12-4k "-F 12 -S 4096 -s 1" 512
make fat16 "-F 16 -s 1" 2200
make fat16-4k "-F 16 -S 4096 -s 1" 17000
# FAT32 needs 65525 clusters; one FAT keeps the stored part small.
make fat32 "-F 32 -s 1 -f 1" 34000
make fat32-4k-clusters "-F 32 -s 8 -f 1" 270000
# mkfs.fat makes FAT32 below the minimum when asked (mtools cannot fill it).
mkfs.fat -F 32 -s 1 -C "$tmp/small32.img" 512 >/dev/null 2>&1
python3 -c "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d[:len(d.rstrip(b'\\0'))])" "$tmp/small32.img" "$out/fat32-small.img"
