"""Files for Linux DomU guests of the lab, built without root: a newc cpio writer and a
busybox initramfs that carries the xen-blkfront (and, with net=True, xen-netfront) modules
of the lab's kernel.

Used by the lab's self-test, the PV block benchmark, the network test and benchmark and
tests/system/sample_disk.py.

    write_cpio(path, entries)                                  -> None
    guest_modules(files_dir, names)                            -> [module paths, load order]
    blkfront_modules(files_dir)                                -> [module paths, load order]
    guest_initramfs(path, files_dir, init_script, applets, net=False) -> path

With net=True the initramfs also has two scripts for the lab's network (lab.py vifs):
    /bin/lab-net [SERVER]   waits for eth0, gets a DHCP lease (udhcpc), pings SERVER
                            (default dom0, 10.9.0.1); prints
                              LAB: dhcp lease ip=... siaddr=... boot_file=... tftp=... ...
                              LAB: net up <ip> ping ok        (exit 0)
                            or LAB: net FAILED <why>          (exit 1)
    /bin/lab-xfer LABEL FILE CMD...
                            runs CMD (which writes FILE), then prints
                              LAB: xfer LABEL rc=<rc> bytes=<size> secs=<s> md5=<md5>
                            (secs: CMD's wall time from /proc/uptime) and removes FILE
NET_LINE and XFER_LINE are regexes for those lines.

files_dir is the lab's directory (lab.lab_dir()): rootfs-src/ (the arm64 sysroot with
busybox and the kernel's modules) and kernel-release.
"""

import os
import re
import stat
import subprocess

NET_APPLETS = ("ip", "udhcpc", "ping", "wget", "tftp", "md5sum", "sleep", "cat", "echo", "awk",
               "cut", "rm", "ls", "wc", "sed", "printf", "tail", "grep", "tr")
NET_LINE = re.compile(r"LAB: net (up (\S+) ping ok|FAILED [^\r\n]*)")
LEASE_LINE = re.compile(r"LAB: dhcp lease ([^\r\n]*)")
XFER_LINE = re.compile(r"LAB: xfer (\S+) rc=(\d+) bytes=(\d+) secs=([\d.]+) md5=(\S+)")

# udhcpc's event script: configures eth0 and records the lease for lab-net.
UDHCPC_SCRIPT = r"""#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -z "$router" ] || ip route add default via "${router%% *}" dev "$interface" 2>/dev/null
    echo "ip=$ip mask=$mask router=$router siaddr=$siaddr serverid=$serverid" \
         "boot_file=$boot_file tftp=$tftp bootfile=$bootfile pxeconffile=$pxeconffile" \
         "pxepathprefix=$pxepathprefix" > /tmp/lease ;;
esac
exit 0
"""

LAB_NET = r"""#!/bin/sh
# lab-net [SERVER]: eth0 by DHCP, then ping SERVER (default dom0). See guestfiles.py.
server=${1:-10.9.0.1}
fail() { echo "LAB: net FAILED $*"; exit 1; }
n=0   # xenbus lists the vif before netfront has made eth0
while [ ! -e /sys/class/net/eth0 ] && [ "$n" -lt 200 ]; do n=$((n + 1)); sleep 0.1; done
[ -e /sys/class/net/eth0 ] || fail "no eth0 after 20 s (vif: $(ls /sys/bus/xen/devices 2>/dev/null | grep vif))"
ip link set lo up
ip link set eth0 up
t0=$(cut -d' ' -f1 /proc/uptime)
rm -f /tmp/lease
# The first DISCOVERs can be lost while dom0's hotplug script puts the vif on the bridge.
udhcpc -i eth0 -s /etc/udhcpc.script -t 30 -T 1 -A 1 -n -q >/tmp/udhcpc.log 2>&1
[ -s /tmp/lease ] || fail "no DHCP lease ($(tail -n 1 /tmp/udhcpc.log))"
secs=$(awk -v t0="$t0" '{ printf "%.2f", $1 - t0 }' /proc/uptime)
echo "LAB: dhcp lease $(cat /tmp/lease) secs=$secs"
ip=$(sed -n 's/^ip=\([0-9.]*\) .*/\1/p' /tmp/lease)
ping -c 3 -W 3 "$server" >/tmp/ping.log 2>&1 || fail "ping $server ($(tail -n 2 /tmp/ping.log | tr '\n' ' '))"
echo "LAB: ping $(tail -n 1 /tmp/ping.log)"
echo "LAB: net up $ip ping ok"
"""

