#!/usr/bin/env python3
"""System test of the lab's network (issue 15): proves what the xenboot network tests rely on,
with guests whose network stack is not xenboot's.

One lab run, four guests, each with a vif (00:16:3e:12:34:56) on dom0's bridge xenbr0:
  linux-net  Debian's kernel + a busybox initramfs with xen-netfront (harness.NET_LINUX_INIT):
             /bin/lab-net gets a lease from dom0's udhcpd and pings 10.9.0.1; the lease must
             carry what lab.NetServices configured (siaddr, BOOTP file, options 66, 67, 209);
             dom0 sees the vif's backend Connected; then busybox wget (HTTP, httpd) and
             busybox tftp -b 65464 (TFTP, atftpd) download a 32 MiB and a 2 MiB random
             file whose md5 must equal the host's (and dom0's for the big one); tftp -b 1468
             and tftp with the default 512-byte blocks a 64 KiB one
             (lockstep TFTP takes minutes for 32 MiB under a loaded TCG: bench_net.py
             measures that; this test only proves the path, and stays short for CI).
  diskless   xenboot with a vif and no disk at all: it must reach its prompt after its
             autoboot finds nothing (what it prints is shown), and power off on command;
             dom0 must have its per-guest served files (NetServices.files) in /run/srv.
             Then xenboot's own stack on that vif: `dhcp` binds a lease from udhcpd and
             sets ipaddr, netmask, serverip (siaddr), gatewayip and bootfile; dom0 sees the
             vif Connected; `ping 10.9.0.1` gets an answer; `tftpboot` of the 2 MiB file
             with U-Boot's defaults and with tftpwindowsize 16, and `wget` of the 32 MiB
             one, each with the CRC-32 of the bytes in guest RAM equal to the host's.
  netboot    xenboot with the vif, no disk and no autoboot: `dhcp`, `tftpboot` of the lab's
             kernel (Image, 32 MiB) and of the Linux net guest's initramfs (window 16), each
             CRC-checked, `pvnet info`, then booti. The hand-off must close the vif without a
             warning; Linux's xen-netfront must then bring eth0 up on the same vif, get a
             lease and ping dom0 (LAB: net up ... ping ok). dom0 records the vif's XenBus
             states from just before booti: the backend goes Connected -> InitWait (xenboot's
             close; Closing and Closed when seen) -> Connected (Linux), and the frontend's
             keys are Linux's with none of xenboot's left (feature-no-csum-offload); Linux's
             dmesg has no netfront timeout or reconnect.
             Its xl cmdline sets bootdelay=-1: no autoboot, the prompt comes at once and
             the checks above run the same every time.
  pxeboot    xenboot with only the vif, autobooting with no key pressed: `bootflow scan`
             finds no disk, gets a lease, `pxe get` finds pxelinux.cfg/01-<mac> on dom0's
             atftpd, loads the lab's real kernel (Image) and the net initramfs over TFTP,
             and Linux starts (its /init's "NET-GUEST: linux up"), then brings up the same
             vif after the hand-off and pings dom0 (`LAB: net up ... ping ok`).
Prints PASS/FAIL lines, the figures, and "N passed, N failed".
"""

import os
import re
import shutil
import sys
import time
import zlib

from harness import (FIRMWARE, MIB, NET_DOM0, Checks, expect, guest_end, guestfiles, labmod,
                     net_guest_cmd, net_linux_guest, net_linux_initramfs, print_figures,
                     random_file, summary, systest_dir)

BIG = "big.bin"
BIG_SIZE = 32 * MIB
MID = "mid.bin"
MID_SIZE = 2 * MIB
SMALL = "small.bin"
SMALL_SIZE = 64 * 1024
PXE_209 = "pxelinux.cfg/netlab-209"
PXE_MAC = "pxelinux.cfg/01-" + labmod.DEFAULT_MAC.replace(":", "-")
NET_INITRD = "netboot/initrd.cpio"


