#!/usr/bin/env bash
# Installs everything xenboot needs on Debian 12 (run as root, or with sudo available).
# Idempotent: packages already present are skipped quickly by apt.
#   build:  GNU aarch64 cross toolchain, libfdt (host), CMake, GoogleTest, clang (libFuzzer),
#           clang-format and clang-tidy (scripts/check-style.sh)
#   arm64 static libraries for the firmware (libfdt.a, libzstd.a, liblzma.a, liblz4.a, liblzo2.a,
#           libmbedcrypto.a): Debian's libfdt-dev is not multi-arch, and the -dev packages of
#           zstd, xz, lz4, lzo and mbedtls
#           can only be co-installed when host and arm64 versions match exactly, so these
#           are downloaded and unpacked into build/deps/arm64 (XENBOOT_DEPS_DIR) instead.
#   lab:    qemu-system-arm and the host tools that build dom0's initramfs and disk images
#   grub:   grub-common/grub2-common: grub-mkconfig + /etc/grub.d, grub-script-check,
#           grub-editenv, grub-fstest (tests/tools/grub-mkconfig-offline.sh, distro disks)
#   xfs/btrfs: mkfs.xfs and mkfs.btrfs for test images (fs/xfs, fs/btrfs), lzop
#   package: lintian (checks the .deb of scripts/build-deb; dpkg-deb comes with dpkg)
# The arm64 Debian packages for the lab (Xen, dom0 kernel, busybox, xen-utils) are *downloaded*,
# not installed, by tests/system/lab/fetch-packages.sh.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi

pkgs=(
  build-essential cmake ninja-build pkg-config
  g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
  libfdt-dev zlib1g-dev zlib1g-dev:arm64 libzstd-dev liblzma-dev liblz4-dev liblzo2-dev libmbedtls-dev
  googletest libgtest-dev libgmock-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  qemu-system-arm device-tree-compiler cpio kmod e2fsprogs dosfstools mtools fdisk gdisk
  u-boot-tools python3 xz-utils zstd lz4
  grub-common grub2-common
  xfsprogs btrfs-progs lzop
  lintian
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# arm64 static libraries for the firmware image: each package is fetched and unpacked
# only when its library is missing, so a tree that already has some of them gets the rest.
repo=$(cd "$(dirname "$0")/.." && pwd)
deps=${XENBOOT_DEPS_DIR:-$repo/build/deps}
libdir="$deps/arm64/usr/lib/aarch64-linux-gnu"
arm64_libs=(libfdt-dev:libfdt.a libzstd-dev:libzstd.a liblzma-dev:liblzma.a liblz4-dev:liblz4.a liblzo2-dev:liblzo2.a libmbedtls-dev:libmbedcrypto.a)
for entry in "${arm64_libs[@]}"; do
  pkg=${entry%%:*} lib=${entry#*:}
  [ -f "$libdir/$lib" ] && continue
  mkdir -p "$deps/debs" "$deps/arm64"
  (cd "$deps/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg:arm64") || {
    $SUDO apt-get update -q && (cd "$deps/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg:arm64"); }
  for deb in "$deps"/debs/"$pkg"_*_arm64.deb; do dpkg -x "$deb" "$deps/arm64"; done
  test -f "$libdir/$lib"
done
echo "install-deps: all build and lab packages present (arm64 libs in $deps/arm64)"
