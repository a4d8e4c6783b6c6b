#!/usr/bin/env bash
# Seeds for fuzz_grubenv: blocks written by the real grub-editenv (Debian's
# grub-common), when installed. The fuzz target prefixes the signature when
# the first byte is odd, so each block is also stored without it behind 0x01.
set -euo pipefail
out=$1
command -v grub-editenv >/dev/null || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grub-editenv "$tmp/empty" create
grub-editenv "$tmp/fedora" create
grub-editenv "$tmp/fedora" set saved_entry=4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c-6.8.5-301.fc40.aarch64 \
  "kernelopts=root=UUID=6f0c1e4a-2b3c-4d5e-8f90-a1b2c3d4e5f6 ro rootflags=subvol=root" \
  boot_success=0 blsdir=/root/boot/loader/entries
grub-editenv "$tmp/escapes" create
grub-editenv "$tmp/escapes" set 'back=a\b' "nl=one
two" empty=
for f in empty fedora escapes; do
  cp "$tmp/$f" "$out/$f"
  { printf '\001'; tail -c +26 "$tmp/$f"; } >"$out/$f-nosig"
done
