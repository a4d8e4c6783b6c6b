#!/usr/bin/env bash
# Seeds for fuzz_decompress: byte 0 the method (0 gzip, 1 zstd, 2 xz, 3 lzma,
# 4 lz4), bytes 1-2 the output room / 16 (big-endian), then data made by the
# real tools with the kernel's options. lzma and xz with small dictionaries so
# that each run does not allocate 32-64 MiB.
set -euo pipefail
out=$1
text() { printf 'label l0\n\tlinux /boot/vmlinuz\n\tappend root=/dev/xvda1 ro\n'; head -c 3000 /dev/zero; }
seed() { { printf "$2\x10\x00"; cat; } >"$out/$1"; }
text | gzip -9 -n -c | seed text.gz '\x00'
text | zstd -q --ultra -22 -c | seed text.zst '\x01'
{ text | zstd -q -c; text | zstd -q -c; } | seed two-frames.zst '\x01'
text | xz -q --check=crc32 --arm64 --lzma2=dict=64KiB -c | seed text.xz '\x02'
text | xz -q --format=lzma --lzma1=dict=64KiB -c | seed text.lzma '\x03'
text | lz4 -q -l -9 -c | seed text.lz4 '\x04'
