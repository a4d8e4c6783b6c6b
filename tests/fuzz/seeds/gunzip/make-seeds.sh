#!/usr/bin/env bash
# Seeds for fuzz_gunzip: 3 bytes (flags; output room / 16, big-endian) then a
# gzip stream made by gzip(1): text, zeros, two concatenated members, fastest level.
set -euo pipefail
out=$1
seed() { { printf "\x00\x10\x00"; cat; } >"$out/$1"; }
printf 'label l0\n\tlinux /boot/vmlinuz\n\tappend root=/dev/xvda1 ro\n' | gzip -9 -c | seed text.gz
head -c 20000 /dev/zero | gzip -c | seed zeros.gz
{ printf 'first member\n' | gzip -c; printf 'second member\n' | gzip -c; } | seed two-members.gz
printf 'stored block, no compression\n' | gzip -1 -c | seed fast.gz
