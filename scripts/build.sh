#!/usr/bin/env bash
# Builds the firmware (build/fw/xenboot.bin, xenboot.elf) and the host unit tests
# (build/host). Run scripts/install-deps.sh first (test.sh and run.sh do).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
cmake -S . -B build/fw -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-gnu.cmake >/dev/null
ninja -C build/fw
cmake -S . -B build/host -G Ninja >/dev/null
ninja -C build/host
