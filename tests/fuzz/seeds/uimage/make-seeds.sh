#!/usr/bin/env bash
# Seeds for fuzz_uimage: legacy kernel and ramdisk uImages made by mkimage
# (u-boot-tools), uncompressed and gzip. Skipped when mkimage is missing.
set -euo pipefail
out=$1
command -v mkimage >/dev/null || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 2048 /dev/zero | tr '\0' 'K' >"$tmp/Image"
gzip -n -9 -k "$tmp/Image"
mkimage -A arm64 -O linux -T kernel -C none -a 0x40200000 -e 0x40200000 -n seed -d "$tmp/Image" "$out/kernel.uimg" >/dev/null
mkimage -A arm64 -O linux -T kernel -C gzip -a 0x40200000 -e 0x40200000 -n seed -d "$tmp/Image.gz" "$out/kernel-gz.uimg" >/dev/null
mkimage -A arm64 -O linux -T ramdisk -C none -n seed -d "$tmp/Image" "$out/ramdisk.uimg" >/dev/null
