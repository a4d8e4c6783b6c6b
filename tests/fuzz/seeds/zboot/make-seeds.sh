#!/usr/bin/env bash
# Seeds for fuzz_zboot: bytes 0-1 the output room / 16 (big-endian), byte 2
# flags (0), then a zboot file made by tests/tools/make-zboot.py from a small
# synthetic Image (image_size 16 KiB) for each method.
set -euo pipefail
out=$1
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/Image" <<'PY'
import struct, sys
img = bytearray(b"xenboot!" * 1024)
struct.pack_into("<QQQ", img, 8, 0, 16384, 2)
img[0x38:0x3C] = b"ARM\x64"
open(sys.argv[1], "wb").write(img)
PY
for comp in gzip zstd xz lzma lz4; do
  python3 "$repo/tests/tools/make-zboot.py" "$tmp/Image" "$tmp/$comp" --comp "$comp"
  { printf '\x04\x10\x00'; cat "$tmp/$comp"; } >"$out/$comp.zboot"
done
