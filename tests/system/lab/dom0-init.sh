#!/bin/sh
# /init of the lab's dom0 (busybox sh, PID 1). Brings up the Xen toolstack, then runs the
# guest plan that lab.py left on the 9p share, one guest after the other, then powers dom0
# off, which makes Xen shut the machine down and QEMU exit.
#
# Share layout (written by lab.py, mounted at /mnt/lab):
#   lab.conf               shell variables: XENSTORED=oxenstored|xenstored
#   plan                   guest names, one a line, in run order
#   guests/NAME/xl.cfg     xl config without disk lines (dom0 adds them); it names its files
#                          as dom0 copies them: /run/lab/NAME/{kernel,ramdisk}
#   guests/NAME/disks      disk image file names in guests/NAME/, in vdev order (xvda, xvdb, ...)
#   guests/NAME/net/       only for a guest with a vif: the network services start for it
#                          (net_up: bridge xenbr0 10.9.0.1/24, httpd and atftpd serving
#                          /run/srv); net/srv/ is copied over /run/srv first, and
#                          net/udhcpd.conf, if present, is the DHCP server's config for it
#   srv/                   files served to every networked guest (copied to /run/srv once)
#   out/NAME/, out/dom0/   logs written back by dom0
#   cmd/ID.sh              a command for dom0 while a guest runs (Lab.dom0_run): dom0 runs it
#                          with GUEST and DOMID set, writes cmd/ID.out, reports "cmd ID done"
#
# Reports on hvc0 (QEMU's serial), one line each, parsed by lab.py:
#   LAB: dom0 ready | LAB: guest NAME unpausing domid N | LAB: guest NAME started domid N | LAB: guest NAME ended: REASON
#   LAB: all guests done | LAB: error: MESSAGE | LAB: cmd ID done rc N
# and, on the console port after each guest's last byte, the in-band frame ESC _ LAB:end:NAME ESC \
export PATH=/usr/sbin:/usr/bin HOME=/root
share=/mnt/lab

say() { echo "LAB: $*"; }

finish() {  # never returns: PID 1 must not exit
  if [ -d "$share/out/dom0" ]; then
    cp /var/log/xen/* "$share/out/dom0/" 2>/dev/null
    cp /run/net/*.log "$share/out/dom0/" 2>/dev/null
    dmesg > "$share/out/dom0/dmesg.txt" 2>/dev/null
  fi
  sync
  umount "$share" 2>/dev/null
  poweroff -f
  while :; do sleep 60; done
}

fail() { say "error: $*"; finish; }

# --- basic system ---------------------------------------------------------------------------
# Applet links do not exist yet: call busybox by name until --install made them.
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
busybox mkdir -p /dev/pts /dev/shm
busybox mount -t devpts -o mode=620,ptmxmode=666 devpts /dev/pts   # xenconsoled hands out ptys
busybox mount -t tmpfs -o mode=755,size=95% tmpfs /run             # guest disks are copied here
busybox mount -t tmpfs -o mode=755 tmpfs /var
busybox mount -t tmpfs -o mode=1777 tmpfs /tmp
# The block hotplug script locks through /dev/stdin; without it it loops forever.
busybox ln -s /proc/self/fd /dev/fd
busybox ln -s /proc/self/fd/0 /dev/stdin
busybox ln -s /proc/self/fd/1 /dev/stdout
busybox ln -s /proc/self/fd/2 /dev/stderr
busybox --install -s                 # applet links (needs /proc); real bash, flock, xl stay
ln -s /run /var/run
mkdir -p /run/xen /run/xenstored /run/lab /var/log/xen /var/lib/xen /var/lib/xenstored /var/lock
hostname dom0

while read -r m; do insmod "$m" || fail "insmod $m"; done < /etc/lab/modules

# --- the share with the plan ----------------------------------------------------------------
n=0
until mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none lab "$share" 2>/dev/null; do
  n=$((n + 1)); [ "$n" -lt 50 ] || fail "cannot mount the 9p share 'lab'"; sleep 0.1
done
XENSTORED=oxenstored
[ -f "$share/lab.conf" ] && . "$share/lab.conf"
mkdir -p "$share/out/dom0"

# --- Xen toolstack --------------------------------------------------------------------------
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
case $XENSTORED in
  oxenstored|xenstored) "$XENSTORED" --pid-file=/run/xen/xenstored.pid || fail "$XENSTORED" ;;
  *) fail "unknown XENSTORED=$XENSTORED" ;;
esac
n=0
until xenstore-exists / 2>/dev/null; do
  n=$((n + 1)); [ "$n" -lt 100 ] || fail "$XENSTORED does not answer"; sleep 0.1
done
xen-init-dom0 > "$share/out/dom0/xen-init-dom0.log" 2>&1 || fail "xen-init-dom0"
xenconsoled --pid-file=/run/xen/xenconsoled.pid || fail "xenconsoled"

vport=
for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = lab.console ] && vport=/dev/${p##*/}
done
[ -c "$vport" ] || fail "no virtio-serial port named lab.console"