LAB_XFER = r"""#!/bin/sh
# lab-xfer LABEL FILE CMD...: times CMD, then size and md5 of FILE. See guestfiles.py.
label=$1 file=$2
shift 2
rm -f "$file"
t0=$(cut -d' ' -f1 /proc/uptime)
"$@" >/tmp/xfer.log 2>&1
rc=$?
secs=$(awk -v t0="$t0" '{ printf "%.3f", $1 - t0 }' /proc/uptime)
[ "$rc" -eq 0 ] || tail -n 3 /tmp/xfer.log
bytes=$(wc -c < "$file" 2>/dev/null || echo 0)
md5=$(md5sum "$file" 2>/dev/null | cut -d' ' -f1)
rm -f "$file"
echo "LAB: xfer $label rc=$rc bytes=$bytes secs=$secs md5=${md5:-none}"
"""


def write_cpio(path, entries):
    """Writes a newc cpio archive. entries: (name, mode, data_bytes_or_None, rdev) tuples;
    device nodes need no root this way. Every entry gets uid/gid 0 and mtime 0, so the
    archive depends only on the entries."""
    out = bytearray()

    def add(name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08X}" for v in (
            len(out), mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
        out.extend(hdr.encode() + name_b)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for name, mode, data, rdev in entries:
        add(name, mode, data or b"", rdev)
    add("TRAILER!!!", 0)
    with open(path, "wb") as f:
        f.write(out)


def guest_modules(files_dir, names):
    """The .ko files the modules `names` need, in load order, each once (from `modprobe
    --show-depends` against the lab's sysroot; Debian 12's modules are plain .ko files)."""
    sysroot = os.path.join(files_dir, "rootfs-src")
    with open(os.path.join(files_dir, "kernel-release")) as f:
        kver = f.read().strip()
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    deps = subprocess.run(["modprobe", "-d", sysroot, "-S", kver, "--show-depends", "-a", *names],
                          check=True, capture_output=True, text=True, env=env).stdout
    mods = [line.split()[1] for line in deps.splitlines() if line.startswith("insmod ")]
    return list(dict.fromkeys(mods))


def blkfront_modules(files_dir):
    """The .ko files xen-blkfront needs, in load order."""
    return guest_modules(files_dir, ["xen-blkfront"])


def guest_initramfs(path, files_dir, init_script, applets, net=False):
    """Writes a Linux guest initramfs (uncompressed newc cpio): busybox with `applets` as
    symlinks in /bin, the xen-blkfront modules of the lab's kernel in / (their names, in
    load order, in /modules: `for m in $(cat /modules); do insmod "$m"; done`), and
    init_script as /init. net=True adds xen-netfront to /modules, /bin/lab-net,
    /bin/lab-xfer, /etc/udhcpc.script and NET_APPLETS. Returns path."""
    sysroot = os.path.join(files_dir, "rootfs-src")
    mods = guest_modules(files_dir, ["xen-blkfront"] + (["xen-netfront"] if net else []))
    d, f, l = stat.S_IFDIR | 0o755, stat.S_IFREG, stat.S_IFLNK | 0o777

    def read(p):
        with open(p, "rb") as fh:
            return fh.read()

    entries = [("bin", d, None, (0, 0)), ("dev", d, None, (0, 0)), ("proc", d, None, (0, 0)),
               ("sys", d, None, (0, 0)),
               ("dev/console", stat.S_IFCHR | 0o600, None, (5, 1)),
               ("init", f | 0o755, init_script.encode(), (0, 0)),
               ("bin/busybox", f | 0o755, read(os.path.join(sysroot, "bin/busybox")), (0, 0)),
               ("modules", f | 0o644, "".join(f"/{os.path.basename(m)}\n" for m in mods).encode(), (0, 0))]
    entries += [(os.path.basename(m), f | 0o644, read(m), (0, 0)) for m in mods]
    if net:
        entries += [("etc", d, None, (0, 0)), ("tmp", d | 0o1000, None, (0, 0)),
                    ("etc/udhcpc.script", f | 0o755, UDHCPC_SCRIPT.encode(), (0, 0)),
                    ("bin/lab-net", f | 0o755, LAB_NET.encode(), (0, 0)),
                    ("bin/lab-xfer", f | 0o755, LAB_XFER.encode(), (0, 0))]
        applets = tuple(dict.fromkeys(tuple(applets) + NET_APPLETS))
    entries += [(f"bin/{applet}", l, b"busybox", (0, 0)) for applet in applets]
    write_cpio(path, entries)
    return path
