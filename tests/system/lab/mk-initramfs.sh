#!/usr/bin/env bash
# Builds the lab's boot files from the sysroot that fetch-packages.sh unpacked:
#
#   <labdir>/xen                   Xen hypervisor (QEMU -kernel)
#   <labdir>/Image                 Debian's arm64 kernel, plain Image (dom0, and usable as a DomU)
#   <labdir>/dom0-initramfs.cpio.gz  dom0's root: busybox, Xen tools + libraries, bash, flock,
#                                  kernel modules, /etc/xen, and dom0-init.sh as /init
#   <labdir>/kernel-release        the kernel's module directory name (e.g. 6.1.0-56-arm64)
#
# <labdir> is $XENBOOT_LAB_DIR, default <repo>/build/lab. Skips the work when its inputs
# (package set, this script, dom0-init.sh) did not change.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # depmod, modprobe

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
labdir=${XENBOOT_LAB_DIR:-$repo/build/lab}
sysroot=$labdir/rootfs-src
stage=$labdir/dom0-initramfs.d
out=$labdir/dom0-initramfs.cpio.gz
[ -f "$sysroot/.stamp" ] || { echo "mk-initramfs: run fetch-packages.sh first" >&2; exit 1; }

stamp=$(cat "$sysroot/.stamp" "$0" "$here/dom0-init.sh" | sha256sum | cut -d' ' -f1)
if [ -s "$out" ] && [ "$(cat "$labdir/.initramfs-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "mk-initramfs: $out up to date"
  exit 0
fi

xenbin=usr/lib/xen-4.17/bin
# Multiarch library directories of the sysroot, searched in this order for NEEDED entries.
libdirs=(lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib)
# dom0's kernel modules; their dependencies are added from modules.dep, in load order.
# xen-netback and bridge (+ llc, stp) serve guests with a vif (netboot.md §4).
modules=(xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc xen-blkback loop
         virtio_mmio 9pnet_virtio 9p virtio_console xen-netback bridge)

# --- Xen and the kernel -------------------------------------------------------------------
kver=$(ls "$sysroot/lib/modules")
[ "$(echo "$kver" | wc -l)" -eq 1 ] || { echo "mk-initramfs: expected one kernel, got: $kver" >&2; exit 1; }
cp "$sysroot/boot/xen-4.17-arm64" "$labdir/xen"
# Debian's vmlinuz is currently a plain arm64 Image ("ARM\x64" at 0x38); older ones were gzip.
case $(od -An -tx1 -N2 "$sysroot/boot/vmlinuz-$kver" | tr -d ' ') in
  1f8b) gzip -dc "$sysroot/boot/vmlinuz-$kver" > "$labdir/Image" ;;
  *)    cp "$sysroot/boot/vmlinuz-$kver" "$labdir/Image" ;;
esac
[ "$(od -An -c -j56 -N4 "$labdir/Image" | tr -d ' ')" = 'ARMd' ] ||
  { echo "mk-initramfs: $labdir/Image is not an arm64 Image" >&2; exit 1; }
echo "$kver" > "$labdir/kernel-release"
# Debian ships no modules.dep (its postinst runs depmod): make one in the private sysroot.
[ -s "$sysroot/lib/modules/$kver/modules.dep" ] || depmod -b "$sysroot" "$kver"

# --- the initramfs tree --------------------------------------------------------------------
rm -rf "$stage"
mkdir -p "$stage"/{usr/bin,usr/sbin,usr/lib/aarch64-linux-gnu,$xenbin,etc/lab,proc,sys,dev,run,var,tmp,mnt/lab,root}
# Merged-/usr layout, like Debian 12: one copy of everything, every usual path works.
ln -s usr/bin "$stage/bin"; ln -s usr/sbin "$stage/sbin"; ln -s usr/lib "$stage/lib"
ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$stage/usr/lib/ld-linux-aarch64.so.1"

elfs=()   # staged dynamic executables whose libraries must be shipped
put() {   # put SRC-in-sysroot DEST-in-stage: copy a file, remember it when it is an ELF
  cp -L "$sysroot/$1" "$stage/$2"
  if [ "$(head -c4 "$stage/$2" | od -An -c | tr -d ' ')" = '177ELF' ]; then elfs+=("$2"); fi
}

put bin/busybox usr/bin/busybox      # applet links are made at boot (busybox --install -s)
ln -s busybox "$stage/usr/bin/sh"
put bin/bash usr/bin/bash            # the block hotplug script is a bash script
put usr/bin/flock usr/bin/flock      # ... that locks with flock(1); busybox has none
put usr/sbin/atftpd usr/sbin/atftpd  # TFTP server with windowsize (busybox has no tftpd)
for t in xl xenconsole xenconsoled oxenstored xenstored xen-init-dom0; do
  put "$xenbin/$t" "$xenbin/$t"
  ln -s "../lib/xen-4.17/bin/$t" "$stage/usr/sbin/$t"
done
# xenstore-utils is one multi-call binary dispatching on argv[0].
put usr/bin/xenstore usr/bin/xenstore
for t in chmod exists list ls read rm watch write; do ln -s xenstore "$stage/usr/bin/xenstore-$t"; done
# xl needs libgcc_s at run time (dlopen'ed by glibc for pthread_cancel): not a NEEDED entry.
put lib/aarch64-linux-gnu/libgcc_s.so.1 usr/lib/aarch64-linux-gnu/libgcc_s.so.1
cp -r "$sysroot/etc/xen" "$stage/etc/xen"
# atftpd --user root looks the user up (getpwnam): the files backend needs these two.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"

# --- libraries: the NEEDED closure of every shipped ELF -------------------------------------
find_lib() {
  local d
  for d in "${libdirs[@]}"; do
    if [ -e "$sysroot/$d/$1" ]; then echo "$sysroot/$d/$1"; return 0; fi
  done
  return 1
}
declare -A have=([libgcc_s.so.1]=1)
i=0
while [ "$i" -lt "${#elfs[@]}" ]; do
  f=${elfs[$i]}; i=$((i + 1))
  for so in $(aarch64-linux-gnu-readelf -d "$stage/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [ -z "${have[$so]:-}" ] || continue
    src=$(find_lib "$so") || { echo "mk-initramfs: $f needs $so, not in the sysroot" >&2; exit 1; }
    cp -L "$src" "$stage/usr/lib/aarch64-linux-gnu/$so"
    have[$so]=1
    elfs+=("usr/lib/aarch64-linux-gnu/$so")
  done
done

# --- kernel modules (Debian 12's are uncompressed .ko: busybox insmod loads them as they are) --
mods=$(modprobe -d "$sysroot" -S "$kver" --show-depends -a "${modules[@]}" |
         awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++')
for m in $mods; do
  rel=${m#"$sysroot"/}
  mkdir -p "$stage/$(dirname "$rel")"
  cp "$m" "$stage/$rel"
  echo "/$rel" >> "$stage/etc/lab/modules"     # load order, dependencies first
done
cp "$sysroot/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$stage/lib/modules/$kver/"
depmod -b "$stage" "$kver"                      # modules.dep of the shipped subset (for modprobe)

install -m 0755 "$here/dom0-init.sh" "$stage/init"

# --- pack ----------------------------------------------------------------------------------
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 > "$out.tmp"
mv "$out.tmp" "$out"
echo "$stamp" > "$labdir/.initramfs-stamp"
echo "mk-initramfs: $out ($(du -h "$out" | cut -f1); $(du -sh "$stage" | cut -f1) unpacked," \
     "$(wc -l < "$stage/etc/lab/modules") modules, ${#have[@]} libraries), kernel $kver"
