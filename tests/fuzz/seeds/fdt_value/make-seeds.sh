#!/usr/bin/env bash
# Seeds for fuzz_fdt_value: `fdt set` values as the shell splits them, one
# word per line.
set -euo pipefail
printf '<0x0\n0x48000000\n0x0\n0x1000>' >"$1/cells-split"
printf '<1 010 0x2>' >"$1/cells-one-word"
printf '[01 02\n0a0b]' >"$1/bytes"
printf 'multiboot,kernel\nmultiboot,module' >"$1/string-list"
printf 'console=hvc0 root=/dev/xvda1' >"$1/string"
printf '<>' >"$1/empty-cells"
