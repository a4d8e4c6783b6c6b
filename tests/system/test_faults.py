#!/usr/bin/env python3
"""System test of a backend that dies under xenboot (issue 14): dom0 destroys the backend of
a guest's first disk in the middle of a large `load` from it.

Each guest has two bootable sample disks (tests/system/sample_disk.py): xvda "mbr-ext4-big"
(with /boot/big.bin, BIG_FILE_MIB of data) and xvdb "mbr-ext4-xvdb" (its labels tell the
booted Linux to check /dev/xvdb). At the prompt xenboot loads big.bin from pvblock 0 over
and over; once the first load has finished (the transfers run), dom0 force-detaches xvda
(`xl block-detach --force`: libxl removes the frontend and backend XenStore nodes at once,
blkback tears its side down, and the ring goes silent mid-transfer). Then:
  - xenboot reports the failed device (an error naming vbd 51712) and the prompt comes back;
  - `bootflow scan -lb` boots Linux from the second disk; Linux reads /dev/xvdb (its
    signature), shows no hand-off trouble and powers off.
XB_FAULT_RUNS=N (default 1) repeats the scenario in N guests of one lab run.
Prints PASS/FAIL lines and "N passed, N failed".
"""

import os
import re
import sys
import time

import sample_disk
from harness import (FIRMWARE, Checks, expect, guest_end, labmod, print_figures, run_in_lab, summary,
                     systest_dir)

LINUX_UP = "XENBOOT-GUEST: linux up"
BAD_LINUX = re.compile(r"(BUG|Oops|panic|not responding|timeout|Failed to map shared_info|gnttab.*fail)", re.I)
DETACH = "xl block-detach --force $DOMID xvda"
LOAD_LOOP = ("while load pvblock 0:1 ${kernel_addr_r} /boot/big.bin; do echo FAULT-LOAD-AGAIN; done; "
             "echo FAULT-LOAD-ENDED")
# What xenboot says when the disk's ring goes silent or the device disappears: it names the
# device (blkfront's messages start with "vbd <vdev>").
FAILED_DEVICE = re.compile(r"[^\n]*vbd 51712: [^\n]*")


def fault_guest(checks, lab, run, figures):
    c = lab.console
    name = f"run {run}"
    lab.wait_guest_start(timeout=600)   # dom0 copies both disks into its RAM first
    if not expect(checks, c, f"{name}: prompt (bootdelay=-1)", "=> ", 120):
        return
    c.sendline(LOAD_LOOP)
    if not expect(checks, c, f"{name}: first load of big.bin done (the transfers run)",
                  re.compile(r"(\d+) bytes read in (\d+) ms"), 240):
        return
    m = c.last_match
    figures.append(f"{name}: load of {int(m.group(1)) >> 20} MiB took {m.group(2)} ms")
    # The next load is under way (the loop goes straight on): destroy disk 0's backend now.
    t0 = time.monotonic()
    rc, out = lab.dom0_run(DETACH, timeout=120)
    checks.check(f"{name}: dom0 force-detaches xvda ({DETACH})", rc == 0, out)
    figures.append(f"{name}: {DETACH} took {time.monotonic() - t0:.1f} s")
    if expect(checks, c, f"{name}: xenboot reports the failed device", FAILED_DEVICE, 120):
        figures.append(f"{name}: error: {c.last_match.group(0).strip()}")
    expect(checks, c, f"{name}: the load loop ends", "FAULT-LOAD-ENDED", 60)
    expect(checks, c, f"{name}: prompt comes back", "=> ", 60)
    c.sendline("bootflow scan -lb")
    expect(checks, c, f"{name}: bootflow scan finds the second disk",
           "Found /boot/extlinux/extlinux.conf on pvblock 1:1 (ext4)", 180)
    expect(checks, c, f"{name}: hand-off begins", "Starting kernel ...", 180)
    if expect(checks, c, f"{name}: Linux starts", LINUX_UP, 240):
        expect(checks, c, f"{name}: Linux reads its PV disk xvdb (signature OK)",
               f"disk signature OK {sample_disk.signature('mbr-ext4-xvdb')}", 120)
        text = c.output()
        linux = text[text.rfind("Starting kernel ..."):]
        bad = BAD_LINUX.search(linux)
        checks.check(f"{name}: Linux log shows no hand-off trouble", bad is None,
                     bad and linux[max(0, bad.start() - 200):bad.end() + 200])
    end = guest_end(lab, 120)
    checks.check(f"{name}: guest powered off by Linux", end == "poweroff", end)


def main():
    runs = int(os.environ.get("XB_FAULT_RUNS", "1"))
    work = systest_dir("faults")
    checks = Checks()
    big = sample_disk.build("mbr-ext4-big", log=None).path
    second = sample_disk.build("mbr-ext4-xvdb", log=None).path
    guests = [labmod.GuestSpec(f"fault-{i + 1}", kernel=FIRMWARE, memory_mib=512, disks=[big, second],
                               cmdline="bootdelay=-1") for i in range(runs)]
    figures = []

    def body(lab):
        for i in range(runs):
            fault_guest(checks, lab, i + 1, figures)

    run_in_lab(checks, work, guests, body)
    print_figures(figures)
    return summary(checks, work)


if __name__ == "__main__":
    sys.exit(main())
