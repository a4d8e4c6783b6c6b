#!/usr/bin/env bash
# Generates distribution grub.cfg files offline with Debian's REAL grub-mkconfig and
# /etc/grub.d scripts (package grub-common), for xenboot's GRUB tests: no real disk, no
# chroot, nothing of the host's /boot is read or written.
#
# How (shared/docs/distro-images.md §7): the script re-runs itself inside `unshare -m`, a
# private mount namespace, where tmpfs/bind mounts put
#   /boot            a scratch tree with empty vmlinuz-<ver>/initrd.img-<ver> files
#   /etc/default     /etc/default/grub with cloud-image values (GRUB_TIMEOUT, GRUB_CMDLINE_LINUX
#                    with "console=tty0 console=ttyS0,115200", GRUB_DISTRIBUTOR, ...)
#   /etc/grub.d      copies of the host's scripts (for ubuntu: the 5 build switches flipped)
#   /usr/sbin/grub-probe, /usr/bin/grub-mkrelpath   stand-ins answering for the fake disk
#   /dev             a tmpfs with null/zero/urandom and /dev/disk/by-uuid/<root uuid>, so
#                    10_linux writes root=UUID=<uuid> as on a real system
# and `uname` in PATH answers aarch64. All mounts vanish with the namespace: nothing is left
# on the host. Needs root (or CAP_SYS_ADMIN) for unshare -m.
#
# Flavours:
#   debian      root fs with /boot on it: (hd0,gpt1), kernels /boot/vmlinuz-<ver>
#   ubuntu      Debian's scripts with Ubuntu's build switches (quick_boot, quiet_boot,
#               ubuntu_recovery, vt_handoff, gfxpayload_dynamic = 1, as Ubuntu's grub2 package
#               builds them); separate /boot on (hd0,gpt16), kernel paths relative to it
#   fedora-bls  Debian cannot generate Fedora's BLS grub.cfg (its 10_linux has no blscfg mode):
#               a template reproducing what rhboot/grub2 util/grub.d/00_header.in and
#               10_linux.in (BLS branch) generate (see fedora_bls_cfg below)
#
# Usage:
#   grub-mkconfig-offline.sh -f FLAVOUR -r ROOT_UUID [-b BOOT_UUID] -k "VER ..." [-t TIMEOUT]
#                            [-a EXTRA_CMDLINE] [-o OUT]
#       one grub.cfg (stdout without -o); validated with grub-script-check
#       fedora-bls: -b is the UUID of the filesystem holding /boot; XB_GRUB_FS_MODULE=xfs|btrfs
#       (default ext2) names its GRUB module as grub2-mkconfig does
#   grub-mkconfig-offline.sh --fixtures DIR
#       DIR/{debian,ubuntu,fedora-bls}/...: the grub.cfg of each flavour, its ESP stub (as
#       grub-install or Fedora's grub2-efi package writes it), Fedora's grubenv (grub-editenv)
#       and BLS entries; see write_fixtures below (the unit tests read these)
#   grub-mkconfig-offline.sh --esp-stub FLAVOUR UUID HINT_PART [GRUB_DIR]
#       the ESP grub.cfg on stdout; GRUB_DIR (fedora-bls only, default /grub2) is the grub
#       directory as GRUB sees it on that filesystem: /grub2 on a separate /boot, /root/boot/grub2
#       when /boot lies in Fedora's btrfs subvolume `root` (grub2-mkrelpath's answer)
#   grub-mkconfig-offline.sh --bls-entry VERSION OPTIONS [BOOTPREFIX [NAME [OS_VERSION]]]
#       a BLS entry on stdout as the kernel package's template writes it: `linux
#       BOOTPREFIX/vmlinuz-VERSION` (BOOTPREFIX as grub2's 20-grub.install sets it: "" for a
#       separate /boot, /root/boot inside btrfs subvolume root), title "NAME (VERSION)
#       OS_VERSION" (default Fedora Linux, 40 (Cloud Edition))
set -euo pipefail