def linux_guest(checks, lab, md5, figures):
    c = lab.console
    domid = lab.wait_guest_start(timeout=300)   # xl create + the vif's hotplug script: 20-60 s
    figures["linux-net: QEMU start -> guest unpaused"] = f"{lab.timings['start:linux-net']:.1f} s"
    if not expect(checks, c, "linux-net: guest up", "NET-GUEST: linux up", 120):
        return
    if expect(checks, c, "linux-net: DHCP lease from dom0's udhcpd", guestfiles.LEASE_LINE, 90):
        lease = dict(kv.split("=", 1) for kv in c.last_match.group(1).split() if "=" in kv)
        figures["linux-net: lease"] = c.last_match.group(1)
        checks.check("linux-net: address from the lease range",
                     re.fullmatch(r"10\.9\.0\.1\d\d", lease.get("ip", "")) is not None, lease)
        want = {"siaddr": NET_DOM0, "boot_file": "pxelinux.0", "tftp": NET_DOM0,
                "bootfile": "pxelinux.0", "pxeconffile": PXE_209, "router": NET_DOM0}
        got = {k: lease.get(k) for k in want}
        checks.check("linux-net: lease carries next-server, file, options 66/67/209, router",
                     got == want, f"got {got}")
    if not expect(checks, c, "linux-net: LAB: net up ... ping ok", guestfiles.NET_LINE, 60) or \
            not c.last_match.group(1).startswith("up"):
        checks.check("linux-net: network up", False, c.last_match.group(0) if c.last_match else "")
        c.expect("NET-CMD?", 30)
        c.sendline("poweroff")
        return
    rc, out = lab.dom0_run("xenstore-read /local/domain/0/backend/vif/$DOMID/0/state; "
                           f"md5sum /run/srv/{BIG}", timeout=60)
    lines = out.split()
    checks.check("dom0: vif backend Connected (state 4)", rc == 0 and lines[:1] == ["4"], out)
    checks.check("dom0: served file's md5 equals the host's", md5[BIG] in out, out)
    url = f"http://{NET_DOM0}/{BIG}"
    runs = [("http", f"lab-xfer http /tmp/f wget -q -O /tmp/f {url}", md5[BIG], BIG_SIZE),
            ("tftp-b65464", f"lab-xfer tftp-b65464 /tmp/f tftp -g -b 65464 -r {MID} -l /tmp/f {NET_DOM0}",
             md5[MID], MID_SIZE),
            ("tftp-b1468", f"lab-xfer tftp-b1468 /tmp/f tftp -g -b 1468 -r {SMALL} -l /tmp/f {NET_DOM0}",
             md5[SMALL], SMALL_SIZE),
            ("tftp-b512", f"lab-xfer tftp-b512 /tmp/f tftp -g -r {SMALL} -l /tmp/f {NET_DOM0}",
             md5[SMALL], SMALL_SIZE)]
    for label, line, want_md5, size in runs:
        try:
            rc = net_guest_cmd(c, line, guestfiles.XFER_LINE, 600)
        except labmod.LabError as e:
            checks.check(f"linux-net: {label} download", False, str(e))
            continue
        _, xrc, nbytes, secs, got_md5 = c.last_match.groups()
        ok = xrc == "0" and int(nbytes) == size and got_md5 == want_md5
        checks.check(f"linux-net: {label} download, md5 as on the host", ok, c.last_match.group(0))
        figures[f"linux-net: {label}"] = (f"{int(nbytes)} bytes in {float(secs):.2f} s "
                                          f"({int(nbytes) / MIB / max(float(secs), 1e-3):.2f} MiB/s)")
    c.expect("NET-CMD?", 60)
    c.sendline("poweroff")
    end = guest_end(lab, 120)
    checks.check("linux-net: powered off", end == "poweroff", end)


