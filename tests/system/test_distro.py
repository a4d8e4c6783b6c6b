#!/usr/bin/env python3
"""System test of issues 11 and 12: xenboot boots distribution-style disks (GRUB configs generated
by the real grub-mkconfig, ESP stubs, BLS entries) with no key pressed.

Disks from tests/system/distro_disks.py (needs root: grub-mkconfig runs in unshare -m):
  1. debian      p15 ESP stub -> p1 /boot/grub/grub.cfg, plain Image
  2. ubuntu      p15 ESP stub -> p16 /grub/grub.cfg, gzip'd Image
  3. fedora-bls  p1 ESP stub -> p2 /grub2/grub.cfg, blscfg, grubenv kernelopts/saved_entry
  4. alma        p1 ESP stub -> p2 XFS /grub2/grub.cfg, blscfg, $kernelopts, gzip'd Image
  5. fedora      p1 ESP stub -> p2 btrfs /root/boot/grub2/grub.cfg (subvolume root, zstd),
                 blscfg with blsdir from grubenv, $kernelopts, zboot kernel
For each: the GRUB menu is listed and counts down, the default entry boots, Linux prints
on hvc0, its command line is the default entry's plus `console=hvc0` (the entries name only
tty0/ttyS0, which a Xen guest lacks: xenboot appends it and says so), and it reads its own
disk (signature OK).
  6. grub-bad    at the prompt, `bootflow scan -lb` meets four broken ESP configs (unbalanced
     braces, a configfile loop, a search matching nothing, a missing kernel): each gives a
     clear message naming its file and the scan falls through to the good config, which boots.
Prints PASS/FAIL lines and "N passed, N failed".
"""

import re
import sys

import distro_disks
from harness import FIRMWARE, Checks, expect, guest_end, labmod, run_in_lab, summary, systest_dir

LINUX_UP = "XENBOOT-GUEST: linux up"
CMDLINE = re.compile(r"XENBOOT-GUEST: cmdline: ([^\r\n]*)")
# xenboot's menu countdown (bootflow/boot_menu.cpp): "Booting entry 0 in  2 s; press a key
# for the menu".
COUNTDOWN = re.compile(r"Booting entry \S+ in +\d+ s; press a key for the menu")
CONSOLE_NOTE = re.compile(r"(?i)console=hvc0")


def console_fixup_checks(checks, c, name, disk, since):
    """The hand-off note about console=hvc0 and the command line Linux received."""
    text = c.output()[since:]
    before_linux = text[:text.find(LINUX_UP)] if LINUX_UP in text else text
    note = [line for line in before_linux.splitlines()
            if CONSOLE_NOTE.search(line) and "XENBOOT-GUEST" not in line and "Kernel command line" not in line]
    checks.check(f"{name}: xenboot says it appends console=hvc0", bool(note),
                 "no line about console=hvc0 before Linux started")
    m = CMDLINE.search(text)
    got = m.group(1).split() if m else None
    want = disk.cmdline.split() + ["console=hvc0"]
    checks.check(f"{name}: Linux's command line is the default entry's + console=hvc0", got == want,
                 f"got {got}, want {want}")


def linux_ran(checks, lab, name, disk, since, up_timeout=240):
    c = lab.console
    if expect(checks, c, f"{name}: Linux prints on hvc0", LINUX_UP, up_timeout):
        expect(checks, c, f"{name}: Linux reads its own disk (signature OK)",
               f"disk signature OK {disk.signature}", 120)
        console_fixup_checks(checks, c, name, disk, since)
    end = guest_end(lab)
    checks.check(f"{name}: guest powered off by Linux", end == "poweroff", end)


def autoboot_guest(checks, lab, name, disk, found):
    """No key pressed: the menu, its countdown, the default entry, Linux."""
    c = lab.console
    lab.wait_guest_start(timeout=120)
    since = len(c.output())
    expect(checks, c, f"{name}: grub.cfg found", found, 180)
    expect(checks, c, f"{name}: menu lists the default entry '{disk.default_title}'", disk.default_title, 60)
    for title in disk.titles[1:]:
        checks.check(f"{name}: menu lists '{title}'", title in c.output()[since:] or
                     _seen_later(c, title), "not listed")
    expect(checks, c, f"{name}: menu counts down", COUNTDOWN, 60)
    expect(checks, c, f"{name}: hand-off begins", "Starting kernel ...", 240)
    linux_ran(checks, lab, name, disk, since)


