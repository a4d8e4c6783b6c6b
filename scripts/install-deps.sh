#!/usr/bin/env bash
# Installs everything xenboot needs on Debian 12 (run as root, or with sudo available).
# Idempotent: packages already present are skipped quickly by apt.
#   build:  GNU aarch64 cross toolchain, libfdt (host), CMake, GoogleTest, clang (libFuzzer),
#           clang-format and clang-tidy (scripts/check-style.sh)
#   arm64 static libraries for the firmware (libfdt.a, liblzma.a, liblzo2.a,
#           libmbedcrypto.a): Debian's libfdt-dev is not multi-arch, and the -dev packages of
#           xz, lzo and mbedtls
#           can only be co-installed when host and arm64 versions match exactly, so these
#           are downloaded and unpacked into build/deps/arm64 (XENBOOT_DEPS_DIR) instead.
#   Debian source packages, unpacked into build/deps/src and built by CMake with the firmware's
#           flags: zstd and lz4 (only their decoders go into the image; Debian's archives are
#           built without -ffunction-sections, so linking them brought whole objects in).
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
  u-boot-tools python3 xz-utils zstd lz4 dpkg-dev
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
arm64_libs=(libfdt-dev:libfdt.a liblzma-dev:liblzma.a liblzo2-dev:liblzo2.a libmbedtls-dev:libmbedcrypto.a)
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

# fetch_debian_source PACKAGE VERSION DIR CHECK: Debian's source package PACKAGE=VERSION,
# unpacked into $deps/src/DIR unless $deps/src/DIR/CHECK already exists. The sources come
# through a private deb-src list (the system's apt configuration is left alone); apt checks
# the downloads against the signed index, and dpkg-source against the .dsc's checksums.
# The folder is versioned and made atomically, so builds that share build/deps never see a
# half-unpacked tree. Nothing fetched here is ever committed.
src="$deps/src"
fetch_debian_source() {
  local pkg=$1 version=$2 dir=$3 check=$4
  [ -e "$src/$dir/$check" ] && return 0
  mkdir -p "$src/srclist" "$src/lists/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" > "$src/srclist/src.list"
  local apt_src=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$src/srclist"
                 -o Dir::State::Lists="$src/lists" -o APT::Sandbox::User=root)
  local dsc="$src/${pkg}_${version#*:}.dsc"  # file names leave out the epoch
  if [ ! -f "$dsc" ]; then
    # One index download per run, however many packages are fetched.
    [ -n "${src_index_fresh:-}" ] || { apt-get "${apt_src[@]}" update -q; src_index_fresh=1; }
    (cd "$src" && apt-get "${apt_src[@]}" source --download-only -q "$pkg=$version")
  fi
  local tmp="$src/$dir.tmp.$$"
  rm -rf "$tmp"
  # (dpkg-source warns that it cannot check the .dsc's own signature without the Debian
  # keyring; apt already checked the files against the signed Release, so only a failure
  # is shown.)
  dpkg-source --no-copy -x "$dsc" "$tmp" >"$tmp.log" 2>&1 || { cat "$tmp.log"; return 1; }
  rm -f "$tmp.log"
  test -e "$tmp/$check"
  rm -rf "${src:?}/$dir" && mv "$tmp" "$src/$dir"
  echo "install-deps: $pkg $version sources in $src/$dir"
}
# The versions of bookworm's main archive (the source of the security updates is not on
# deb.debian.org's mirror of debian-security).
fetch_debian_source libzstd 1.5.4+dfsg2-5 zstd-1.5.4 lib/decompress/zstd_decompress.c
fetch_debian_source lz4 1.9.4-1 lz4-1.9.4 lib/lz4.c
# lwIP 2.1.3, the IP stack of net/ (net/CMakeLists.txt builds it freestanding; Debian
# ships it only as a hosted NO_SYS=0 shared library): build/deps/src/lwip-2.1.3,
# XENBOOT_LWIP_DIR.
fetch_debian_source lwip 2.1.3+dfsg1-2 lwip-2.1.3 src/core/init.c
# zlib's inflate and xz's decoders for compress/ (compress/CMakeLists.txt builds only the
# decoding parts, one section per function; Debian's libz.a and liblzma.a were built
# without -ffunction-sections and brought whole objects and every BCJ filter).
fetch_debian_source zlib 1:1.2.13.dfsg-1 zlib-1.2.13 inflate.c
fetch_debian_source xz-utils 5.4.1-1+deb12u1 xz-utils-5.4.1 src/liblzma/lzma/lzma_decoder.c