def diskless_guest(checks, lab, figures, crc, size):
    c = lab.console
    lab.wait_guest_start(timeout=300)
    t0 = time.monotonic()
    if not expect(checks, c, "diskless: xenboot reaches its prompt with no disk", "=> ", 180):
        return
    text = c.output()
    start = text.rfind("xenboot")
    figures["diskless: to the prompt"] = f"{time.monotonic() - t0:.1f} s after unpause was seen"
    figures["diskless: console"] = "\n  " + "\n  ".join(text[max(start, 0):].splitlines()[-12:])
    rc, out = lab.dom0_run("ls /run/srv/pxelinux.cfg; cat /run/srv/pxelinux.cfg/default", 60)
    checks.check("dom0: the guest's own served files are in /run/srv",
                 rc == 0 and "netlab-209" in out and "LABEL netlab" in out, out)
    # xenboot's own network stack on the same vif: pvnet connects it on first use, lwIP's
    # DHCP client gets the lease from dom0's udhcpd, ping reaches dom0.
    t1 = time.monotonic()
    c.sendline("dhcp")
    if expect(checks, c, "diskless: dhcp binds an address from the lease range",
              re.compile(r"DHCP client bound to address (10\.9\.0\.1\d\d)"), 120):
        figures["diskless: dhcp"] = f"{c.last_match.group(1)} in {time.monotonic() - t1:.1f} s (host clock)"
        expect(checks, c, "diskless: prompt after dhcp", "=> ")
        c.sendline("echo net: ip=${ipaddr} mask=${netmask} server=${serverip} gw=${gatewayip} file=${bootfile}")
        expect(checks, c, "diskless: dhcp set serverip (siaddr), netmask, gatewayip and bootfile",
               re.compile(r"net: ip=10\.9\.0\.1\d\d mask=255\.255\.255\.0 server=10\.9\.0\.1 gw=10\.9\.0\.1 "
                          r"file=pxelinux\.0\r\n"), 30)
        expect(checks, c, "diskless: prompt after echo", "=> ")
        rc, out = lab.dom0_run("xenstore-read /local/domain/0/backend/vif/$DOMID/0/state", 60)
        checks.check("dom0: xenboot's vif backend Connected (state 4)", rc == 0 and out.split()[:1] == ["4"], out)
        c.sendline(f"ping {NET_DOM0}")
        expect(checks, c, "diskless: ping dom0", f"host {NET_DOM0} is alive", 60)
        expect(checks, c, "diskless: prompt after ping", "=> ")
        # The loads, each checked by the CRC-32 of what landed in guest RAM.
        loads = [("tftpboot, U-Boot's defaults (blksize 1468, window 1)", "", f"tftpboot ${{kernel_addr_r}} {MID}", MID),
                 ("tftpboot, windowsize 16", "setenv tftpwindowsize 16; ", f"tftpboot ${{kernel_addr_r}} {MID}", MID),
                 ("wget of 32 MiB (HTTP)", "", f"wget ${{kernel_addr_r}} http://{NET_DOM0}/{BIG}", BIG)]
        for label, pre, cmd, name in loads:
            want = crc[name]
            t2 = time.monotonic()
            c.sendline(f"{pre}{cmd} && crc32 ${{fileaddr}} ${{filesize}}")
            if expect(checks, c, f"diskless: {label}: Bytes transferred = {size[name]}",
                      f"Bytes transferred = {size[name]} ", 300):
                figures[f"diskless: {label}"] = f"{time.monotonic() - t2:.1f} s (host clock, with the crc32)"
            expect(checks, c, f"diskless: {label}: CRC-32 of the loaded bytes as on the host ({want:08x})",
                   f"==> {want:08x}", 120)
            expect(checks, c, f"diskless: prompt after {label}", "=> ")
    c.sendline("poweroff")
    end = guest_end(lab, 60)
    checks.check("diskless: powered off", end == "poweroff", end)


