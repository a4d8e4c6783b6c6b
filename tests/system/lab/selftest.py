#!/usr/bin/env python3
"""Self-test of the lab, with guests that are not xenboot:

  linux         Debian's arm64 kernel + a busybox initramfs (256 MiB, disk as xvda): prints
                GUEST-HELLO, the first bytes of /dev/xvda (through xen-blkfront), reads a line
                from the console and echoes it, checks that bytes pass unchanged both ways
                (tty in raw mode), then `poweroff -f`                   -> "poweroff"
  linux-reboot  the same without disk and raw check, then `reboot -f`  -> "reboot"
  crash         a 7-instruction bare-metal image (64 MiB) that calls
                SCHEDOP_shutdown(SHUTDOWN_crash)                        -> "crash"
then the same crash guest with the C xenstored, then the `interactive` CLI with piped stdin.
Prints PASS/FAIL lines and a summary; exits non-zero on any failure.
Usage: tests/system/lab/selftest.py [--workdir DIR]   (default <labdir>/selftest)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
from guestfiles import guest_initramfs  # noqa: E402

GUEST_INIT = r"""#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mode=$(sed -n 's/.*lab_mode=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "GUEST-HELLO mode=$mode"
for m in $(cat /modules); do insmod "$m"; done
n=0   # xenbus lists the vbd before blkfront has made /dev/xvda
while [ -e /sys/bus/xen/devices/vbd-51712 ] && [ ! -b /dev/xvda ] && [ "$n" -lt 100 ]; do
  n=$((n + 1)); sleep 0.1
done
if [ -b /dev/xvda ]; then
  echo "GUEST-DISK: $(head -c 16 /dev/xvda | od -An -tx1 | tr -d ' \n')"
  t0=$(cut -d' ' -f1 /proc/uptime)
  dd if=/dev/xvda of=/dev/null bs=1M 2>/dev/null
  echo "GUEST-DD: $(cat /sys/block/xvda/size) sectors in $(awk -v t0="$t0" '{print $1 - t0}' /proc/uptime) s"
else
  echo "GUEST-DISK: none"
fi
echo "GUEST-INPUT?"
read -r line
echo "GUEST-ECHO: [$line]"
if [ "$mode" = full ]; then   # byte transparency, both ways: no \r/\n translation
  stty raw -echo
  echo "GUEST-RAW-READY"   # the tty translates input that arrives before this (ICRNL)
  echo "GUEST-RAW-IN: $(head -c 4 | od -An -tx1 | tr -d ' \n')"
  stty sane; stty -opost
  printf 'GUEST-RAW-OUT:a\nb\r\n'
  stty sane
fi
echo "GUEST-BYE"
if [ "$mode" = reboot ]; then reboot -f; else poweroff -f; fi
"""

# A minimal arm64 "Linux Image": header, then sched_op(SCHEDOP_shutdown, {SHUTDOWN_crash}).
CRASH_ASM = r"""
    .text
    .global _start
_start:
    b       entry                   // code0
    .word   0                       // code1
    .quad   0                       // text_offset
    .quad   end - _start            // image_size
    .quad   0x2                     // flags: little-endian, 4K pages
    .quad   0, 0, 0
    .ascii  "ARM\x64"               // magic at 0x38
    .word   0
entry:
    adr     x1, reason              // MMU off: the address is the guest-physical one
    mov     x0, #2                  // SCHEDOP_shutdown
    mov     x16, #29                // __HYPERVISOR_sched_op
    hvc     #0xea1
1:  wfi
    b       1b
    .balign 8
reason:
    .word   3                       // SHUTDOWN_crash
    .balign 8
