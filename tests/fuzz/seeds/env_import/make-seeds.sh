#!/usr/bin/env bash
# Seeds for fuzz_env_import: uEnv.txt-style texts (first byte 0x00: text,
# 0x02: with CRLF as LF) and checksum-protected blocks written by the real
# mkenvimage (Debian's u-boot-tools; first byte 0x05), when installed.
set -euo pipefail
out=$1
text='# a uEnv.txt
bootdelay=3
  dom0_addr=0x48000000

long=first \
second
del=
gone
bootcmd=run mine; bootflow scan -lb
'
{ printf '\000'; printf '%s' "$text"; } >"$out/uenv-text"
{ printf '\002'; printf '%s' "$text" | sed 's/$/\r/'; } >"$out/uenv-crlf"
{ printf '\001'; printf 'a=1\000b=two words\000\000'; } >"$out/binary"
command -v mkenvimage >/dev/null || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'bootdelay=3\nbootcmd=run mine\nfdt_high=0xffffffffffffffff\n' >"$tmp/env.txt"
mkenvimage -s 0x200 -o "$tmp/env.bin" "$tmp/env.txt"
{ printf '\005'; cat "$tmp/env.bin"; } >"$out/mkenvimage"
