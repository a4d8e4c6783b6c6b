#!/usr/bin/env bash
# Builds the firmware (build/fw/xenboot.bin, xenboot.elf) and the host unit tests
# (build/host). Run scripts/install-deps.sh first (test.sh and run.sh do).
#   scripts/build.sh [firmware] [host]   only those (default: both); scripts/boot-test
#                                        builds only the firmware
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
presets=("$@")
[ "${#presets[@]}" -gt 0 ] || presets=(firmware host)
for preset in "${presets[@]}"; do
  case $preset in
    firmware|host) ;;
    *) echo "build.sh: unknown target '$preset' (firmware, host)" >&2; exit 2 ;;
  esac
  # The presets (CMakePresets.json) say how each build dir is configured.
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
done
