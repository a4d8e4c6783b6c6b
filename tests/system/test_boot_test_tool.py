#!/usr/bin/env python3
"""System test of the user-facing tools of issue 16: scripts/boot-test and scripts/build-deb.

  1. boot-test on the mbr-ext4 sample disk where every step holds: xenboot stops at its
     prompt (cmdline bootdelay=-1), a --send/--after pair runs a command there, another
     boots the disk, and Linux's markers appear. Exit 0, a JUnit file naming every passed
     case, the logs and the xl config in --log-dir.
  2. boot-test where one expectation cannot hold (the sample Linux powers off without
     printing it): exit 1, the output names the failed expectation and shows the console's
     last lines, the JUnit file marks that case failed. The guest's end fails it at once,
     not at --timeout.
  3. boot-test with a missing disk, a directory as disk and a bad option: exit 2 within
     seconds, before any QEMU starts.
  4. scripts/build-deb --lintian: the package's file list (dpkg-deb -c), its control fields,
     the firmware inside it byte for byte, and no lintian error.
Two lab runs in all (~1-2 min each). Prints PASS/FAIL lines and "N passed, N failed".
"""

import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import sample_disk
from harness import FIRMWARE, REPO, Checks, print_figures, summary, systest_dir

BOOT_TEST = os.path.join(REPO, "scripts", "boot-test")
BUILD_DEB = os.path.join(REPO, "scripts", "build-deb")
NEVER = "XENBOOT-GUEST: this line is never printed"


def run(cmd, timeout):
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return r, time.monotonic() - t0


def junit_cases(checks, path, name):
    """{case name: "passed" | "failed" | "skipped" | "error"} of a JUnit file, or None."""
    try:
        suite = ET.parse(path).getroot().find("testsuite")
    except (OSError, ET.ParseError) as e:
        checks.check(f"{name}: JUnit file parses", False, e)
        return None
    checks.check(f"{name}: JUnit file parses", suite is not None)
    cases = {}
    for case in suite.iter("testcase"):
        state = "passed"
        for kind in ("failure", "error", "skipped"):
            if case.find(kind) is not None:
                state = {"failure": "failed"}.get(kind, kind)
        cases[case.get("name")] = state
    return cases


def log_files(checks, name, log_dir, files):
    for f in files:
        path = os.path.join(log_dir, f)
        checks.check(f"{name}: {f} in --log-dir", os.path.isfile(path) and os.path.getsize(path) > 0)


def passing_run(checks, work, disk, figures):
    name = "pass"
    log_dir, junit = os.path.join(work, "logs-pass"), os.path.join(work, "pass.xml")
    cmd = [BOOT_TEST, "--disk", disk, "--memory", "256", "--cmdline", "bootdelay=-1",
           "--send", "setenv x boot; echo ${x}-test-ok", "--after", "=> ",
           "--expect", "boot-test-ok",
           "--send", "boot", "--after", "=> ",
           "--expect", "Starting kernel ...",
           "--expect", "XENBOOT-GUEST: linux up",
           "--expect-re", r"disk signature OK XENBOOT-SAMPLE-DISK:mbr-ext4\b",
           "--timeout", "300", "--junit", junit, "--log-dir", log_dir]
    r, secs = run(cmd, 900)
    figures["boot-test, all steps hold"] = f"{secs:.1f} s"
    out = r.stdout + r.stderr
    checks.check(f"{name}: exit status 0", r.returncode == 0, f"{r.returncode}\n{out[-4000:]}")
    for stage in ("QEMU up", "Xen booted", "dom0 ready", "guest created", "first guest output"):
        checks.check(f"{name}: progress shows '{stage}' with its time",
                     re.search(r"\[\s*\d+\.\d s\] " + re.escape(stage), r.stderr) is not None)
    checks.check(f"{name}: progress shows each step matched",
                 len(re.findall(r"step \d/6: .*matched", r.stderr)) == 6 and "sent 'boot'" in r.stderr,
                 r.stderr[-3000:])
    checks.check(f"{name}: verdict PASS", "PASS: all 6 steps matched" in r.stderr)
    cases = junit_cases(checks, junit, name)
    if cases is not None:
        checks.check(f"{name}: JUnit has the 6 steps, all passed",
                     len(cases) == 6 and set(cases.values()) == {"passed"}, cases)
        checks.check(f"{name}: JUnit names the passed case",
                     cases.get("06 expect-re /disk signature OK XENBOOT-SAMPLE-DISK:mbr-ext4\\b/") == "passed",
                     cases)
    # The guest still runs when the lab is stopped: its xl.log is saved only when it ends.
    log_files(checks, name, log_dir, ["console.log", "serial.log", "qemu.log", "xl.cfg", "boot-test.log",
                                      "guests/dom0/xen-init-dom0.log"])
    try:
        with open(os.path.join(log_dir, "xl.cfg")) as f:
            cfg = f.read()
        checks.check(f"{name}: xl.cfg has the memory, cmdline and disk",
                     'memory = 256' in cfg and 'cmdline = "bootdelay=-1"' in cfg and "vdev=xvda" in cfg, cfg)
    except OSError as e:
        checks.check(f"{name}: xl.cfg readable", False, e)


