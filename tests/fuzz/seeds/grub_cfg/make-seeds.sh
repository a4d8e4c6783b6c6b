#!/usr/bin/env bash
# Seeds for fuzz_grub_cfg: the ESP stubs of Ubuntu, Fedora and SUSE (shared doc
# §3.2) with the menu they lead to, and the Debian grub-mkconfig shapes of §3.1.
# Files after the first are introduced by "\n@@@ DEV PATH\n" (see the target).
set -euo pipefail
out=$1
cat >"$out/ubuntu-stub.cfg" <<'CFG'
search.fs_uuid hd0,gpt2 root hd0,gpt2
set prefix=($root)'/grub'
configfile $prefix/grub.cfg
@@@ hd0,gpt2 /grub/grub.cfg
set default="1>0"
export menuentry_id_option
menuentry_id_option="--id"
menuentry 'Ubuntu' $menuentry_id_option u { recordfail; linux /vmlinuz root=LABEL=cloudimg-rootfs ro; initrd /initrd.img }
submenu 'Advanced' { menuentry 'Ubuntu, recovery' { linux /vmlinuz ro recovery nomodeset; initrd /initrd.img } }
@@@ hd0,gpt2 /vmlinuz
K
@@@ hd0,gpt2 /initrd.img
I
CFG
cat >"$out/fedora-stub.cfg" <<'CFG'
search --no-floppy --root-dev-only --fs-uuid --set=dev hd0,gpt2
set prefix=($dev)/grub2
export $prefix
configfile $prefix/grub.cfg
@@@ hd0,gpt2 /grub2/grub.cfg
if [ -z "${kernelopts}" ]; then
  set kernelopts="root=UUID=1 ro console=ttyS0"
fi
insmod blscfg
blscfg
@@@ hd0,gpt2 /loader/entries/a.conf
title Fedora 40
version 6.8.5-301.fc40.aarch64
linux /vmlinuz-6.8.5
initrd /initramfs-6.8.5.img
options $kernelopts
CFG
cat >"$out/debian.cfg" <<'CFG'
if [ -s $prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "${next_entry}" ] ; then
   set default="${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="0"
fi
if [ x"${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
else
  menuentry_id_option=""
fi
export menuentry_id_option
function savedefault {
  if [ -z "${boot_once}" ]; then
    saved_entry="${chosen}"
    save_env saved_entry
  fi
}
set timeout=0
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux $menuentry_id_option 'gnulinux-simple-x' {
	load_video
	if [ x$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi
	set root='hd0,gpt1'
	if [ x$feature_platform_search_hint = xy ]; then
	  search --no-floppy --fs-uuid --set=root --hint-efi=hd0,gpt1 --hint-baremetal=ahci0,gpt1 hd0,gpt1
	else
	  search --no-floppy --fs-uuid --set=root hd0,gpt1
	fi
	echo	'Loading Linux ...'
	linux	/boot/vmlinuz root=/dev/xvda1 ro console=tty0 console=ttyS0,115200 quiet
	initrd	/boot/initrd.img
}
### BEGIN /etc/grub.d/41_custom ###
if [ -f  ${config_directory}/custom.cfg ]; then
  source ${config_directory}/custom.cfg
elif [ -z "${config_directory}" -a -f  $prefix/custom.cfg ]; then
  source $prefix/custom.cfg
fi
@@@ hd0,gpt1 /boot/vmlinuz
K
@@@ hd0,gpt1 /boot/initrd.img
I
CFG
