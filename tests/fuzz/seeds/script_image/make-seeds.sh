#!/usr/bin/env bash
# Seeds for fuzz_script_image: script images made by mkimage (u-boot-tools),
# one plain, one multi-part; skipped when mkimage is missing.
set -euo pipefail
out=$1
command -v mkimage >/dev/null || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'echo hello\nsetenv a 1\nif test $a = 1; then echo yes; fi\n' >"$tmp/a.txt"
printf 'echo second part\n' >"$tmp/b.txt"
mkimage -A arm64 -T script -C none -n seed -d "$tmp/a.txt" "$out/script.scr" >/dev/null
mkimage -A arm64 -T multi -C none -n multi -d "$tmp/a.txt:$tmp/b.txt" "$tmp/multi.img" >/dev/null
# Same layout as a script image; make its type 6 (script) so it parses, header CRC fixed by python.
python3 - "$tmp/multi.img" "$out/multi-as-script.scr" <<'PY'
import sys, zlib, struct
d = bytearray(open(sys.argv[1], 'rb').read())
d[30] = 6
d[4:8] = b'\0\0\0\0'
d[4:8] = struct.pack('>I', zlib.crc32(bytes(d[:64])))
open(sys.argv[2], 'wb').write(d)
PY