say "dom0 ready ($XENSTORED, $(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor))"

# --- guests ---------------------------------------------------------------------------------
# end_guest NAME REASON: free the guest's loop devices and RAM copies, save its logs, mark
# the end in-band on the console port, then on hvc0.
end_guest() {
  for l in $loops; do losetup -d "$l"; done
  rm -rf "/run/lab/$1"/*.img "/run/lab/$1"/kernel "/run/lab/$1"/ramdisk "/run/lab/$1"/notify
  cp "/run/lab/$1"/*.log "$share/out/$1/" 2>/dev/null
  printf '\033_LAB:end:%s\033\\' "$1" > "$vport"
  say "guest $1 ended: $2"
}

# cmd_watch NAME DOMID: while the guest runs, runs what the host drops in cmd/ (ID.sh, written
# under another name and renamed, so it is complete when seen), one at a time, in the
# background of run_guest; the host waits for the "cmd ID done" line and reads ID.out.
cmd_watch() {
  mkdir -p "$share/cmd"
  while :; do
    for f in "$share"/cmd/*.sh; do
      [ -f "$f" ] || continue
      id=${f##*/}; id=${id%.sh}
      mv "$f" "$share/cmd/$id.run" || continue
      GUEST=$1 DOMID=$2 sh "$share/cmd/$id.run" > "$share/cmd/$id.out" 2>&1
      say "cmd $id done rc $?"
    done
    sleep 0.1
  done
}

# --- networking (guests with a vif only; shared/docs/netboot.md §4) --------------------------
# net_up: once per lab run, the bridge the vifs join (the stock vif-bridge hotplug script
# adds each vif to it) with dom0's address, and the file servers on /run/srv (dom0's RAM):
# busybox httpd on port 80 and atftpd (blksize, tsize, timeout, windowsize) on port 69.
NET_IP=10.9.0.1
net_up() {
  [ ! -e /run/net/up ] || return 0
  mkdir -p /run/net /run/srv
  # Debian's busybox brctl has addbr/addif but no stp/setfd/show: STP is off by default,
  # the forwarding delay is set through sysfs (0: a new port forwards at once).
  [ -d /sys/class/net/xenbr0 ] || brctl addbr xenbr0 || return 1
  echo 0 > /sys/class/net/xenbr0/bridge/forward_delay || return 1
  ip addr flush dev xenbr0 && ip addr add "$NET_IP/24" dev xenbr0 &&
    ip link set xenbr0 up || return 1
  [ ! -d "$share/srv" ] || cp -a "$share/srv/." /run/srv/ || return 1
  httpd -p "$NET_IP:80" -h /run/srv || return 1
  atftpd --daemon --user root --group root --port 69 --bind-address "$NET_IP" \
    --logfile /run/net/atftpd.log /run/srv || return 1
  touch /run/net/up
}

# net_guest NAME: before the guest's xl create: its served files, and a DHCP server with its
# settings (or none: a guest whose DHCP requests go unanswered).
net_guest() {
  net_up || return 1
  [ ! -d "$share/guests/$1/net/srv" ] || cp -a "$share/guests/$1/net/srv/." /run/srv/ || return 1
  if [ -n "${dhcpd_pid:-}" ]; then kill "$dhcpd_pid" 2>/dev/null; wait "$dhcpd_pid" 2>/dev/null; fi
  dhcpd_pid=
  rm -f /run/net/udhcpd.leases
  if [ -f "$share/guests/$1/net/udhcpd.conf" ]; then
    cp "$share/guests/$1/net/udhcpd.conf" /run/net/udhcpd.conf || return 1
    touch /run/net/udhcpd.leases
    echo "--- guest $1" >> /run/net/udhcpd.log
    udhcpd -f /run/net/udhcpd.conf >> /run/net/udhcpd.log 2>&1 &
    dhcpd_pid=$!
  fi
}