self=$(readlink -f "$0")
die() { echo "grub-mkconfig-offline: $*" >&2; exit 1; }

# --- the ESP stubs (shared/docs/distro-images.md §3.2) ----------------------------------------
# Debian/Ubuntu: grub-install --uefi-secure-boot writes load.cfg ("search.fs_uuid %s root "
# + each hint followed by a space, then "set prefix=($root)'%s'") and copies it to
# EFI/<distributor>/grub.cfg with "configfile $prefix/grub.cfg" appended (format strings
# read from Debian's grub-install 2.06-13). Fedora: the stub its grub2-efi package writes
# (Changes/UnifyGrubConfig), quoted in the shared doc.
esp_stub() {  # flavour uuid partition-number [grub-dir]
  case $1 in
    debian) printf "search.fs_uuid %s root hd0,gpt%s \nset prefix=(\$root)'/boot/grub'\nconfigfile \$prefix/grub.cfg\n" "$2" "$3" ;;
    ubuntu) printf "search.fs_uuid %s root hd0,gpt%s \nset prefix=(\$root)'/grub'\nconfigfile \$prefix/grub.cfg\n" "$2" "$3" ;;
    fedora-bls) printf 'search --no-floppy --fs-uuid --set=dev %s\nset prefix=($dev)%s\nexport $prefix\nconfigfile $prefix/grub.cfg\n' "$2" "${4:-/grub2}" ;;
    *) die "unknown flavour '$1'" ;;
  esac
}