# --- netboot: dhcp, tftpboot of the lab's kernel and the net initramfs, booti; then Linux's
# xen-netfront takes over the same vif (issue 15 items 1, 5: the hand-off). -----------------
NETBOOT_INITRD = "netboot-initrd.cpio"
# dom0: the vif's frontend/backend XenBus states, one line per change ("<uptime> <front> <back>"),
# polled from just before booti until /tmp/vifwatch.stop appears or the domain's nodes go.
VIF_WATCH = r"""
f=/local/domain/$DOMID/device/vif/0/state b=/local/domain/0/backend/vif/$DOMID/0/state
rm -f /tmp/vifwatch.stop /tmp/vifwatch.log
(
  last= n=0
  while [ ! -e /tmp/vifwatch.stop ] && [ "$n" -lt 30000 ]; do
    n=$((n + 1))
    # The backend first: its InitWait comes only after the frontend's Initialising, so a
    # backend read before the frontend can't pair InitWait with an older frontend state
    # (two reads are not one snapshot).
    bs=$(xenstore-read $b 2>/dev/null) && fs=$(xenstore-read $f 2>/dev/null) || break
    s="$fs $bs"
    [ "$s" = "$last" ] || echo "$(cut -d' ' -f1 /proc/uptime) $s" >> /tmp/vifwatch.log
    last=$s
  done
) </dev/null >/dev/null 2>&1 &
# booti only once the poll has its first sample (Connected), however slowly it started.
n=0
while [ ! -s /tmp/vifwatch.log ] && [ "$n" -lt 300 ]; do n=$((n + 1)); sleep 0.1; done
echo "watching: $(head -n 1 /tmp/vifwatch.log 2>/dev/null)"
"""


def netboot_spec(initrd):
    """The netboot guest: xenboot with a vif and no disk, no autoboot (bootdelay=-1: the test
    types everything); dom0 serves the lab's kernel and the net initramfs to it."""
    return labmod.GuestSpec("netboot", FIRMWARE, 512, cmdline="bootdelay=-1", vifs=[labmod.DEFAULT_MAC],
                            net=labmod.NetServices(files={"Image": os.path.join(labmod.lab_dir(), "Image"),
                                                          NETBOOT_INITRD: initrd}))


