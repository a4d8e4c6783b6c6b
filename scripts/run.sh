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
#   XENBOOT_NET=1                                         give the guest a vif
#       (mac=00:16:3e:12:34:56,bridge=xenbr0) on dom0's bridge; dom0 answers DHCP (next-server
#       10.9.0.1, boot file pxelinux.0) and serves build/netboot-sample over TFTP and HTTP:
#       Image (the lab's kernel), initrd.img (the sample initramfs: it brings up eth0 and
#       pings dom0) and pxelinux.cfg/default; xenboot's bootcmd then boots from the network:
#       dhcp, tftpboot of Image and initrd.img, booti (the disk, if any, stays for
#       `bootflow scan -lb` at the prompt). XENBOOT_SAMPLE_DISK=none with it: a diskless guest.
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
net_args=()
if [ "${XENBOOT_NET:-0}" != 0 ]; then
  srv=build/netboot-sample
  mkdir -p "$srv/pxelinux.cfg"
  cp "${XENBOOT_LAB_DIR:-build/lab}/Image" "$srv/Image"
  cp "$(python3 -c 'import sys; sys.path.insert(0, "tests/system"); import sample_disk
print(sample_disk.build_initramfs())')" "$srv/initrd.img"
  printf '%s\n' 'DEFAULT linux' 'LABEL linux' '  KERNEL Image' '  INITRD initrd.img' \
    '  APPEND console=hvc0 loglevel=4' > "$srv/pxelinux.cfg/default"
  # The network boot, as an operator would write it in the xl cmdline: the lease only
  # (autoload=no), the kernel and initrd by TFTP (a window of 16 blocks per ACK: lockstep
  # TFTP of the 32 MiB Image takes minutes under TCG), then booti with the device tree Xen
  # gave. (Once `pxe` lands, `pxe get && pxe boot` does the same from pxelinux.cfg/default.)
  netboot='dhcp && tftpboot ${kernel_addr_r} Image && tftpboot ${ramdisk_addr_r} initrd.img'
  netboot+=' && setenv bootargs console=hvc0 loglevel=4 && booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize}'
  net_args=(--vif 00:16:3e:12:34:56 --srv "$srv"
            --cmdline "autoload=no tftpwindowsize=16 bootcmd='run netboot' netboot='$netboot'")
fi
exec python3 tests/system/lab/lab.py interactive --kernel build/fw/xenboot.bin \
  --memory "${XENBOOT_MEMORY:-512}" "${disk_args[@]}" "${net_args[@]}" "$@"