def _seen_later(c, text, timeout=20):
    try:
        c.expect(text, timeout)
        return True
    except labmod.LabError:
        return False


# What each broken config in the grub-bad disk must make xenboot say, on one line with
# its file's path: (path, what, the message as loader/grub words it).
BAD = [
    ("/EFI/a-braces/grub.cfg", "unbalanced braces", re.compile(r"syntax error: '\{' without '\}'")),
    ("/EFI/b-loop/grub.cfg", "configfile loop", re.compile(r"configfile loop: more than \d+ nested files")),
    ("/EFI/c-nosearch/grub.cfg", "a search that matches nothing",
     re.compile(r"no such device: " + re.escape(distro_disks.MISSING_UUID))),
    ("/EFI/d-missing/grub.cfg", "a missing kernel",
     re.compile(r"file '\(hd0,gpt1\)/boot/no-such-vmlinuz' not found")),
]


def bad_guest(checks, lab, disk):
    c = lab.console
    name = "bad configs"
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, f"{name}: prompt (bootdelay=-1)", "=> ", 120):
        return
    since = len(c.output())
    c.sendline("bootflow scan -lb")
    # The good config boots last; the messages about the broken ones come before it, in
    # whatever order the scan meets them.
    up = expect(checks, c, f"{name}: the scan falls through to the good grub.cfg: Linux up", LINUX_UP, 300)
    text = c.output()[since:]
    before = text[:text.find(LINUX_UP)] if up else text
    for path, what, pattern in BAD:
        lines = [line for line in before.splitlines() if path in line or path.lower() in line.lower()]
        # The path itself ("b-loop") must not count as the message.
        said = [line.replace(path, "").replace(path.lower(), "") for line in lines]
        checks.check(f"{name}: {what} ({path}) reported", any(pattern.search(line) for line in said),
                     f"lines naming it: {lines}")
    if up:
        expect(checks, c, f"{name}: Linux reads its own disk", f"disk signature OK {disk.signature}", 120)
        console_fixup_checks(checks, c, name, disk, since)
    end = guest_end(lab)
    checks.check(f"{name}: guest powered off by Linux", end == "poweroff", end)


def main():
    work = systest_dir("distro")
    checks = Checks()
    autoboot = ("debian", "ubuntu", "fedora-bls", "alma", "fedora")
    disks = {layout: distro_disks.build(layout, log=None) for layout in autoboot + ("grub-bad",)}
    fw = dict(kernel=FIRMWARE, memory_mib=256)
    guests = [labmod.GuestSpec(f"distro-{layout}", disks=[disks[layout].path], cmdline="bootdelay=0", **fw)
              for layout in autoboot]
    guests.append(labmod.GuestSpec("distro-grub-bad", disks=[disks["grub-bad"].path], cmdline="bootdelay=-1", **fw))

    def body(lab):
        autoboot_guest(checks, lab, "debian", disks["debian"], re.compile(r"(/EFI/debian|/boot/grub)/grub\.cfg"))
        autoboot_guest(checks, lab, "ubuntu", disks["ubuntu"], re.compile(r"(/EFI/ubuntu|/grub)/grub\.cfg"))
        autoboot_guest(checks, lab, "fedora-bls", disks["fedora-bls"], re.compile(r"(/EFI/fedora|/grub2)/grub\.cfg"))
        autoboot_guest(checks, lab, "alma (XFS)", disks["alma"], re.compile(r"(/EFI/almalinux|/grub2)/grub\.cfg"))
        autoboot_guest(checks, lab, "fedora (btrfs)", disks["fedora"],
                       re.compile(r"(/EFI/fedora|/root/boot/grub2)/grub\.cfg"))
        bad_guest(checks, lab, disks["grub-bad"])

    run_in_lab(checks, work, guests, body)
    return summary(checks, work)


if __name__ == "__main__":
    sys.exit(main())