def netboot_guest(checks, lab, figures, initrd):
    """`dhcp`, `tftpboot` of the lab's Image and of the net initramfs (each CRC-checked), booti;
    then Linux's netfront brings eth0 up on the same vif and pings dom0. dom0 records the
    vif's XenBus states from just before booti: the backend must go from Connected (xenboot)
    back to InitWait and then to Connected again (Linux), and the frontend directory must hold
    Linux's keys, not xenboot's."""
    c = lab.console
    files = {"Image": os.path.join(labmod.lab_dir(), "Image"), NETBOOT_INITRD: initrd}
    crc, size = {}, {}
    for name, path in files.items():
        with open(path, "rb") as f:
            data = f.read()
        crc[name], size[name] = zlib.crc32(data) & 0xffffffff, len(data)
    lab.wait_guest_start(timeout=300)
    if not expect(checks, c, "netboot: xenboot prompt (no disk, no autoboot)", "=> ", 180):
        return
    t0 = time.monotonic()
    c.sendline("setenv autoload no; dhcp")
    if not expect(checks, c, "netboot: dhcp binds an address",
                  re.compile(r"DHCP client bound to address (10\.9\.0\.1\d\d)"), 120):
        c.sendline("poweroff")
        return
    figures["netboot: dhcp"] = f"{c.last_match.group(1)} in {time.monotonic() - t0:.1f} s (host clock)"
    expect(checks, c, "netboot: prompt after dhcp", "=> ")
    # A window of 16 blocks per ACK: lockstep TFTP (U-Boot's default) of 32 MiB takes many
    # minutes under a loaded TCG (7 KiB/s seen at a load average of 20, against 66 with 16).
    c.sendline("setenv tftpwindowsize 16")
    expect(checks, c, "netboot: prompt after setenv", "=> ")
    for name, addr in (("Image", "${kernel_addr_r}"), (NETBOOT_INITRD, "${ramdisk_addr_r}")):
        t1 = time.monotonic()
        c.sendline(f"tftpboot {addr} {name} && crc32 ${{fileaddr}} ${{filesize}}")
        if not expect(checks, c, f"netboot: tftpboot {name}: Bytes transferred = {size[name]}",
                      f"Bytes transferred = {size[name]} ", 900):
            c.sendline("poweroff")
            return
        figures[f"netboot: tftpboot {name}"] = f"{size[name]} bytes, {time.monotonic() - t1:.1f} s (host clock)"
        expect(checks, c, f"netboot: {name}: CRC-32 in guest RAM as on the host ({crc[name]:08x})",
               f"==> {crc[name]:08x}", 120)
        expect(checks, c, f"netboot: prompt after tftpboot {name}", "=> ")
    c.sendline("pvnet info")
    if expect(checks, c, "netboot: pvnet info: eth0 connected before booti",
              re.compile(r"eth0: vif 0, MAC 00:16:3e:12:34:56, backend (\S+) .*?\n\s+State: connected[^\r\n]*"
                         r"\r?\n\s+Frames: ([^\r\n]*)", re.S), 30):
        figures["netboot: pvnet info before booti"] = c.last_match.group(2)
    expect(checks, c, "netboot: prompt after pvnet info", "=> ")
    rc, out = lab.dom0_run(VIF_WATCH, 60)
    checks.check("dom0: watching the vif's XenBus states, both ends Connected before booti",
                 rc == 0 and re.search(r"watching: [\d.]+ 4 4", out) is not None, out)
    c.sendline("setenv bootargs console=hvc0 loglevel=4; booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize}")
    if not expect(checks, c, "netboot: booti starts the kernel", "Starting kernel ...", 120):
        return
    t2 = time.monotonic()
    handoff_ok = expect(checks, c, "netboot: hand-off done (boot time line)",
                        re.compile(r"xenboot: boot time: [^\r\n]*hand-off (\d+) ms"), 150)
    if handoff_ok:
        text = c.output()
        tail = text[text.rfind("Starting kernel ..."):]
        checks.check("netboot: hand-off without warnings (vif closed cleanly)",
                     "warning" not in tail and "refused" not in tail, tail)
        figures["netboot: hand-off"] = f"{c.last_match.group(1)} ms (xenboot's clock)"
    if not expect(checks, c, "netboot: Linux runs its init", "NET-GUEST: linux up", 300):
        return
    figures["netboot: Starting kernel -> Linux init"] = f"{time.monotonic() - t2:.1f} s (host clock)"
    if expect(checks, c, "netboot: Linux: DHCP lease on the vif", guestfiles.LEASE_LINE, 180):
        figures["netboot: Linux lease"] = c.last_match.group(1)
    up = expect(checks, c, "netboot: Linux: LAB: net up ... ping ok", guestfiles.NET_LINE, 180) and \
        c.last_match.group(1).startswith("up")
    checks.check("netboot: Linux's netfront brought eth0 up on the same vif and reached dom0", up,
                 c.last_match.group(0) if c.last_match else "")
    if up:
        figures["netboot: Starting kernel -> Linux net up"] = f"{time.monotonic() - t2:.1f} s (host clock)"
    rc, out = lab.dom0_run("touch /tmp/vifwatch.stop; sleep 1; cat /tmp/vifwatch.log; echo KEYS; "
                           "xenstore-ls /local/domain/$DOMID/device/vif/0", 60)
    log, _, keys = out.partition("KEYS")
    states = [line.split()[1:] for line in log.splitlines() if len(line.split()) == 3]
    figures["dom0: vif states from booti on (uptime, frontend, backend)"] = \
        "\n  " + "\n  ".join(log.strip().splitlines())
    backend = [s[1] for s in states]
    seq = "".join(b for i, b in enumerate(backend) if i == 0 or b != backend[i - 1])
    checks.check("dom0: vif backend Connected -> (Closing, Closed) -> InitWait before Linux -> Connected after",
                 re.fullmatch(r"45?6?24", seq) is not None, f"backend states {seq!r}; log:\n{log}")
    front_closed = [s[0] for s in states if s[1] == "2"]
    checks.check("dom0: while the backend waited in InitWait, the frontend was Initialising (xenboot's close)",
                 front_closed[:1] == ["1"], f"{states}")
    key_names = {line.split("=")[0].strip() for line in keys.splitlines() if "=" in line}
    # Linux 6.1 netfront writes multi-queue-num-queues and feature-sg; xenboot writes
    # feature-no-csum-offload, which Linux does not: left behind, it would turn off Linux's
    # checksum offload.
    checks.check("dom0: the vif's frontend keys are Linux's, none of xenboot's left behind",
                 {"multi-queue-num-queues", "feature-sg"} <= key_names
                 and "feature-no-csum-offload" not in key_names, keys.strip())
    try:
        net_guest_cmd(c, "dmesg | grep -i -e xen-netfront -e xen_netfront -e vif -e 'xenbus' | tail -n 8",
                      re.compile(r"(?s).*?(?=NET-RC)"), 60)
        figures["netboot: Linux dmesg (netfront)"] = "\n  " + "\n  ".join(c.last_match.group(0).strip().splitlines())
        dm = c.last_match.group(0)
        checks.check("netboot: Linux's dmesg has no netfront timeout or reconnect", "timed out" not in dm
                     and "triggering reconnect" not in dm, dm)
    except labmod.LabError as e:
        checks.check("netboot: Linux's dmesg", False, str(e))
    c.expect("NET-CMD?", 60)
    c.sendline("poweroff")
    end = guest_end(lab, 120)
    checks.check("netboot: Linux powered off", end == "poweroff", end)
