#!/usr/bin/env python3
"""System test of the main job: xenboot boots Linux from the guest's own PV disk.

Each guest runs xenboot.bin as its xl kernel with one sample disk
(tests/system/sample_disk.py), and the Linux it boots proves the clean hand-off: its
init prints a marker, loads xen-blkfront, reads /dev/xvda and checks the disk's
signature, then powers off.
  1. autoboot from extlinux.conf on an ext4 partition of an MBR disk
  2. autoboot of an Image.gz from a FAT ESP on a GPT disk (extlinux.conf)
  3. autoboot from a boot.scr made by mkimage -T script
  4. interactive: stop the countdown, load kernel and initrd by hand, booti
  5. bad cases at the prompt (missing file, bad Image magic, truncated gzip, an initrd
     that does not fit, extlinux labels that fail): each a clear error and the prompt
     back; then `bootflow scan` falls through the failing labels and boots.
Prints PASS/FAIL lines and "N passed, N failed".
"""

import re
import sys

import sample_disk
from harness import FIRMWARE, Checks, expect, guest_end, labmod, run_in_lab, summary, systest_dir

LINUX_UP = "XENBOOT-GUEST: linux up"
# Signs of an unclean hand-off in Linux's log: blkfront waiting for a backend reset,
# a failed shared_info mapping, grant table trouble.
BAD_LINUX = re.compile(r"(BUG|Oops|panic|not responding|timeout|Failed to map shared_info|gnttab.*fail)", re.I)


def linux_log_clean(checks, c, name):
    """Linux's part of the console since the hand-off has none of BAD_LINUX."""
    text = c.output()
    linux = text[text.rfind("Starting kernel ..."):]
    bad = BAD_LINUX.search(linux)
    checks.check(f"{name}: Linux log shows no hand-off trouble", bad is None,
                 bad and linux[max(0, bad.start() - 200):bad.end() + 200])


def linux_ran(checks, lab, name, layout, up="Linux starts", up_timeout=180, extra=()):
    """The booted Linux's own report: its marker, `extra` (label, pattern) checks, the
    signature it read from its PV disk, a clean log, and its power-off."""
    c = lab.console
    if expect(checks, c, f"{name}: {up}", LINUX_UP, up_timeout):
        for label, pattern in extra:
            expect(checks, c, f"{name}: {label}", pattern, 30)
        expect(checks, c, f"{name}: Linux reads its PV disk (signature OK)",
               f"disk signature OK {sample_disk.signature(layout)}", 120)
        linux_log_clean(checks, c, name)
    end = guest_end(lab)
    checks.check(f"{name}: guest powered off by Linux", end == "poweroff", end)


def autoboot_guest(checks, lab, layout, name, extra=()):
    c = lab.console
    lab.wait_guest_start(timeout=120)
    expect(checks, c, f"{name}: countdown shown", "Hit any key to stop autoboot", 120)
    for label, pattern in extra:
        expect(checks, c, f"{name}: {label}", pattern, 120)
    expect(checks, c, f"{name}: hand-off begins", "Starting kernel ...", 180)
    if expect(checks, c, f"{name}: boot-time breakdown printed",
              re.compile(r"xenboot: boot time: init \d+ ms, disks \d+ ms, config \d+ ms, load \d+ ms, inflate \d+ ms, hand-off \d+ ms"), 60):
        checks.check(f"{name}: no hand-off warnings", "hand-off warning" not in c.output())
    linux_ran(checks, lab, name, layout)


def interactive_guest(checks, lab):
    c = lab.console
    name = "interactive"
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, f"{name}: countdown shown", "Hit any key to stop autoboot", 120):
        return
    # A key stops the countdown. The first byte typed into a guest that has just
    # started can be lost on the lab's way to the console, so type until the prompt
    # shows (at most 4 s of the 5 s countdown).
    stopped = False
    for _ in range(8):
        c.send(" ")
        try:
            c.expect("=> ", 0.5)
            stopped = True
            break
        except labmod.LabError:
            pass
    if not checks.check(f"{name}: a key stops the countdown: prompt", stopped and "Booting label" not in c.output()[-2000:]):
        return
    c.sendline("load pvblock 0:1 ${kernel_addr_r} /boot/Image && load pvblock 0:1 ${ramdisk_addr_r} /boot/initrd.img")
    expect(checks, c, f"{name}: kernel loaded", re.compile(r"\d+ bytes read in \d+ ms"), 120)
    expect(checks, c, f"{name}: initrd loaded", re.compile(r"\d+ bytes read in \d+ ms"), 120)
    expect(checks, c, f"{name}: prompt after loads", "=> ", 60)
    c.sendline('setenv bootargs "console=hvc0 xbtest=poweroff"; booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize}')
    expect(checks, c, f"{name}: booti checks the Image", "## Kernel at 0x", 60)
    expect(checks, c, f"{name}: hand-off begins", "Starting kernel ...", 60)
    linux_ran(checks, lab, name, "mbr-ext4", extra=[("Linux got bootargs from booti", "xbtest=poweroff")])


