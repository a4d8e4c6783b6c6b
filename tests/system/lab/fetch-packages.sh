#!/usr/bin/env bash
# Downloads the Debian 12 arm64 packages the lab needs and unpacks them into a sysroot.
#
#   <labdir>/debs/         cache of .deb files (apt-get download; kept between runs)
#   <labdir>/rootfs-src/   everything unpacked with dpkg -x (never installed, no root needed)
#
# <labdir> is $XENBOOT_LAB_DIR, default <repo>/build/lab. Idempotent: a .deb already in the
# cache is not downloaded again, and the sysroot is re-unpacked only when the set of .debs
# changed (e.g. after a Debian security update moved a candidate version).
# Needs: apt-get update done with the arm64 foreign architecture (scripts/install-deps.sh).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
labdir=${XENBOOT_LAB_DIR:-$repo/build/lab}
debs=$labdir/debs
sysroot=$labdir/rootfs-src
mkdir -p "$debs"

# Packages the lab ships. Their library dependencies are resolved below.
roots=(xen-hypervisor-4.17-arm64 busybox-static xen-utils-4.17 xen-utils-common xenstore-utils
       bash util-linux atftpd)
# Only these roots have their libraries followed: util-linux is shipped for flock(1) alone,
# which needs nothing but libc, and following it would pull in PAM, systemd, SELinux, ...
# atftpd is the lab's TFTP server (the only Debian one with RFC 7440 windowsize; busybox has
# no tftpd), run in dom0 for guests with a vif.
lib_roots=(xen-utils-4.17 xen-utils-common xenstore-utils bash atftpd)

dpkg --print-foreign-architectures | grep -qx arm64 ||
  { echo "fetch-packages: arm64 is not a dpkg architecture: run scripts/install-deps.sh" >&2; exit 1; }

# Resolves the package set and downloads what the cache lacks; sets pkgs, files, fetched.
fetch_all() {
  # The dom0/domU kernel: the 6.1 ABI package the linux-image-arm64 metapackage points to.
  kpkg=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-6\.1[^:]*-arm64\).*/\1/p' | head -n1)
  [ -n "$kpkg" ] || { echo "fetch-packages: cannot resolve linux-image-arm64 (apt-get update done?)" >&2; return 1; }
  roots+=("$kpkg")

  # Follow Depends/PreDepends, keeping only library packages (lib*, zlib1g): the tools'
  # maintainer scripts and python3/udev/ucf dependencies are not needed to run the binaries.
  # One apt-cache call per dependency level (each call costs ~1 s of cache loading).
  direct_libs() {
    apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
        --no-enhances "${@/%/:arm64}" |
      sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: <\{0,1\}\([^:> ]*\).*/\2/p' |
      grep -E '^(lib|zlib1g$)' | sort -u || true
  }
  declare -A want=()
  for p in "${roots[@]}"; do want[$p]=1; done
  level=("${lib_roots[@]}")
  while [ "${#level[@]}" -gt 0 ]; do
    next=()
    for d in $(direct_libs "${level[@]}"); do
      if [ -z "${want[$d]:-}" ]; then want[$d]=1; next+=("$d"); fi
    done
    level=("${next[@]}")
  done
  mapfile -t pkgs < <(printf '%s\n' "${!want[@]}" | sort)

  # Download what is missing. The cache check uses the candidate version, so a new candidate
  # is downloaded and an old file is left unused. apt-get download writes an epoch ':' as %3a.
  # A library package with no arm64 candidate is Architecture: all (data such as
  # libtirpc-common's /etc/netconfig, which the lab's binaries do not need): left out.
  declare -A cand=()
  while read -r p v; do cand[$p]=$v; done < <(
    apt-cache show --no-all-versions "${pkgs[@]/%/:arm64}" 2>/dev/null |
      awk '/^Package:/{p=$2} /^Version:/{print p, $2}')
  kept=()
  for p in "${pkgs[@]}"; do
    if [ -n "${cand[$p]:-}" ]; then kept+=("$p")
    elif printf '%s\n' "${roots[@]}" | grep -qx "$p"; then
      echo "fetch-packages: no arm64 candidate for $p" >&2; return 1
    fi
  done
  pkgs=("${kept[@]}")

  files=()
  fetched=()
  while read -r p v; do
    f="${p}_${v//:/%3a}_arm64.deb"
    if [ ! -s "$debs/$f" ]; then
      (cd "$debs" && apt-get download -q "$p:arm64=$v" >/dev/null 2>&1) ||
        { echo "fetch-packages: apt-get download $p:arm64=$v failed" >&2; return 1; }
      [ -s "$debs/$f" ] || { echo "fetch-packages: $f missing after download" >&2; return 1; }
      fetched+=("$f")
    fi
    files+=("$f")
  done < <(for p in "${pkgs[@]}"; do echo "$p ${cand[$p]}"; done)
  [ "${#files[@]}" -eq "${#pkgs[@]}" ] ||
    { echo "fetch-packages: no candidate for some of: ${pkgs[*]}" >&2; return 1; }
}

# Stale package lists name versions the mirror no longer has (security updates replace
# them): refresh the lists once and retry.
if ! fetch_all; then
  [ "$(id -u)" -eq 0 ] || exit 1
  echo "fetch-packages: retrying after apt-get update" >&2
  apt-get update -q >/dev/null
  fetch_all || exit 1
fi
echo "fetch-packages: ${#files[@]} packages (${#fetched[@]} downloaded now) in $debs"
for f in "${fetched[@]}"; do echo "  downloaded $f"; done

# Unpack into a fresh sysroot when the package set changed.
stamp=$(printf '%s\n' "${files[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$sysroot/.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$sysroot"
  mkdir -p "$sysroot"
  for f in "${files[@]}"; do dpkg -x "$debs/$f" "$sysroot"; done
  echo "$stamp" > "$sysroot/.stamp"
  printf '%s\n' "${files[@]}" > "$sysroot/.packages"
  echo "fetch-packages: unpacked into $sysroot"
else
  echo "fetch-packages: $sysroot up to date"
fi
