#!/usr/bin/env bash
# Seeds for fuzz_extlinux: what Debian's u-boot-update writes, a Fedora-style
# file, and one using every keyword the parser knows.
set -euo pipefail
out=$1
cat >"$out/debian.conf" <<'CONF'
## /boot/extlinux/extlinux.conf
default l0
menu title U-Boot menu
prompt 0
timeout 50

label l0
	menu label Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64
	linux /boot/vmlinuz-6.1.0-18-arm64
	initrd /boot/initrd.img-6.1.0-18-arm64
	fdtdir /usr/lib/linux-image-6.1.0-18-arm64/
	append root=UUID=7a3fee0f-6d0c-40f7-9310-2194006e3473 ro quiet

label l0r
	menu label Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64 (rescue target)
	linux /boot/vmlinuz-6.1.0-18-arm64
	initrd /boot/initrd.img-6.1.0-18-arm64
	fdtdir /usr/lib/linux-image-6.1.0-18-arm64/
	append root=UUID=7a3fee0f-6d0c-40f7-9310-2194006e3473 ro single
CONF
printf 'ui menu.c32\r\nmenu autoboot Booting in # s\r\nMENU TITLE Fedora\r\ntimeout 20\r\ntotaltimeout 600\r\nLABEL Fedora (6.8.5) 40\r\n  KERNEL ../vmlinuz-6.8.5\r\n  APPEND ro root=UUID=1\r\n  FDTDIR ../dtb-6.8.5/\r\n  INITRD ../initramfs-6.8.5.img\r\n' >"$out/fedora.conf"
cat >"$out/all-keywords.conf" <<'CONF'
# every keyword
include common.conf
menu include more.conf
ontimeout b
prompt 1
label a
  kernel Image
  devicetree dtbs/virt.dtb
  devicetreedir ./dtbs/
  fdtoverlays /o.dtbo
  kaslrseed
  localboot 1
label b
  menu default
  menu label B
  linux /Image.gz
  fdt ../virt.dtb
  initrd /initrd.img
  append console=hvc0 earlycon=xen
CONF