run_guest() {
  name=$1
  src=$share/guests/$name
  run=/run/lab/$name
  out=$share/out/$name
  mkdir -p "$run" "$out"
  cp "$src/xl.cfg" "$run/xl.cfg"
  # xl builds the domain faster from tmpfs than from the 9p share (33 MB Linux: 4.4 s, not 8.2 s).
  loops=''
  for f in kernel ramdisk; do
    [ ! -f "$src/$f" ] || cp "$src/$f" "$run/$f" || { end_guest "$name" "error: cannot copy $f"; return; }
  done

  # Disks are copied into dom0's RAM: a loop device over the 9p file is ~10x slower.
  disks='' n=0
  for f in $(cat "$src/disks" 2>/dev/null); do
    n=$((n + 1))
    letter=$(echo abcdefghijklmnopqrstuvwxyz | cut -c$n)
    cp "$src/$f" "$run/$f" || { end_guest "$name" "error: cannot copy disk $f"; return; }
    loop=$(losetup -f) && losetup "$loop" "$run/$f" ||
      { end_guest "$name" "error: losetup $f"; return; }
    loops="$loops $loop"
    disks="$disks'format=raw, vdev=xvd$letter, access=rw, target=$loop', "
  done
  [ -z "$disks" ] || echo "disk = [ ${disks%, } ]" >> "$run/xl.cfg"
  if [ -d "$src/net" ]; then
    net_guest "$name" || { end_guest "$name" "error: network set-up failed"; return; }
  fi

  # xl stays in the foreground (-F) until the domain shuts down and logs the shutdown reason
  # code; the config's on_* = "preserve" keeps the domain (and its console) until we destroy it.
  xl create -p -F "$run/xl.cfg" > "$run/xl.log" 2>&1 &
  xlpid=$!
  domid='' n=0
  while [ -z "$domid" ]; do
    domid=$(sed -n 's/.*(domid \([0-9]*\)) to die.*/\1/p' "$run/xl.log")
    [ -n "$domid" ] && break
    if ! kill -0 "$xlpid" 2>/dev/null || [ "$n" -ge 600 ]; then
      kill "$xlpid" 2>/dev/null
      cat "$run/xl.log"
      end_guest "$name" "error: xl create failed"
      return
    fi
    n=$((n + 1)); sleep 0.1
  done

  # The console: xenconsole on the port (opened once, read-write), attached before unpause.
  mkfifo "$run/notify"
  xenconsole "$domid" --type pv --interactive --start-notify-fd 3 \
    0<>"$vport" 1>&0 3>"$run/notify" 2>"$run/xenconsole.log" &
  conpid=$!
  if [ "$(timeout 30 head -c1 "$run/notify" | wc -c)" != 1 ]; then
    xl destroy "$domid"; wait "$xlpid"
    cat "$run/xenconsole.log"
    end_guest "$name" "error: xenconsole did not attach"
    return
  fi
  say "guest $name unpausing domid $domid"
  xl unpause "$domid" || fail "xl unpause $domid"
  say "guest $name started domid $domid"
  cmd_watch "$name" "$domid" &
  watchpid=$!

  wait "$xlpid"
  kill "$watchpid" 2>/dev/null
  wait "$watchpid" 2>/dev/null
  code=$(sed -n 's/.*has shut down, reason code \([0-9]*\).*/\1/p' "$run/xl.log" | head -n1)
  case $code in
    0) reason=poweroff ;; 1) reason=reboot ;; 2) reason=suspend ;; 3) reason=crash ;;
    4) reason=watchdog ;; 5) reason=soft_reset ;;
    '') reason=destroyed ;; *) reason="code-$code" ;;
  esac
  sleep 0.3                      # let xenconsoled and xenconsole pass on the last output
  xl destroy "$domid" 2>/dev/null
  n=0
  while kill -0 "$conpid" 2>/dev/null && [ "$n" -lt 50 ]; do n=$((n + 1)); sleep 0.1; done
  kill "$conpid" 2>/dev/null
  wait "$conpid" 2>/dev/null
  end_guest "$name" "$reason"
}

for g in $(cat "$share/plan" 2>/dev/null); do
  run_guest "$g"
done
say "all guests done"
finish
