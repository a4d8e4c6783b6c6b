#!/usr/bin/env bash
# Post-link step for the firmware image:
#  - the entry stub applies only R_AARCH64_RELATIVE relocations: reject others,
#    and pack them as RELR in the image file (cmake/relr-pack.py);
#  - check that the code run before BSS is cleared uses only the early BSS
#    (cmake/check-early-bss.py);
#  - write image_size (0x10 in the arm64 Image header): bytes from the start
#    of the image to the end of BSS, which the linker cannot put there itself
#    without a relocation;
#  - check the "ARM\x64" magic Xen's loader looks for at 0x38.
set -euo pipefail
elf=$1 bin=$2
bad=$(aarch64-linux-gnu-readelf -rW "$elf" | awk '/^[0-9a-f]+ /{print $3}' | grep -v '^R_AARCH64_RELATIVE$' | sort -u || true)
if [ -n "$bad" ]; then
  echo "check-image: relocation types the entry stub cannot apply: $bad" >&2
  exit 1
fi
python3 "$(dirname "$0")/relr-pack.py" "$elf" "$bin"
python3 "$(dirname "$0")/check-early-bss.py" "$elf"
bss_end=$(aarch64-linux-gnu-nm "$elf" | awk '$3=="__bss_end"{print $1}')
[ -n "$bss_end" ] || { echo "check-image: no __bss_end symbol" >&2; exit 1; }
python3 - "$bin" "$bss_end" <<'PY'
import struct, sys
path, end = sys.argv[1], int(sys.argv[2], 16)
with open(path, 'r+b') as f:
    f.seek(0x10)
    f.write(struct.pack('<Q', end))
PY
magic=$(od -An -tx4 -j 56 -N 4 "$bin" | tr -d ' ')
if [ "$magic" != "644d5241" ]; then
  echo "check-image: no arm64 Image magic at 0x38 (found $magic)" >&2
  exit 1
fi
size=$(stat -c %s "$bin")
echo "check-image: $(basename "$bin") $size bytes (image_size 0x$bss_end with BSS), relocations OK, Image header OK"
