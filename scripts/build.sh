#!/usr/bin/env bash
# Builds the firmware (build/fw/xenboot.bin, xenboot.elf) and the host unit tests
# (build/host). Run scripts/install-deps.sh first (test.sh and run.sh do).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# The presets (CMakePresets.json) say how each build dir is configured.
cmake --preset firmware >/dev/null
cmake --build --preset firmware
cmake --preset host >/dev/null
cmake --build --preset host