def failing_run(checks, work, disk, figures):
    name = "fail"
    log_dir, junit = os.path.join(work, "logs-fail"), os.path.join(work, "fail.xml")
    cmd = [BOOT_TEST, "--disk", disk, "--memory", "256", "--cmdline", "bootdelay=0",
           "--expect", "XENBOOT-GUEST: linux up", "--expect", NEVER, "--expect", "not reached",
           "--timeout", "400", "--junit", junit, "--log-dir", log_dir]
    r, secs = run(cmd, 900)
    figures["boot-test, one step cannot hold"] = f"{secs:.1f} s"
    checks.check(f"{name}: exit status 1", r.returncode == 1, f"{r.returncode}\n{r.stderr[-4000:]}")
    checks.check(f"{name}: output names the failed expectation and why",
                 re.search(r"FAIL: expect '" + re.escape(NEVER) + r"': the guest ended \(poweroff\)", r.stderr)
                 is not None, r.stderr[-3000:])
    tail = re.search(r"--- last (\d+) console lines.*?---\n(.*?)\n---\n", r.stderr, re.S)
    checks.check(f"{name}: the console's last lines are shown (at most 40, ending in the power-off)",
                 tail is not None and 0 < int(tail.group(1)) <= 40 and
                 "XENBOOT-GUEST: powering off" in tail.group(2), r.stderr[-3000:])
    checks.check(f"{name}: failed by the guest's end, not at --timeout", secs < 400, f"{secs:.0f} s")
    cases = junit_cases(checks, junit, name)
    if cases is not None:
        checks.check(f"{name}: JUnit marks the case failed, the one before passed, the next skipped",
                     cases.get(f"02 expect {NEVER!r}") == "failed" and
                     cases.get("01 expect 'XENBOOT-GUEST: linux up'") == "passed" and
                     cases.get("03 expect 'not reached'") == "skipped", cases)
    log_files(checks, name, log_dir, ["console.log", "serial.log", "guests/boot-test/xl.log"])


def usage_errors(checks, work):
    missing = os.path.join(work, "no-such-disk.img")
    for name, args in [("missing disk", ["--disk", missing, "--expect", "x"]),
                       ("directory as disk", ["--disk", work, "--expect", "x"]),
                       ("bad option", ["--disk", missing, "--expect", "x", "--frobnicate"]),
                       ("--after without --send", ["--disk", missing, "--after", "x", "--expect", "y"])]:
        r, secs = run([BOOT_TEST, *args, "--log-dir", os.path.join(work, "logs-usage")], 60)
        checks.check(f"{name}: exit status 2 in {secs:.1f} s (< 10 s)", r.returncode == 2 and secs < 10,
                     f"{r.returncode} after {secs:.1f} s: {r.stderr[-1000:]}")
        checks.check(f"{name}: no QEMU started", "QEMU" not in r.stderr, r.stderr[-1000:])
        if name == "missing disk":
            checks.check("missing disk: the message names the path",
                         f"--disk {missing}: no such file" in r.stderr, r.stderr)


def package(checks, work, figures):
    name = "package"
    out = os.path.join(work, "deb")
    shutil.rmtree(out, ignore_errors=True)
    r, secs = run(["bash", BUILD_DEB, "--no-build", "--lintian", "--out", out], 600)
    figures["build-deb + lintian"] = f"{secs:.1f} s"
    checks.check(f"{name}: build-deb --lintian exits 0", r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:])
    debs = [f for f in os.listdir(out) if f.endswith(".deb")] if os.path.isdir(out) else []
    if not checks.check(f"{name}: one .deb named xenboot_<version>_all.deb",
                        len(debs) == 1 and re.fullmatch(r"xenboot_[0-9][^_]*_all\.deb", debs[0]) is not None, debs):
        return
    deb = os.path.join(out, debs[0])
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
    files = {line.split()[-1].lstrip(".") for line in listing.splitlines() if line.startswith("-")}
    want = {"/usr/lib/xenboot/xenboot.bin", "/usr/share/doc/xenboot/copyright",
            "/usr/share/doc/xenboot/changelog.Debian.gz", "/usr/share/doc/xenboot/examples/xenboot.cfg",
            "/usr/share/man/man7/xenboot.7.gz", "/usr/share/doc/xenboot/user-guide.md.gz",
            "/usr/share/doc/xenboot/boot-test.md.gz", "/usr/share/doc/xenboot/README.md.gz"}
    checks.check(f"{name}: dpkg-deb -c lists exactly the expected files", files == want,
                 f"missing {sorted(want - files)}, extra {sorted(files - want)}")
    checks.check(f"{name}: every entry owned by root/root",
                 all(" root/root " in line for line in listing.splitlines()), listing)
    fields = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Architecture", "Version"],
                            capture_output=True, text=True).stdout
    checks.check(f"{name}: control says Package xenboot, Architecture all",
                 "Package: xenboot" in fields and "Architecture: all" in fields, fields)
    root = os.path.join(work, "deb-root")
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    with open(os.path.join(root, "usr/lib/xenboot/xenboot.bin"), "rb") as a, open(FIRMWARE, "rb") as b:
        checks.check(f"{name}: /usr/lib/xenboot/xenboot.bin is build/fw/xenboot.bin", a.read() == b.read())
    lint = [l for l in r.stdout.splitlines() if re.match(r"[EWIN]: ", l)]
    checks.check(f"{name}: lintian reports no error", not any(l.startswith("E: ") for l in lint), lint)
    print_figures([l for l in lint if l.startswith(("E: ", "W: "))] or ["(none)"],
                  "lintian errors and warnings")


def main():
    checks = Checks()
    work = systest_dir("boot-test-tool")
    figures = {}
    usage_errors(checks, work)
    # The tool builds the firmware and sets up the lab itself (fast when done); the disk
    # comes from the sample-disk cache.
    disk = sample_disk.build("mbr-ext4", log=None).path
    passing_run(checks, work, disk, figures)
    failing_run(checks, work, disk, figures)
    package(checks, work, figures)
    print_figures(figures)
    return summary(checks)


if __name__ == "__main__":
    sys.exit(main())