# --- Fedora's BLS grub.cfg ---------------------------------------------------------------------
# What rhboot/grub2 (fedora-40 branch) util/grub.d/00_header.in, 01_users, 10_linux.in (the
# GRUB_ENABLE_BLSCFG=true branch), 30_os-prober, 40_custom and 41_custom generate for a GPT
# disk with an ext4 /boot on (hd0,gptN) and a serial console, written here as a template
# because Debian's grub-mkconfig has no BLS mode. The facts used (shared/docs/
# distro-images.md §3.3): load_env -f ${config_directory}/grubenv, the next_entry/saved_entry
# handling, the kernelopts fallback, insmod blscfg / blscfg.
fedora_bls_cfg() {  # boot_uuid boot_part root_uuid timeout cmdline
  local uuid=$1 part=$2 root_uuid=$3 timeout=$4 cmdline=$5
  # grub2-mkconfig's prepare_grub_to_access_device: the module of /boot's filesystem.
  local fs_module=${XB_GRUB_FS_MODULE:-ext2}
  local hints="--hint-bios=hd0,gpt$part --hint-efi=hd0,gpt$part --hint-baremetal=ahci0,gpt$part"
  cat <<CFG
#
# DO NOT EDIT THIS FILE
#
# It is automatically generated by grub2-mkconfig using templates
# from /etc/grub.d and settings from /etc/default/grub
#

### BEGIN /etc/grub.d/00_header ###
set pager=1

if [ -f \${config_directory}/grubenv ]; then
  load_env -f \${config_directory}/grubenv
elif [ -s \$prefix/grubenv ]; then
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="\${saved_entry}"
fi

if [ x"\${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
else
  menuentry_id_option=""
fi

export menuentry_id_option

if [ "\${prev_saved_entry}" ]; then
  set saved_entry="\${prev_saved_entry}"
  save_env saved_entry
  set prev_saved_entry=
  save_env prev_saved_entry
  set boot_once=true
fi

function savedefault {
  if [ -z "\${boot_once}" ]; then
    saved_entry="\${chosen}"
    save_env saved_entry
  fi
}

function load_video {
  if [ x\$feature_all_video_module = xy ]; then
    insmod all_video
  else
    insmod efi_gop
    insmod efi_uga
    insmod ieee1275_fb
    insmod vbe
    insmod vga
    insmod video_bochs
    insmod video_cirrus
  fi
}

serial --speed=115200
terminal_input serial console
terminal_output serial console
if [ x\$feature_timeout_style = xy ] ; then
  set timeout_style=menu
  set timeout=$timeout
# Fallback normal timeout code in case the timeout_style feature is
# unavailable.
else
  set timeout=$timeout
fi
### END /etc/grub.d/00_header ###

### BEGIN /etc/grub.d/01_users ###
if [ -f \${prefix}/user.cfg ]; then
  source \${prefix}/user.cfg
  if [ -n "\${GRUB2_PASSWORD}" ]; then
    set superusers="root"
    export superusers
    password_pbkdf2 root \${GRUB2_PASSWORD}
  fi
fi
### END /etc/grub.d/01_users ###

### BEGIN /etc/grub.d/10_linux ###
insmod part_gpt
insmod ${fs_module}
set root='hd0,gpt$part'
if [ x\$feature_platform_search_hint = xy ]; then
  search --no-floppy --fs-uuid --set=root $hints  $uuid
else
  search --no-floppy --fs-uuid --set=root $uuid
fi
insmod part_gpt
insmod ${fs_module}
set boot='hd0,gpt$part'
if [ x\$feature_platform_search_hint = xy ]; then
  search --no-floppy --fs-uuid --set=boot $hints  $uuid
else
  search --no-floppy --fs-uuid --set=boot $uuid
fi

# This section was generated by a script. Do not modify the generated file - all changes
# will be lost the next time file is regenerated. Instead edit the BootLoaderSpec files.
#
# The blscfg command parses the BootLoaderSpec files stored in /boot/loader/entries and
# populates the boot menu. Please refer to the Boot Loader Specification documentation
# for the files format: https://systemd.io/BOOT_LOADER_SPECIFICATION/.

# The kernelopts variable should be defined in the grubenv file. But to ensure that menu
# entries populated from BootLoaderSpec files that use this variable work correctly even
# without a grubenv file, define a fallback kernelopts variable if this has not been set.
#
# The kernelopts variable in the grubenv file can be modified using the grubby tool or by
# executing the grub2-mkconfig tool. For the latter, the values of the GRUB_CMDLINE_LINUX
# and GRUB_CMDLINE_LINUX_DEFAULT options from /etc/default/grub file are used to set both
# the kernelopts variable in the grubenv file and the fallback kernelopts variable.
if [ -z "\${kernelopts}" ]; then
  set kernelopts="root=UUID=$root_uuid ro $cmdline "
fi

insmod blscfg
blscfg
### END /etc/grub.d/10_linux ###

### BEGIN /etc/grub.d/30_os-prober ###
### END /etc/grub.d/30_os-prober ###

### BEGIN /etc/grub.d/40_custom ###
# This file provides an easy way to add custom menu entries.  Simply type the
# menu entries you want to add after this comment.  Be careful not to change
# the 'exec tail' line above.
### END /etc/grub.d/40_custom ###

### BEGIN /etc/grub.d/41_custom ###
if [ -f  \${config_directory}/custom.cfg ]; then
  source \${config_directory}/custom.cfg
elif [ -z "\${config_directory}" -a -f  \$prefix/custom.cfg ]; then
  source \$prefix/custom.cfg
fi
### END /etc/grub.d/41_custom ###
CFG
}

# A BLS entry as Fedora's kernel-install (grub2's 20-grub.install plugin) writes it:
# /loader/entries/<machine-id>-<version>.conf on the /boot partition, paths relative to it.
bls_entry() {  # version options [bootprefix [name [os_version]]]
  cat <<CONF
title ${4:-Fedora Linux} ($1) ${5:-40 (Cloud Edition)}
version $1
linux ${3:-}/vmlinuz-$1
initrd ${3:-}/initramfs-$1.img
options $2
grub_users \$grub_users
grub_arg --unrestricted
grub_class fedora
CONF
}

# --- inside the mount namespace: run the real grub-mkconfig ------------------------------------
inside() {  # scratch flavour root_uuid boot_uuid "versions" timeout extra_cmdline out
  local S=$1 flavour=$2 root_uuid=$3 boot_uuid=$4 versions=$5 timeout=$6 extra=$7 out=$8
  mount --make-rprivate /
  # /dev: keep the host's nodes reachable, then a tmpfs with only what the scripts use.
  mkdir -p "$S/hostdev" "$S/dev"
  mount --bind /dev "$S/hostdev"
  mount -t tmpfs -o mode=755 xb-grub-dev /dev
  for n in null zero full random urandom; do
    touch "/dev/$n" && mount --bind "$S/hostdev/$n" "/dev/$n"
  done
  ln -s /proc/self/fd /dev/fd
  mkdir -p /dev/disk/by-uuid && touch "/dev/disk/by-uuid/$root_uuid"
  mount -t tmpfs xb-grub-boot /boot
  for v in $versions; do
    : > "/boot/vmlinuz-$v"; : > "/boot/initrd.img-$v"
  done
  mkdir -p /boot/grub
  mount -t tmpfs xb-grub-default /etc/default
  cp -a "$S/default/." /etc/default/
  mount -t tmpfs xb-grub-grubd /etc/grub.d
  cp -a "$S/grub.d/." /etc/grub.d/
  mount --bind "$S/bin/grub-probe" /usr/sbin/grub-probe
  mount --bind "$S/bin/grub-mkrelpath" /usr/bin/grub-mkrelpath
  PATH="$S/bin:$PATH" LC_ALL=C LANG=C grub-mkconfig -o "$out" 2>"$S/mkconfig.log" ||
    { cat "$S/mkconfig.log" >&2; return 1; }
}

# One flavour's grub.cfg via the real grub-mkconfig (debian, ubuntu).
generate() {  # flavour root_uuid boot_uuid "versions" timeout extra out
  local flavour=$1 root_uuid=$2 boot_uuid=$3 versions=$4 timeout=$5 extra=$6 out=$7
  [ "$(id -u)" -eq 0 ] || die "needs root for unshare -m (a private mount namespace)"
  [ -x /usr/sbin/grub-mkconfig ] && [ -d /etc/grub.d ] && [ -f /usr/share/grub/grub-mkconfig_lib ] ||
    die "grub-mkconfig and /etc/grub.d missing: install grub-common grub2-common (scripts/install-deps.sh)"
  [ -d /boot ] || die "/boot does not exist on this host (needed as a mount point)"
  for f in /vmlinuz* /vmlinux* /boot/vmlinuz-* /boot/vmlinux-* /boot/kernel-*; do
    case $f in /boot/*) ;; *) [ -e "$f" ] || [ -L "$f" ] && die "the host has $f, which 10_linux would list: cannot run offline" ;; esac
  done
  local S
  S=$(mktemp -d "${TMPDIR:-/tmp}/xb-grub-mkconfig.XXXXXX")
  mkdir -p "$S/bin" "$S/default/grub.d" "$S/grub.d"
  local root_dev=/dev/xvda1 boot_dev=/dev/xvda1 boot_part=1 distributor=Debian terminal='console serial'
  if [ "$flavour" = ubuntu ]; then
    boot_dev=/dev/xvda16 boot_part=16 distributor=Ubuntu terminal=console
  fi
  # uname: only -m is asked for by the scripts that matter (10_linux); the rest as the host.
  cat > "$S/bin/uname" <<SH
#!/bin/sh
[ "\$1" = -m ] && { echo aarch64; exit 0; }
exec /bin/uname "\$@"
SH
  # grub-probe: answers for a disk with root on xvda1 ((hd0,gpt1)) and /boot on boot_dev.
  cat > "$S/bin/grub-probe" <<SH
#!/bin/sh
# Stand-in grub-probe of tests/tools/grub-mkconfig-offline.sh (flavour $flavour).
target= device= path=
while [ \$# -gt 0 ]; do
  case \$1 in
    --target=*) target=\${1#--target=} ;;
    -t|--target) shift; target=\$1 ;;
    -d|--device) device=1 ;;
    --device=*) device=1 ;;
    -*) ;;
    *) path=\$1 ;;
  esac
  shift
done
if [ -n "\$device" ]; then dev=\$path
else
  case \$path in /boot|/boot/*) dev=$boot_dev ;; *) dev=$root_dev ;; esac
fi
case \$dev in
  $boot_dev) uuid=$boot_uuid part=$boot_part label=$([ "$flavour" = ubuntu ] && echo BOOT || echo root) ;;
  $root_dev) uuid=$root_uuid part=1 label=$([ "$flavour" = ubuntu ] && echo cloudimg-rootfs || echo root) ;;
  *) echo "grub-probe: error: unknown device \$dev" >&2; exit 1 ;;
esac
case \$target in
  device) echo "\$dev" ;;
  fs) echo ext2 ;;
  fs_uuid) echo "\$uuid" ;;
  fs_label) echo "\$label" ;;
  partuuid) printf '5eb0d15c-%04d-4000-8000-00000000d15c\n' "\$part" ;;
  partmap) echo gpt ;;
  abstraction) ;;
  drive) echo "(hd0,gpt\$part)" ;;
  compatibility_hint) echo "hd0,gpt\$part" ;;
  hints_string) echo "--hint-efi=hd0,gpt\$part --hint-baremetal=ahci0,gpt\$part " ;;
  bios_hints) ;;
  efi_hints) echo "--hint-efi=hd0,gpt\$part " ;;
  baremetal_hints) echo "--hint-baremetal=ahci0,gpt\$part " ;;
  arc_hints|ieee1275_hints) ;;
  *) echo "grub-probe: error: unsupported target '\$target'" >&2; exit 1 ;;
esac
SH
  # grub-mkrelpath: the path relative to the root of its filesystem (the real one prints
  # an empty line for the root of a mounted filesystem: 10_linux then writes /vmlinuz-...).
  if [ "$flavour" = ubuntu ]; then
    printf '#!/bin/sh\ncase $1 in /boot|/boot/) echo ;; /boot/*) echo "${1#/boot}" ;; *) echo "$1" ;; esac\n' > "$S/bin/grub-mkrelpath"
  else
    printf '#!/bin/sh\necho "$1"\n' > "$S/bin/grub-mkrelpath"
  fi
  chmod +x "$S/bin/"*
  # /etc/default/grub as the cloud images set it (debian-cloud-images config_space,
  # livecd-rootfs' 50-cloudimg-settings.cfg), with the console line the tests rely on.
  cat > "$S/default/grub" <<CFG
# /etc/default/grub of a $distributor arm64 cloud image (tests/tools/grub-mkconfig-offline.sh)
GRUB_DEFAULT=0
GRUB_TIMEOUT=$timeout
GRUB_DISTRIBUTOR=$distributor
GRUB_CMDLINE_LINUX_DEFAULT="$extra"
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200"
GRUB_TERMINAL="$terminal"
GRUB_SERIAL_COMMAND="serial --speed=115200"
CFG
  [ "$flavour" = ubuntu ] && echo 'GRUB_RECORDFAIL_TIMEOUT=0' >> "$S/default/grub"
  cp -a /etc/grub.d/. "$S/grub.d/"
  if [ "$flavour" = ubuntu ]; then
    # Ubuntu builds these scripts with its switches on (debian/rules of Ubuntu's grub2).
    sed -i -e 's/^\(quick_boot\|quiet_boot\|ubuntu_recovery\|vt_handoff\|gfxpayload_dynamic\)="0"$/\1="1"/' \
      "$S/grub.d/10_linux" "$S/grub.d/00_header"
    [ "$(grep -c '^\(quick_boot\|quiet_boot\|ubuntu_recovery\|vt_handoff\|gfxpayload_dynamic\)="1"' "$S/grub.d/10_linux")" -eq 5 ] ||
      die "10_linux does not have the 5 Ubuntu build switches this script flips"
  fi
  local tmp_out="$S/grub.cfg"
  local rc=0
  unshare -m --propagation private "$self" --inside "$S" "$flavour" "$root_uuid" "$boot_uuid" \
    "$versions" "$timeout" "$extra" "$tmp_out" || rc=$?
  if [ "$rc" -eq 0 ] && ! grub-script-check "$tmp_out"; then
    echo "grub-mkconfig-offline: grub-script-check rejected the generated $flavour grub.cfg" >&2; rc=1
  fi
  if [ "$rc" -eq 0 ]; then
    if [ "$out" = - ]; then cat "$tmp_out"; else cp "$tmp_out" "$out"; fi
  fi
  rm -rf "$S"
  return "$rc"
}

# One grub.cfg of any flavour.
one_cfg() {  # flavour root_uuid boot_uuid versions timeout extra out
  if [ "$1" = fedora-bls ]; then
    local tmp; tmp=$(mktemp)
    fedora_bls_cfg "$3" 2 "$2" "$5" "console=tty0 console=ttyS0,115200${6:+ $6}" > "$tmp"
    grub-script-check "$tmp" || { rm -f "$tmp"; die "grub-script-check rejected the fedora-bls grub.cfg"; }
    if [ "$7" = - ]; then cat "$tmp"; else cp "$tmp" "$7"; fi
    rm -f "$tmp"
  else
    generate "$@"
  fi
}

# --- the unit tests' fixtures -----------------------------------------------------------------
FIX_ROOT_UUID=0c5a5f5e-1d2b-4c3a-9e8f-0123456789ab
FIX_BOOT_UUID=b007b007-16aa-4bbb-8ccc-0123456789ab
FIX_MACHINE_ID=8e3b2b1c0a5d4e6f9a7b6c5d4e3f2a1b
write_fixtures() {  # dir
  local d=$1 v
  mkdir -p "$d/debian/esp/EFI/debian" "$d/debian/boot/grub" \
           "$d/ubuntu/esp/EFI/ubuntu" "$d/ubuntu/boot/grub" \
           "$d/fedora-bls/esp/EFI/fedora" "$d/fedora-bls/boot/grub2" "$d/fedora-bls/boot/loader/entries"
  # debian: p1 ext4 root with /boot; the stub on p15 (ESP)
  one_cfg debian "$FIX_ROOT_UUID" "$FIX_ROOT_UUID" "6.1.0-28-cloud-arm64 6.1.0-27-cloud-arm64" 5 "" \
    "$d/debian/boot/grub/grub.cfg"
  esp_stub debian "$FIX_ROOT_UUID" 1 > "$d/debian/esp/EFI/debian/grub.cfg"
  # ubuntu: p16 ext4 /boot (files at its root), p1 root; the stub on p15
  one_cfg ubuntu "$FIX_ROOT_UUID" "$FIX_BOOT_UUID" "6.8.0-51-generic 6.8.0-49-generic" 5 "" \
    "$d/ubuntu/boot/grub/grub.cfg"
  esp_stub ubuntu "$FIX_BOOT_UUID" 16 > "$d/ubuntu/esp/EFI/ubuntu/grub.cfg"
  # fedora-bls: p2 ext4 /boot (grub2/, loader/entries/ at its root); the stub on p1
  local opts="root=UUID=$FIX_ROOT_UUID ro console=tty0 console=ttyS0,115200"
  one_cfg fedora-bls "$FIX_ROOT_UUID" "$FIX_BOOT_UUID" "" 5 "" "$d/fedora-bls/boot/grub2/grub.cfg"
  esp_stub fedora-bls "$FIX_BOOT_UUID" 2 > "$d/fedora-bls/esp/EFI/fedora/grub.cfg"
  local new=6.8.5-301.fc40.aarch64 old=6.7.11-200.fc40.aarch64
  # The newer entry has literal options (Fedora 34+ kernel-install); the older one the
  # $kernelopts form that earlier releases wrote, which takes the value from grubenv.
  bls_entry "$new" "$opts" > "$d/fedora-bls/boot/loader/entries/$FIX_MACHINE_ID-$new.conf"
  bls_entry "$old" "\$kernelopts" > "$d/fedora-bls/boot/loader/entries/$FIX_MACHINE_ID-$old.conf"
  rm -f "$d/fedora-bls/boot/grub2/grubenv"
  grub-editenv "$d/fedora-bls/boot/grub2/grubenv" create
  grub-editenv "$d/fedora-bls/boot/grub2/grubenv" set "kernelopts=$opts" "saved_entry=$FIX_MACHINE_ID-$new"
  cat > "$d/README" <<TXT
Generated by tests/tools/grub-mkconfig-offline.sh --fixtures (do not edit).
Root fs UUID $FIX_ROOT_UUID, separate /boot fs UUID $FIX_BOOT_UUID, machine id $FIX_MACHINE_ID.
debian/      boot/grub/grub.cfg = /boot/grub/grub.cfg of p1 (real grub-mkconfig, Debian)
             esp/EFI/debian/grub.cfg = the ESP stub on p15
ubuntu/      boot/grub/grub.cfg = /grub/grub.cfg of the /boot partition p16 (real grub-mkconfig, Ubuntu switches)
             esp/EFI/ubuntu/grub.cfg = the ESP stub on p15
fedora-bls/  boot/ = the /boot partition p2: grub2/grub.cfg (BLS template), grub2/grubenv (grub-editenv),
             loader/entries/$FIX_MACHINE_ID-<ver>.conf for $new (default, saved_entry) and $old
             esp/EFI/fedora/grub.cfg = the ESP stub on p1
TXT
}

case ${1:-} in
  --inside) shift; inside "$@" ;;
  --fixtures) [ $# -eq 2 ] || die "usage: $0 --fixtures DIR"; write_fixtures "$2" ;;
  --esp-stub) [ $# -ge 4 ] && [ $# -le 5 ] || die "usage: $0 --esp-stub FLAVOUR UUID PART [GRUB_DIR]"
    esp_stub "$2" "$3" "$4" "${5:-}" ;;
  --bls-entry) [ $# -ge 3 ] && [ $# -le 6 ] || die "usage: $0 --bls-entry VERSION OPTIONS [BOOTPREFIX [NAME [OS_VERSION]]]"
    bls_entry "$2" "$3" "${4:-}" "${5:-}" "${6:-}" ;;
  *)
    flavour= root_uuid= boot_uuid= versions= timeout=5 extra= out=-
    while getopts f:r:b:k:t:a:o: opt; do
      case $opt in
        f) flavour=$OPTARG ;; r) root_uuid=$OPTARG ;; b) boot_uuid=$OPTARG ;; k) versions=$OPTARG ;;
        t) timeout=$OPTARG ;; a) extra=$OPTARG ;; o) out=$OPTARG ;;
        *) die "usage: see the head of $0" ;;
      esac
    done
    case $flavour in debian|ubuntu|fedora-bls) ;; *) die "-f debian|ubuntu|fedora-bls is required" ;; esac
    [ -n "$root_uuid" ] || die "-r ROOT_UUID is required"
    [ "$flavour" = fedora-bls ] || [ -n "$versions" ] || die "-k \"VERSION ...\" is required"
    one_cfg "$flavour" "$root_uuid" "${boot_uuid:-$root_uuid}" "$versions" "$timeout" "$extra" "$out"
    ;;
esac
