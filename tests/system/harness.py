"""What the system tests and benchmarks share (tests/system/test_*.py, bench_*.py,
check_sample_disks.py), so that none of them imports from another:

- paths: REPO, FIRMWARE (build/fw/xenboot.bin), systest_dir(name) and bench_dir(name)
  (build/systest/NAME, build/bench/NAME, created);
- the lab modules: labmod (tests/system/lab/lab.py), boottime, guestfiles;
- checks: Checks (check() prints one PASS/FAIL line and counts it), expect() (a console
  match as a check), guest_end() (how the guest ended, a lab failure as a reason),
  relocaddr() (where xenboot runs, from bdinfo);
- a lab run: run_in_lab() (a failing lab is one FAIL, returns the wall time);
- the closing lines: summary() ("N passed, N failed" and the exit status);
- figures: print_figures() (a test's measured values), read_rate() (MiB/s of one of
  xenboot's "N bytes read in M ms" commands) and Figures (a benchmark's runs per label,
  each median printed side by side with the reference's).
"""

import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lab"))
import boottime  # noqa: E402,F401  (offered to the tests)
import guestfiles  # noqa: E402,F401
import lab as labmod  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIRMWARE = os.path.join(REPO, "build", "fw", "xenboot.bin")
MIB = 2**20


def systest_dir(name):
    """build/systest/NAME, created: a test's work directory (its disks, lab logs)."""
    path = os.path.join(REPO, "build", "systest", name)
    os.makedirs(path, exist_ok=True)
    return path


def bench_dir(name):
    """build/bench/NAME, created: a benchmark's work directory."""
    path = os.path.join(REPO, "build", "bench", name)
    os.makedirs(path, exist_ok=True)
    return path


class Checks:
    """Counts named checks and prints one line for each: "PASS: name" or "FAIL: name:
    detail" (with details_on_pass, a passing check's detail is printed too: for checks
    whose detail is a measured value worth seeing)."""

    def __init__(self, details_on_pass=False):
        self.passed = 0
        self.failed = 0
        self.details_on_pass = details_on_pass

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        shown = detail if (detail and (not ok or self.details_on_pass)) else ""
        print(f"{'PASS' if ok else 'FAIL'}: {name}{': ' + str(shown) if shown else ''}", flush=True)
        return ok


def expect(checks, console, name, pattern, timeout=30.0):
    """console.expect as a check: True if seen, a FAIL line with the output if not."""
    try:
        console.expect(pattern, timeout)
        return checks.check(name, True)
    except labmod.LabError as e:
        return checks.check(name, False, str(e))


def guest_end(lab, timeout=60):
    """How the current guest ended ("poweroff", ...), or "error: ..." if the lab failed."""
    try:
        return lab.wait_guest_end(timeout=timeout)
    except labmod.LabError as e:
        return f"error: {e}"


def relocaddr(checks, c):
    """Where xenboot runs (bdinfo's relocaddr), after the prompt is back; None if not seen."""
    c.sendline("bdinfo")
    if not expect(checks, c, "bdinfo relocaddr", re.compile(r"relocaddr   = 0x([0-9a-f]{16})")):
        return None
    reloc = int(c.last_match.group(1), 16)
    expect(checks, c, "prompt after bdinfo", "=> ")
    return reloc


def run_in_lab(checks, workdir, guests, body):
    """Runs body(lab) in a lab of `guests` and waits for the lab to finish; a lab that
    fails is one FAIL. Returns the wall time of the whole lab run, in seconds."""
    t0 = time.monotonic()
    try:
        with labmod.Lab(workdir, guests) as lab:
            body(lab)
            lab.wait_done(timeout=120)
    except labmod.LabError as e:
        checks.check("lab ran to the end", False, str(e))
    return time.monotonic() - t0


def summary(checks, workdir=None):
    """The closing lines every system test prints (where the lab's logs are, if
    workdir is given; then "N passed, N failed"); returns the exit status: 0 only if
    something passed and nothing failed."""
    if workdir is not None:
        print(f"logs: {os.path.join(workdir, 'logs')}")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


def print_figures(figures, title="figures"):
    """A test's measured values under a "--- title ---" line: a dict (one "key: value"
    line each) or a list of lines."""
    print(f"--- {title} ---")
    for item in figures:
        print(f"{item}: {figures[item]}" if isinstance(figures, dict) else item)


RATE = re.compile(r"(\d+) bytes read in (\d+) ms")


