#!/usr/bin/env bash
# Seeds for fuzz_fdt_print: the device-tree fuzzer's DomU trees, compiled with dtc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for dts in "$here"/../device_tree/*.dts; do
  dtc -q -I dts -O dtb -o "$1/$(basename "$dts" .dts).dtb" "$dts"
done
cp "$(dirname "$0")/../regressions/fdt-print-"*.dtb "$1/" 2>/dev/null || true