def bad_guest(checks, lab):
    c = lab.console
    name = "bad cases"
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, f"{name}: prompt (bootdelay=-1)", "=> ", 120):
        return
    cases = [
        ("missing kernel file", "load pvblock 0:1 ${kernel_addr_r} /boot/no-such-Image",
         "no-such-Image: not found"),
        ("corrupted Image header", "load pvblock 0:1 ${kernel_addr_r} /boot/Image-badmagic && booti ${kernel_addr_r}",
         "not an arm64 Image"),
        ("truncated gzip", "load pvblock 0:1 ${kernel_addr_r} /boot/Image-truncated.gz && booti ${kernel_addr_r}",
         "truncated gzip data"),
        ("initrd that does not fit (as a label, with the device tree area lowered)",
         "setenv fdt_save ${fdt_addr_r}; setexpr fdt_addr_r ${ramdisk_addr_r} + 1000000; "
         "setenv extlinux_label big-initrd; bootflow scan -b; setenv fdt_addr_r ${fdt_save}; setenv extlinux_label",
         "does not fit at $ramdisk_addr_r"),
        ("initrd beyond RAM", "booti ${kernel_addr_r} 7f000000:1000000", "not in RAM"),
    ]
    for label, cmd, pattern in cases:
        c.sendline(cmd)
        expect(checks, c, f"{name}: {label}: clear error", pattern, 120)
        expect(checks, c, f"{name}: {label}: prompt comes back", "=> ", 120)
    # The default label fails, then the others in file order, until one boots.
    c.sendline("bootflow scan -b")
    expect(checks, c, f"{name}: default label fails: kernel missing", "label 'missing-kernel'", 120)
    expect(checks, c, f"{name}: next label: initrd missing", "label 'missing-initrd'", 120)
    expect(checks, c, f"{name}: bad magic refused", "label 'bad-magic'", 120)
    expect(checks, c, f"{name}: truncated gzip refused", "label 'truncated-gz'", 120)
    expect(checks, c, f"{name}: label without kernel reported", "label 'no-kernel-line'", 120)
    linux_ran(checks, lab, name, "mbr-ext4-bad", up="a working label boots Linux", up_timeout=240)


def main():
    firmware = FIRMWARE
    work = systest_dir("boot")
    checks = Checks()
    disks = {layout: sample_disk.build(layout, log=None).path for layout in
             ("mbr-ext4", "gpt-fat", "bootscr", "mbr-ext4-bad")}
    fw = dict(kernel=firmware, memory_mib=256)
    guests = [
        labmod.GuestSpec("boot-mbr-ext4", disks=[disks["mbr-ext4"]], cmdline="bootdelay=1", **fw),
        labmod.GuestSpec("boot-gpt-fat", disks=[disks["gpt-fat"]], cmdline="bootdelay=0", **fw),
        labmod.GuestSpec("boot-bootscr", disks=[disks["bootscr"]], cmdline="bootdelay=0", **fw),
        labmod.GuestSpec("boot-interactive", disks=[disks["mbr-ext4"]], cmdline="bootdelay=5", **fw),
        labmod.GuestSpec("boot-bad", disks=[disks["mbr-ext4-bad"]], cmdline="bootdelay=-1",
                         kernel=firmware, memory_mib=128),
    ]

    def body(lab):
        autoboot_guest(checks, lab, "mbr-ext4", "extlinux on MBR/ext4", [
            ("extlinux.conf found", "Found /boot/extlinux/extlinux.conf on pvblock 0:1 (ext4)"),
            ("menu lists the labels", re.compile(r"(?i)2:\trescue")),
            ("default label boots", "Booting label 'linux'")])
        autoboot_guest(checks, lab, "gpt-fat", "Image.gz on GPT/FAT", [
            ("extlinux.conf found on FAT", "Found /extlinux/extlinux.conf on pvblock 0:1 (fat)"),
            ("Image.gz inflated", re.compile(r"Uncompressed \d+ bytes"))])
        autoboot_guest(checks, lab, "bootscr", "boot.scr", [
            ("boot.scr found", "Found /boot/boot.scr on pvblock 0:1 (ext4)")])
        interactive_guest(checks, lab)
        bad_guest(checks, lab)

    run_in_lab(checks, work, guests, body)
    return summary(checks, work)


if __name__ == "__main__":
    sys.exit(main())
