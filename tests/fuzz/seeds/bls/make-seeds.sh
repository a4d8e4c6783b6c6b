#!/usr/bin/env bash
# Seeds for fuzz_bls: the first line is the entry's file name, the rest the
# entry. Fedora's kernel-install entry, an EL8 one with $kernelopts, a rescue
# entry and one using every key.
set -euo pipefail
out=$1
cat >"$out/fedora" <<'CONF'
4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c-6.8.5-301.fc40.aarch64.conf
title Fedora Linux (6.8.5-301.fc40.aarch64) 40 (Cloud Edition)
version 6.8.5-301.fc40.aarch64
linux /vmlinuz-6.8.5-301.fc40.aarch64
initrd /initramfs-6.8.5-301.fc40.aarch64.img
options root=UUID=6f0c1e4a-2b3c-4d5e-8f90-a1b2c3d4e5f6 ro rootflags=subvol=root console=ttyAMA0,115200n8
grub_users $grub_users
grub_arg --unrestricted
grub_class fedora
CONF
cat >"$out/el8" <<'CONF'
abc-4.18.0-348.el8.aarch64.conf
title CentOS Linux (4.18.0-348.el8.aarch64) 8
version 4.18.0-348.el8.aarch64
linux /vmlinuz-4.18.0-348.el8.aarch64
initrd /initramfs-4.18.0-348.el8.aarch64.img $tuned_initrd
options $kernelopts $tuned_params
id centos-20211110-4.18.0-348.el8.aarch64
grub_users $grub_users
grub_arg --unrestricted
grub_class kernel
CONF
cat >"$out/rescue" <<'CONF'
4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c-0-rescue.conf
title Fedora Linux (0-rescue-4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c) 40 (Cloud Edition)
version 0-rescue-4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c
linux /vmlinuz-0-rescue-4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c
initrd /initramfs-0-rescue-4a3b0e1c2d5f4e6a8b9c0d1e2f3a4b5c.img
CONF
printf 'all.conf\n# every key\n  title\tA\r\nversion 1.0~rc1+git^2\nlinux /v\ninitrd /a /b\ninitrd\t/c\noptions x\noptions y\ndevicetree /d.dtb\ngrub_class c\ngrub_users u\ngrub_arg --a\ngrub_arg --b\ngrub_hotkey h\n\nlinux /late\n' >"$out/all-keys"
# Regression: a file name holding a NUL byte was accepted with an empty id.
printf '\000a.conf\nlinux /v\n' >"$out/nul-name"