def read_rate(console, cmd, timeout=120):
    """Runs one of xenboot's reading commands (pvblock read, load, ...) and returns its
    rate in MiB/s from its own "N bytes read in M ms" (M taken as at least 1 ms), once
    the prompt is back. Raises lab.LabError as Console.expect does."""
    console.sendline(cmd)
    console.expect(RATE, timeout)
    nbytes, ms = int(console.last_match.group(1)), max(int(console.last_match.group(2)), 1)
    console.expect("=> ", 60)
    return nbytes / MIB / (ms / 1000)


class Figures:
    """A benchmark's figures: the runs of each label (in the order first added), each
    reported as its median side by side with the median of the reference label, as a
    ratio (throughputs: "0.95x Linux") or a difference (times: "+1.20 s against xl")."""

    def __init__(self, reference, unit):
        self.reference, self.unit = reference, unit
        self.runs = {}

    def add(self, label, value):
        self.runs.setdefault(label, []).append(value)

    def median(self, label):
        return statistics.median(self.runs[label])

    def print_table(self, title, reference_name, difference=False):
        """Prints title, then one line per label: median, its comparison with the
        reference's median, and every run."""
        ref = self.median(self.reference)
        width = max(len(label) for label in self.runs)
        print(f"\n{title}")
        for label, runs in self.runs.items():
            med = self.median(label)
            if difference:
                versus = f"{med - ref:+.2f} {self.unit} against {reference_name}"
            else:
                versus = f"{med / ref:4.2f}x {reference_name}"
            shown = ", ".join(f"{r:.1f}" if not difference else f"{r:.2f}" for r in runs)
            print(f"  {label:{width}s} {med:7.{2 if difference else 1}f} {self.unit}  ({versus})  runs: {shown}")


# --- the lab's network (issue 15): a Linux guest with a vif, and files to serve ----------
NET_MAC = labmod.DEFAULT_MAC
NET_DOM0 = labmod.NET_DOM0_IP
NET_PROMPT = "NET-CMD?"
# /init of the Linux net guest: brings eth0 up with /bin/lab-net (guestfiles.py), then runs
# each line the host sends (echo off), printing NET-CMD? before and "NET-RC <rc>" after.
# "poweroff" ends it.
NET_LINUX_INIT = r"""#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o size=200m tmpfs /tmp
echo "NET-GUEST: linux up"
for m in $(cat /modules); do insmod "$m"; done
lab-net
stty -echo
while :; do
  echo "NET-CMD?"
  read -r line || break
  [ "$line" = poweroff ] && break
  eval "$line"
  echo "NET-RC $?"
done
poweroff -f
"""
NET_LINUX_APPLETS = ("sh", "mount", "cat", "echo", "insmod", "sleep", "stty", "poweroff", "cut",
                     "awk", "head", "od", "dd", "uname", "dmesg", "timeout")


def net_linux_initramfs(work):
    """The Linux net guest's initramfs (busybox, xen-blkfront + xen-netfront, lab-net,
    lab-xfer, NET_LINUX_INIT as /init) in work/; returns its path."""
    return guestfiles.guest_initramfs(os.path.join(work, "net-guest.cpio"), labmod.lab_dir(),
                                      NET_LINUX_INIT, NET_LINUX_APPLETS, net=True)


def net_linux_guest(name, initrd, net=None, memory_mib=320):
    """A Linux DomU (the lab's Debian kernel, net_linux_initramfs) with one vif (NET_MAC)."""
    return labmod.GuestSpec(name, os.path.join(labmod.lab_dir(), "Image"), memory_mib,
                            ramdisk=initrd, cmdline="console=hvc0 loglevel=4",
                            vifs=[NET_MAC], net=net)


def net_guest_cmd(console, line, pattern, timeout=120.0):
    """At the net guest's NET-CMD? prompt: runs `line`, waits for pattern (its match is in
    console.last_match), then for "NET-RC <rc>"; returns rc. Raises lab.LabError."""
    console.expect(NET_PROMPT, 60)
    console.sendline(line)
    console.expect(pattern, timeout)
    m = console.last_match
    console.expect(re.compile(r"NET-RC (\d+)"), 60)
    rc = int(console.last_match.group(1))
    console.last_match = m
    return rc


def random_file(path, size, seed=0x5eed):
    """A file of `size` pseudo-random bytes (seeded: the same bytes each time, nothing
    compressible or sparse); returns its md5 hex digest. Rewritten only if it differs."""
    import hashlib
    import random
    rng = random.Random(seed)
    data = rng.randbytes(size)
    md5 = hashlib.md5(data).hexdigest()
    try:
        with open(path, "rb") as f:
            if hashlib.md5(f.read()).hexdigest() == md5:
                return md5
    except OSError:
        pass
    with open(path, "wb") as f:
        f.write(data)
    return md5