end:
"""


def build_guest_files(work, files_dir):
    """Builds the Linux guest's initramfs, the crash image and a 32 MiB disk."""
    initrd = guest_initramfs(os.path.join(work, "guest-initramfs.cpio"), files_dir, GUEST_INIT,
                             ("sh", "mount", "sed", "cat", "echo", "insmod", "sleep", "head", "od", "tr",
                              "cut", "dd", "awk", "stty", "printf", "poweroff", "reboot"))

    asm = os.path.join(work, "crash.S")
    open(asm, "w").write(CRASH_ASM)
    for cmd in (["aarch64-linux-gnu-as", "-o", "crash.o", "crash.S"],
                ["aarch64-linux-gnu-ld", "-Ttext=0", "-o", "crash.elf", "crash.o"],
                ["aarch64-linux-gnu-objcopy", "-O", "binary", "crash.elf", "crash.bin"]):
        subprocess.run(cmd, cwd=work, check=True)

    disk = os.path.join(work, "disk.img")
    with open(disk, "wb") as fh:
        fh.write(b"XENBOOT-LAB-DISK")
        fh.write(os.urandom(32 * 2**20 - 16))  # random: no sparse file, a real read
    return initrd, os.path.join(work, "crash.bin"), disk


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'}: {name}{' - ' + detail if detail else ''}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def run_main(c, work, initrd, crash, disk, image):
    linux = lambda name, mode, disks: lab.GuestSpec(
        name, image, 256, disks=disks, ramdisk=initrd,
        cmdline=f"console=hvc0 loglevel=4 lab_mode={mode}")
    guests = [linux("linux", "full", [disk]), linux("linux-reboot", "reboot", []),
              lab.GuestSpec("crash", crash, 64)]
    t0 = time.monotonic()
    with lab.Lab(os.path.join(work, "main"), guests) as L:
        c.check("dom0 ready", True, f"{L.timings['dom0_ready']:.1f} s after QEMU start, "
                f"QEMU -m {L.qemu_memory_mib}, dom0_mem {L.dom0_memory_mib}M")
        domid = L.wait_guest_start(60)
        c.check("guest linux started", domid > 0, f"domid {domid}")
        L.console.expect("GUEST-HELLO mode=full", 60)
        c.check("guest output reaches the host", True,
                f"{L.elapsed() - L.timings['start:linux']:.1f} s "
                "from unpause to the init's first line")
        L.console.expect(re.compile(r"GUEST-DISK: (\S+)"), 30)
        got = L.console.last_match.group(1)
        c.check("xvda readable in the guest", got == b"XENBOOT-LAB-DISK".hex(), got)
        L.console.expect(re.compile(r"GUEST-DD: (\d+) sectors in ([\d.]+) s"), 60)
        sectors, secs = L.console.last_match.groups()
        mib = int(sectors) / 2048
        c.check("xvda size", mib == 32, f"{mib:g} MiB read in {float(secs):.2f} s "
                f"({mib / max(float(secs), 1e-3):.0f} MiB/s, dd bs=1M, page cache cold)")
        L.console.expect("GUEST-INPUT?", 30)
        L.console.sendline("ping 123")
        L.console.expect("GUEST-ECHO: [ping 123]", 30)
        c.check("console input reaches the guest", True)
        L.console.expect("GUEST-RAW-READY", 30)
        L.console.send(b"a\rb\n")
        L.console.expect("GUEST-RAW-IN: 610d620a", 30)
        c.check("input bytes arrive unchanged (\\r and \\n)", True)
        L.console.expect("GUEST-RAW-OUT:a\nb\r\n", 30)
        c.check("output bytes arrive unchanged (\\n and \\r\\n)", True)
        L.console.expect("GUEST-BYE", 30)
        reason = L.wait_guest_end(60)
        c.check("poweroff detected", reason == "poweroff", reason)

        L.wait_guest_start(60)
        L.console.expect("GUEST-HELLO mode=reboot", 60)
        L.console.expect("GUEST-INPUT?", 30)
        L.console.sendline("second guest")
        L.console.expect("GUEST-ECHO: [second guest]", 30)
        reason = L.wait_guest_end(60)
        c.check("reboot detected (second guest, same console)", reason == "reboot", reason)

        L.wait_guest_start(60)
        reason = L.wait_guest_end(60)
        c.check("crash detected (bare-metal guest, 64 MiB)", reason == "crash", reason)
        status = L.wait_done(60)
        c.check("QEMU exits after dom0's poweroff", status == 0, f"status {status}")
    t = L.timings
    c.check("whole run", True, f"{time.monotonic() - t0:.1f} s wall time; since QEMU start: "
            + ", ".join(f"{k} {v:.1f}" for k, v in t.items()) + f"; logs in {L.log_dir}")


def run_c_xenstored(c, work, crash):
    t0 = time.monotonic()
    with lab.Lab(os.path.join(work, "cxenstored"), [lab.GuestSpec("crash", crash, 64)],
                 xenstored="xenstored") as L:
        reason = L.wait_guest_end(60)
        L.wait_done(60)
    c.check("C xenstored works too", reason == "crash", f"{time.monotonic() - t0:.1f} s")


def run_cli(c, work, initrd, image):
    t0 = time.monotonic()
    cli = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab.py")
    p = subprocess.run([sys.executable, cli, "interactive", "--kernel", image, "--memory", "256",
                        "--ramdisk", initrd, "--cmdline", "console=hvc0 loglevel=4 lab_mode=plain",
                        "--workdir", os.path.join(work, "cli"), "--timeout", "120"],
                       input=b"from the pipe\n", capture_output=True, timeout=300)
    out = p.stdout.decode(errors="replace")
    ok = p.returncode == 0 and "GUEST-ECHO: [from the pipe]" in out and \
        "guest ended: poweroff" in p.stderr.decode(errors="replace")
    c.check("interactive CLI with piped stdin", ok, f"{time.monotonic() - t0:.1f} s"
            if ok else f"status {p.returncode}\n{out[-2000:]}\n{p.stderr.decode()[-2000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default=os.path.join(lab.lab_dir(), "selftest"))
    args = ap.parse_args()
    t0 = time.monotonic()
    lab.ensure_setup()
    c = Checks()
    c.check("setup", True, f"{time.monotonic() - t0:.1f} s")
    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    image = os.path.join(lab.lab_dir(), "Image")
    initrd, crash, disk = build_guest_files(work, lab.lab_dir())
    for step in (lambda: run_main(c, work, initrd, crash, disk, image),
                 lambda: run_c_xenstored(c, work, crash),
                 lambda: run_cli(c, work, initrd, image)):
        try:
            step()
        except lab.LabError as e:
            c.check("lab run", False, str(e))
    print(f"selftest: {time.monotonic() - t0:.1f} s wall time")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
