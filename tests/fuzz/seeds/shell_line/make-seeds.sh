#!/usr/bin/env bash
# Seeds for fuzz_shell_line: typed sessions (CR ends a line) that reach the
# fdt command on the rig's device-tree copy.
set -euo pipefail
printf 'fdt print\rfdt set /chosen a <1 2>\rfdt mknod /chosen m\rfdt rm /hypervisor\r' >"$1/fdt-edit"
printf 'fdt resize 100\rfdt chosen 1000 2000\rfdt list /chosen\rfdt set /chosen b [01 0203] \r' >"$1/fdt-resize-chosen"
printf 'fdt addr 40000000 1000\rfdt addr\rfdt pr / compatible\r' >"$1/fdt-addr"
