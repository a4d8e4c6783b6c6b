#!/usr/bin/env bash
# The main job, from a fresh clone: installs what is needed, builds xenboot, builds the
# QEMU + Xen + dom0 lab, and boots xenboot.bin as a DomU with its PV console on this
# terminal. Type `help` at the `=> ` prompt; `poweroff` ends the guest and the lab.
#   XENBOOT_MEMORY=MiB (default 256)   guest RAM
#   extra arguments go to lab.py interactive (e.g. --disk disk.img)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh
bash scripts/build.sh
bash tests/system/lab/setup.sh
exec python3 tests/system/lab/lab.py interactive --kernel build/fw/xenboot.bin \
  --memory "${XENBOOT_MEMORY:-256}" "$@"