def pxeboot_guest(checks, lab, figures):
    """A diskless xenboot guest that autoboots over the network with no key pressed."""
    c = lab.console
    lab.wait_guest_start(timeout=300)
    t0 = time.monotonic()
    steps = [("pxeboot: autoboot runs bootflow scan with no key pressed", "Hit any key to stop autoboot", 180),
             ("pxeboot: DHCP lease during the scan",
              re.compile(r"DHCP client bound to address (10\.9\.0\.1\d\d)"), 180),
             (f"pxeboot: pxe finds {PXE_MAC} (before default)", f"Config file '{PXE_MAC}' found", 120),
             ("pxeboot: the pxe bootflow is listed", re.compile(r"pxe +ready +eth0 +tftp +" + re.escape(PXE_MAC)), 30),
             ("pxeboot: Image over TFTP",
              re.compile(r"Retrieving file: Image\r?\n(?:  [^\r\n]*\r?\n)*(\d+) bytes read in (\d+) ms"), 1200),
             ("pxeboot: initramfs over TFTP",
              re.compile(r"Retrieving file: " + re.escape(NET_INITRD) +
                         r"\r?\n(?:  [^\r\n]*\r?\n)*(\d+) bytes read in (\d+) ms"), 600),
             ("pxeboot: xenboot hands over to the kernel", "Starting kernel ...", 120),
             ("pxeboot: Linux starts (its /init's first line)", "NET-GUEST: linux up", 300)]
    for name, pattern, timeout in steps:
        if not expect(checks, c, name, pattern, timeout):
            figures["pxeboot: console"] = "\n  " + "\n  ".join(c.output().splitlines()[-15:])
            c.sendline("poweroff")  # at xenboot's prompt or Linux's NET-CMD?
            guest_end(lab, 60)
            return
        if name.endswith("over TFTP"):
            nbytes, ms = (int(v) for v in c.last_match.groups())
            figures[name] = f"{nbytes} bytes in {ms / 1000:.1f} s ({nbytes / MIB / max(ms / 1000, 1e-3):.2f} MiB/s)"
    figures["pxeboot: unpause to Linux's first line"] = f"{time.monotonic() - t0:.1f} s (host clock)"
    # Linux's xen-netfront on the vif xenboot used and gave back (the hand-off).
    if expect(checks, c, "pxeboot: Linux brings up the same vif after the hand-off (LAB: net up)",
              guestfiles.NET_LINE, 120):
        checks.check("pxeboot: Linux's lease and ping to dom0", c.last_match.group(1).startswith("up"),
                     c.last_match.group(0))
    try:
        c.expect("NET-CMD?", 60)
        c.sendline("poweroff")
    except labmod.LabError as e:
        checks.check("pxeboot: Linux's command prompt", False, str(e))
    end = guest_end(lab, 120)
    checks.check("pxeboot: powered off", end == "poweroff", end)


