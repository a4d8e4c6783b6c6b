#!/usr/bin/env bash
# Prepares everything the lab boots: fetch-packages.sh, then mk-initramfs.sh.
# Idempotent and fast when nothing changed: the stamp covers the lab's scripts and the apt
# package lists (an `apt-get update` that brings new candidate versions re-runs the fetch).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # depmod, modprobe
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
labdir=${XENBOOT_LAB_DIR:-$repo/build/lab}

stamp=$( { cat "$here"/setup.sh "$here"/fetch-packages.sh "$here"/mk-initramfs.sh "$here"/dom0-init.sh
           ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$labdir/.setup-stamp" 2>/dev/null)" = "$stamp" ] &&
   [ -s "$labdir/xen" ] && [ -s "$labdir/Image" ] && [ -s "$labdir/dom0-initramfs.cpio.gz" ]; then
  echo "lab setup: up to date ($labdir)"
  exit 0
fi
for tool in qemu-system-aarch64 apt-get dpkg cpio depmod modprobe aarch64-linux-gnu-readelf; do
  command -v "$tool" >/dev/null ||
    { echo "lab setup: $tool missing: run scripts/install-deps.sh" >&2; exit 1; }
done
"$here/fetch-packages.sh"
"$here/mk-initramfs.sh"
mkdir -p "$labdir"
echo "$stamp" > "$labdir/.setup-stamp"
echo "lab setup: done ($labdir)"
