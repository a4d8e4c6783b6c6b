#!/usr/bin/env bash
# The main job, from a fresh clone: installs what is needed, builds xenboot, builds the
# QEMU + Xen + dom0 lab, builds the sample guest disk (a Debian arm64 kernel + a small
# initramfs on an MBR/ext4 disk with /boot/extlinux/extlinux.conf), and boots xenboot.bin
# as a DomU with that disk as xvda and its PV console on this terminal.
# xenboot autoboots the disk's default extlinux label (Linux prints "XENBOOT-GUEST: ..."
# lines, then gives a shell: `exit` powers the guest off); at xenboot's `=> ` prompt type
# `help`; `poweroff` ends the guest and the lab.
#   XENBOOT_MEMORY=MiB (default 512)                      guest RAM
#   XENBOOT_SAMPLE_DISK=LAYOUT|none (default mbr-ext4)    which sample disk to attach
#       (tests/system/sample_disk.py --list; built in its interactive variant, cached)
#   extra arguments go to lab.py interactive (e.g. --disk disk.img: attached after it)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh
bash scripts/build.sh
bash tests/system/lab/setup.sh
disk_args=()
layout=${XENBOOT_SAMPLE_DISK:-mbr-ext4}
if [ "$layout" != none ]; then
  disk=$(python3 tests/system/sample_disk.py --layout "$layout" --interactive)
  disk_args=(--disk "$disk")
fi
exec python3 tests/system/lab/lab.py interactive --kernel build/fw/xenboot.bin \
  --memory "${XENBOOT_MEMORY:-512}" "${disk_args[@]}" "$@"
