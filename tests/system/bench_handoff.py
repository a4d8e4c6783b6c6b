#!/usr/bin/env python3
"""Benchmark: xenboot's hand-off with two PV disks and one vif, all three connected (issue 17
item 3). Each guest stops at the prompt (bootdelay=-1), connects its vif (`dhcp`), loads the
sample disk's kernel and initrd and runs booti; the figures are xenboot's own: the hand-off
line of the boot-time breakdown and, where the firmware prints it, the "xenboot: hand-off:"
line (the reset dances closed together, the slowest backend's answer per step, the other
phases, the XenStore requests). Linux then reads its disk and powers off, which shows the
hand-off was clean. Times come from a QEMU TCG lab: on a loaded machine they vary a lot;
the request counts do not.

usage: bench_handoff.py [--firmware build/fw/xenboot.bin ...] [--repeat 2]
With --firmware given more than once (before/after a change), the guests of one lab run
alternate between them (A, B, A, B, ...: each gets REPEAT guests) and the summary gives
each firmware's medians, so both are measured under the same load.
Asserts nothing beyond the run itself: a benchmark, not a test.
"""

import argparse
import re
import statistics
import sys

import sample_disk
from harness import FIRMWARE, NET_MAC, bench_dir, guest_end, labmod

BREAKDOWN = re.compile(r"xenboot: boot time: [^\r\n]*hand-off (\d+) ms")
DETAIL = re.compile(r"xenboot: hand-off: ([^\r\n]*)")
# Figures of the detail line summarised per firmware (a line without one is skipped).
PARTS = {"dance": re.compile(r"closed together in (\d+) ms"), "Closed answer": re.compile(r"Closed (\d+), "),
         "release": re.compile(r"release (\d+) ms")}
LINUX_UP = "XENBOOT-GUEST: linux up"


def one_guest(lab, name):
    """Drives one guest to Linux; returns (hand-off ms, detail line or None, how it ended)."""
    c = lab.console
    lab.wait_guest_start(timeout=300)
    c.expect("=> ", 180)
    c.sendline("setenv autoload no; dhcp")
    c.expect(re.compile(r"DHCP client bound to address"), 180)
    c.expect("=> ", 60)
    c.sendline("load pvblock 0:1 ${kernel_addr_r} /boot/Image && load pvblock 0:1 ${ramdisk_addr_r} "
               "/boot/initrd.img; pvblock info; pvnet info")
    c.expect(re.compile(r"\d+ bytes read in \d+ ms"), 180)
    c.expect(re.compile(r"\d+ bytes read in \d+ ms"), 180)
    c.expect("=> ", 60)
    c.sendline('setenv bootargs "console=hvc0 xbtest=poweroff"; booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize}')
    c.expect("Starting kernel ...", 120)
    c.expect(BREAKDOWN, 150)
    ms = int(c.last_match.group(1))
    text = c.output()
    tail = text[text.rfind("Starting kernel ..."):]
    m = DETAIL.search(tail)
    clean = "warning" not in tail and "refused" not in tail
    try:
        c.expect(LINUX_UP, 300)
        c.expect("disk signature OK", 120)
        linux = "Linux read its disk"
    except labmod.LabError as e:
        linux = f"Linux did not come up: {e}"
    end = guest_end(lab, 120)
    return ms, (m.group(1) if m else None), f"{'clean' if clean else 'WARNINGS'}, {linux}, {end}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--firmware", action="append", default=None)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    firmwares = args.firmware or [FIRMWARE]
    work = bench_dir("handoff")
    ext4 = sample_disk.build("mbr-ext4", log=None)
    fat = sample_disk.build("gpt-fat", log=None)
    guests = [labmod.GuestSpec(f"handoff-{i}", kernel=firmwares[i % len(firmwares)], memory_mib=256,
                               cmdline="bootdelay=-1", disks=[ext4.path, fat.path], vifs=[NET_MAC])
              for i in range(args.repeat * len(firmwares))]
    results = []
    with labmod.Lab(work, guests) as lab:
        for spec in guests:
            try:
                results.append((spec.kernel, spec.name, *one_guest(lab, spec.name)))
            except labmod.LabError as e:
                results.append((spec.kernel, spec.name, None, None, f"lab error: {e}"))
        lab.wait_done(timeout=120)
    print("hand-off with 2 PV disks + 1 vif, all connected (xenboot's clock; QEMU TCG lab):")
    for fw, name, ms, detail, how in results:
        print(f"  {name} ({fw}): hand-off {ms} ms ({how})")
        if detail:
            print(f"    {detail}")
    for fw in firmwares:
        mine = [(ms, detail) for f, _, ms, detail, _ in results if f == fw and ms is not None]
        if not mine:
            continue
        line = f"{fw}: median hand-off {statistics.median([ms for ms, _ in mine])} ms"
        for part, rx in PARTS.items():
            got = [int(m.group(1)) for _, d in mine if d and (m := rx.search(d))]
            if got:
                line += f", {part} {statistics.median(got)} ms"
        print(f"{line} over {len(mine)} run(s)")
    return 0 if all(ms is not None for _, _, ms, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