def main():
    work = systest_dir("net_lab")
    checks = Checks()
    srv = os.path.join(work, "srv")
    os.makedirs(os.path.join(srv, "pxelinux.cfg"), exist_ok=True)
    md5 = {BIG: random_file(os.path.join(srv, BIG), BIG_SIZE),
           MID: random_file(os.path.join(srv, MID), MID_SIZE, seed=6),
           SMALL: random_file(os.path.join(srv, SMALL), SMALL_SIZE, seed=7)}
    crc = {}
    for name in md5:
        with open(os.path.join(srv, name), "rb") as f:
            crc[name] = zlib.crc32(f.read()) & 0xffffffff
    initrd = net_linux_initramfs(work)
    # The lab's real kernel and the net initramfs, served to every guest, so the
    # pxelinux.cfg files below name files that exist.
    shutil.copyfile(os.path.join(labmod.lab_dir(), "Image"), os.path.join(srv, "Image"))
    os.makedirs(os.path.join(srv, os.path.dirname(NET_INITRD)), exist_ok=True)
    shutil.copyfile(initrd, os.path.join(srv, NET_INITRD))
    label = (f"LABEL netlab\n  KERNEL Image\n  INITRD {NET_INITRD}\n"
             f"  APPEND console=hvc0 loglevel=4\n")
    pxe = os.path.join(work, "pxe-default")
    with open(pxe, "w") as f:
        f.write("DEFAULT netlab\n" + label)
    pxe_mac = os.path.join(work, "pxe-mac")
    with open(pxe_mac, "w") as f:
        f.write("MENU TITLE xenboot lab: network boot\nDEFAULT netlab\nTIMEOUT 10\n" + label)
    with open(os.path.join(srv, PXE_209), "w") as f:
        f.write("DEFAULT netlab\n")
    guests = [net_linux_guest("linux-net", initrd, labmod.NetServices(pxe_config=PXE_209)),
              labmod.GuestSpec("diskless", FIRMWARE, 256, vifs=[labmod.DEFAULT_MAC], cmdline="bootdelay=-1",
                               net=labmod.NetServices(files={"pxelinux.cfg/default": pxe})),
              # Lockstep TFTP of a 32 MiB kernel under TCG: a window of 16 blocks
              # (atftpd has RFC 7440) keeps it to minutes.
              labmod.GuestSpec("pxeboot", FIRMWARE, 320, vifs=[labmod.DEFAULT_MAC], cmdline="tftpwindowsize=16",
                               net=labmod.NetServices(files={PXE_MAC: pxe_mac})),
              netboot_spec(initrd)]
    figures = {}

    def body(lab):
        figures["dom0 ready"] = f"{lab.timings['dom0_ready']:.1f} s after QEMU start"
        linux_guest(checks, lab, md5, figures)
        diskless_guest(checks, lab, figures, crc, {BIG: BIG_SIZE, MID: MID_SIZE, SMALL: SMALL_SIZE})
        # In the order of `guests`: dom0 starts them one after the other.
        pxeboot_guest(checks, lab, figures)
        netboot_guest(checks, lab, figures, initrd)

    wall = 0.0
    labmod.ensure_setup()
    t0 = time.monotonic()
    try:
        with labmod.Lab(work, guests, srv_dir=srv) as lab:
            body(lab)
            lab.wait_done(timeout=120)
    except labmod.LabError as e:
        checks.check("lab ran to the end", False, str(e))
    wall = time.monotonic() - t0
    figures["whole lab run"] = f"{wall:.1f} s"
    print_figures(figures)
    return summary(checks, work)


if __name__ == "__main__":
    sys.exit(main())
