#!/usr/bin/env python3
"""System test of U-Boot commands as U-Boot guides use them (issue 13), on the real stack
(QEMU + Xen + dom0 blkback), booting the lab's Debian kernel with its own initramfs:

guest 1 (fdt): first a uEnv.txt as U-Boot boards' scripts use it (`load ... uEnv.txt;
  env import -t ${scriptaddr} ${filesize}; run uenvcmd`): its variables must be set, its
  command must run, and its `xbt_bootargs` become the kernel's command line below. Then
  the Xen wiki's device-tree steps, typed at the prompt. The device tree
  is "loaded" as U-Boot's fdt doc does it (`fdt addr -c`, copied with cp.b to
  ${fdt_addr_r}), then `setenv dom0_addr ${ramdisk_addr_r}; fdt addr ${fdt_addr_r};
  fdt resize; fdt set /chosen xen,xen-bootargs "..."; fdt mknod /chosen module; fdt set
  /chosen/module compatible "xen,linux-zimage" "xen,multiboot-module"; fdt set
  /chosen/module reg <0x0 ${dom0_addr} 0x0 0x${filesize}>`, then booti with that tree.
  Linux's /init prints /proc/device-tree: every edit must have arrived, the `reg` cells
  equal to the address and size used. The same guest also dumps its unedited tree
  (md.b), which the host puts into guest 2's FIT.
guest 2 (FIT): one FIT on the disk (mkimage -f: gzip kernel, the initramfs, that device
  tree with a marker property, sha256 and crc32 hashes), `load` then `bootm`; Linux must
  come up from the FIT's initramfs and see the FIT's tree and the bootargs.

Prints PASS/FAIL lines and "N passed, N failed"; exits non-zero on any failure.

usage: test_uboot_cmds.py [--firmware build/fw/xenboot.bin] [--workdir build/systest/uboot-cmds]
"""

import argparse
import gzip
import os
import re
import subprocess
import sys

from fs_images import MIB, ext4_image, make_tree, partitioned_disk
from harness import FIRMWARE, Checks, expect, guest_end, labmod, run_in_lab, summary, systest_dir

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab"))
import guestfiles  # noqa: E402
import sample_disk  # noqa: E402

XEN_BOOTARGS = "console=dtuart dtuart=serial0 dom0_mem=512M"
# A uEnv.txt in the form U-Boot's `env import -t` reads (comments, blank lines, name=value).
UENV_TXT = """# uEnv.txt, as written for U-Boot boards
xbt_greeting=hello from uEnv.txt

xbt_bootargs=console=hvc0 xbt=fdt
uenvcmd=echo uenvcmd ran: ${xbt_greeting}
"""
MARKER = "from-the-fit"

# /init of both Linux guests: what /proc/device-tree holds, then power off.
GUEST_INIT = r"""#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
dt=/proc/device-tree
hexof() { [ -e "$1" ] && od -An -tx1 -v "$1" | tr -d ' \n'; }
strs() { [ -e "$1" ] && tr '\0' '|' < "$1"; }
echo "XBT: linux up ($(uname -r))"
echo "XBT: cmdline=[$(cat /proc/cmdline)]"
echo "XBT: xen-bootargs=[$(strs $dt/chosen/xen,xen-bootargs)]"
echo "XBT: module-compatible=[$(strs $dt/chosen/module/compatible)]"
echo "XBT: module-reg=[$(hexof $dt/chosen/module/reg)]"
echo "XBT: initrd-start=[$(hexof $dt/chosen/linux,initrd-start)]"
echo "XBT: initrd-end=[$(hexof $dt/chosen/linux,initrd-end)]"
echo "XBT: marker=[$(strs $dt/xenboot,fit-marker)]"
echo "XBT: done"
poweroff -f
"""


def build_initramfs(work):
    cpio = guestfiles.guest_initramfs(os.path.join(work, "initramfs.cpio"), labmod.lab_dir(), GUEST_INIT,
                                      sample_disk.GUEST_APPLETS)
    path = os.path.join(work, "initramfs.cpio.gz")
    with open(cpio, "rb") as f, open(path, "wb") as out:
        out.write(gzip.compress(f.read(), compresslevel=9, mtime=0))
    return path


def disk_with(work, name, files, size_mib):
    root = os.path.join(work, name + "-root")
    make_tree(root, files)
    img = os.path.join(work, name + ".ext4")
    ext4_image(img, root, size_mib)
    return partitioned_disk(os.path.join(work, name + ".img"), [(img, "83")])


def make_fit(work, image_gz, initrd, dtb):
    its = f"""/dts-v1/;
/ {{
  description = "xenboot lab FIT";
  #address-cells = <1>;
  images {{
    kernel-1 {{ description = "Debian Linux"; data = /incbin/("{image_gz}"); type = "kernel"; arch = "arm64";
               os = "linux"; compression = "gzip"; hash-1 {{ algo = "sha256"; }}; hash-2 {{ algo = "crc32"; }}; }};
    ramdisk-1 {{ data = /incbin/("{initrd}"); type = "ramdisk"; arch = "arm64"; os = "linux";
                compression = "none"; hash-1 {{ algo = "sha256"; }}; }};
    fdt-1 {{ data = /incbin/("{dtb}"); type = "flat_dt"; arch = "arm64"; compression = "none";
            hash-1 {{ algo = "crc32"; }}; }};
  }};
  configurations {{
    default = "conf-1";
    conf-1 {{ kernel = "kernel-1"; ramdisk = "ramdisk-1"; fdt = "fdt-1"; }};
  }};
}};
"""
    with open(os.path.join(work, "lab.its"), "w") as f:
        f.write(its)
    out = os.path.join(work, "lab.itb")
    subprocess.run(["mkimage", "-q", "-f", os.path.join(work, "lab.its"), out], check=True)
    with open(out, "rb") as f:
        return f.read()


def var(checks, c, name):
    c.sendline(f"printenv {name}")
    if not expect(checks, c, f"{name} is set", re.compile(name + r"=(\S+)\r\n")):
        return None
    value = c.last_match.group(1)
    expect(checks, c, f"prompt after printenv {name}", "=> ")
    return value


def dump_tree(checks, c, addr):
    """The packed tree at addr, read back with md.b (header totalsize fixed to the packed size)."""
    c.sendline("fdt header get so off_dt_strings; fdt header get ss size_dt_strings; setexpr n $so + $ss; echo n=$n")
    if not expect(checks, c, "packed size of the tree", re.compile(r"n=(?:0x)?([0-9a-f]+)\r\n")):
        return None
    n = int(c.last_match.group(1), 16)
    expect(checks, c, "prompt after fdt header get", "=> ")
    c.sendline(f"md.b {addr:x} {n:x}")
    if not expect(checks, c, "md.b of the tree", "=> ", 120):
        return None
    data = bytearray()
    for line in c.output().split(f"md.b {addr:x} {n:x}")[-1].splitlines():
        m = re.match(r"([0-9a-f]{8,16}): ((?:[0-9a-f]{2} ?)+)", line)
        if m:
            data += bytes.fromhex(m.group(2).replace(" ", ""))
    data = data[:n]
    checks.check("tree read back whole", len(data) == n and data[:4] == b"\xd0\x0d\xfe\xed", f"{len(data)} of {n}")
    data[4:8] = n.to_bytes(4, "big")
    return bytes(data)


def typed(checks, c, line, name, timeout=30):
    c.sendline(line)
    return expect(checks, c, name, "=> ", timeout)


def guest_fdt(checks, lab, work, state):
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, "fdt guest: prompt", "=> ", 60):
        return
    c.sendline("load pvblock 0:1 ${scriptaddr} /boot/uEnv.txt")
    expect(checks, c, "uEnv.txt loaded", re.compile(r"\d+ bytes read in \d+ ms"), 60)
    expect(checks, c, "prompt after uEnv.txt load", "=> ")
    typed(checks, c, "env import -t ${scriptaddr} ${filesize}", "env import -t of uEnv.txt")
    c.sendline("printenv xbt_greeting")
    expect(checks, c, "uEnv.txt variable imported", "xbt_greeting=hello from uEnv.txt\r\n")
    expect(checks, c, "prompt after printenv xbt_greeting", "=> ")
    c.sendline("run uenvcmd")
    expect(checks, c, "uenvcmd from uEnv.txt runs", "uenvcmd ran: hello from uEnv.txt")
    expect(checks, c, "prompt after run uenvcmd", "=> ")
    ramdisk = var(checks, c, "ramdisk_addr_r")
    # U-Boot boards write the load addresses with 0x, and `reg <... ${dom0_addr} ...>` needs it.
    checks.check("ramdisk_addr_r is written with 0x, as U-Boot boards do", bool(ramdisk) and ramdisk.startswith("0x"),
                 ramdisk)
    c.sendline("fdt addr -c")
    if not expect(checks, c, "fdt addr -c", re.compile(r"Control fdt: ([0-9a-f]+)\r\n")):
        return
    control = int(c.last_match.group(1), 16)
    expect(checks, c, "prompt after fdt addr -c", "=> ")
    tree = dump_tree(checks, c, control)
    if tree:
        dtb = os.path.join(work, "guest.dtb")
        with open(dtb, "wb") as f:
            f.write(tree)
        subprocess.run(["fdtput", "-t", "s", dtb, "/", "xenboot,fit-marker", MARKER], check=True)
        fit = make_fit(work, state["image_gz"], state["initrd"], dtb)
        # Guest 2's disk: rewritten in place (the lab shares it by hard link; dom0
        # copies it when guest 2 starts, after this guest ends).
        fresh = disk_with(work, "fit-new", {"boot/image.itb": fit}, state["fit_disk_mib"])
        with open(fresh, "rb") as src, open(state["fit_disk"], "r+b") as dst:
            data = src.read()
            checks.check("FIT disk same size", len(data) == os.path.getsize(state["fit_disk"]))
            dst.write(data)
        state["fit_ready"] = True

    # The Xen wiki's steps, with the tree "loaded" to ${fdt_addr_r}.
    typed(checks, c, "fdt header get tsize totalsize; cp.b %x ${fdt_addr_r} ${tsize}" % control, "tree copied")
    typed(checks, c, "setenv dom0_addr ${ramdisk_addr_r}", "setenv dom0_addr")
    c.sendline("fdt addr ${fdt_addr_r}")
    expect(checks, c, "fdt addr ${fdt_addr_r}", re.compile(r"Working FDT set to [0-9a-f]+\r\n=> "))
    c.sendline("load pvblock 0:1 ${kernel_addr_r} /boot/Image")
    expect(checks, c, "kernel loaded", re.compile(r"\d+ bytes read in \d+ ms"), 120)
    expect(checks, c, "prompt after kernel load", "=> ")
    c.sendline("load pvblock 0:1 ${dom0_addr} /boot/initrd.img")
    expect(checks, c, "module loaded at dom0_addr", re.compile(r"\d+ bytes read in \d+ ms"), 60)
    expect(checks, c, "prompt after module load", "=> ")
    dom0_addr = var(checks, c, "dom0_addr")
    filesize = var(checks, c, "filesize")
    typed(checks, c, "fdt resize", "fdt resize")
    c.sendline(f'fdt set /chosen xen,xen-bootargs "{XEN_BOOTARGS}"')
    expect(checks, c, "fdt set xen,xen-bootargs", re.compile(r'"\r\n=> '))
    c.sendline("fdt mknod /chosen module")
    expect(checks, c, "fdt mknod /chosen module", "module\r\n=> ")
    c.sendline('fdt set /chosen/module compatible "xen,linux-zimage" "xen,multiboot-module"')
    expect(checks, c, "fdt set compatible", 'module"\r\n=> ')
    c.sendline("fdt set /chosen/module reg <0x0 ${dom0_addr} 0x0 0x${filesize}>")
    if not expect(checks, c, "fdt set reg with ${dom0_addr} and 0x${filesize}", "}>\r\n=> "):
        return
    checks.check("no error from the fdt steps", "fdt set:" not in c.output() and "fdt mknod" + ":" not in c.output(),
                 c.output()[-2000:])
    c.sendline("fdt print /chosen/module")
    expect(checks, c, "fdt print shows the module", "compatible = \"xen,linux-zimage\", \"xen,multiboot-module\"")
    expect(checks, c, "prompt after fdt print", "=> ")
    # The command line is uEnv.txt's xbt_bootargs: imported variables reach the kernel.
    c.sendline('setenv bootargs ${xbt_bootargs}; booti ${kernel_addr_r} ${dom0_addr}:${filesize} ${fdt_addr_r}')
    expect(checks, c, "booti copies the loaded tree with room", re.compile(r"Loading Device Tree to 0x[0-9a-f]+"), 120)
    if not expect(checks, c, "Linux up from the edited tree", "XBT: linux up", 180):
        return
    expect(checks, c, "Linux got the bootargs from uEnv.txt", "XBT: cmdline=[console=hvc0 xbt=fdt]")
    expect(checks, c, "xen,xen-bootargs arrived", f"XBT: xen-bootargs=[{XEN_BOOTARGS}|]")
    expect(checks, c, "module compatible arrived", "XBT: module-compatible=[xen,linux-zimage|xen,multiboot-module|]")
    if not expect(checks, c, "module reg arrived", re.compile(r"XBT: module-reg=\[([0-9a-f]*)\]")):
        return
    reg = c.last_match.group(1)
    if dom0_addr and filesize:
        want = "%08x%08x%08x%08x" % (0, int(dom0_addr, 16), 0, int(filesize, 16))
        checks.check("reg cells = <0 dom0_addr 0 filesize>", reg == want, f"reg {reg}, want {want}")
        expect(checks, c, "initrd-start read", re.compile(r"XBT: initrd-start=\[([0-9a-f]*)\]"))
        checks.check("initrd is the module booti was given",
                     int(c.last_match.group(1) or "0", 16) == int(dom0_addr, 16), c.last_match.group(1))
    expect(checks, c, "fdt guest: init done", "XBT: done")
    reason = guest_end(lab)
    checks.check("fdt guest powered off", reason == "poweroff", f"ended: {reason}")


def guest_fit(checks, lab, state):
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, "FIT guest: prompt", "=> ", 60):
        return
    checks.check("FIT made from the first guest's tree", state.get("fit_ready", False))
    c.sendline("load pvblock 0:1 ${ramdisk_addr_r} /boot/image.itb")
    expect(checks, c, "FIT loaded", re.compile(r"\d+ bytes read in \d+ ms"), 120)
    expect(checks, c, "prompt after FIT load", "=> ")
    c.sendline('setenv bootargs "console=hvc0 xbt=fit"; bootm ${ramdisk_addr_r}')
    expect(checks, c, "bootm: default configuration", "Using 'conf-1' configuration", 60)
    expect(checks, c, "bootm: every hash verified", "Verifying Hash Integrity ... OK (4 hash nodes)", 60)
    expect(checks, c, "bootm: kernel unpacked", re.compile(r"Uncompressing kernel \(gzip\) \.\.\. OK"), 120)
    if not expect(checks, c, "Linux up from the FIT's initramfs", "XBT: linux up", 180):
        return
    expect(checks, c, "Linux got the bootargs (FIT)", "XBT: cmdline=[console=hvc0 xbt=fit]")
    expect(checks, c, "the initrd is the FIT's", re.compile(r"XBT: initrd-start=\[[0-9a-f]{16}\]"))
    expect(checks, c, "the device tree is the FIT's", f"XBT: marker=[{MARKER}|]")
    expect(checks, c, "FIT guest: init done", "XBT: done")
    reason = guest_end(lab)
    checks.check("FIT guest powered off", reason == "poweroff", f"ended: {reason}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--firmware", default=FIRMWARE)
    ap.add_argument("--workdir", default=systest_dir("uboot-cmds"))
    args = ap.parse_args()
    work = args.workdir
    os.makedirs(work, exist_ok=True)
    checks = Checks()
    kernel = os.path.join(labmod.lab_dir(), "Image")
    initrd = build_initramfs(work)
    with open(kernel, "rb") as f:
        image = f.read()
    with open(initrd, "rb") as f:
        initrd_bytes = f.read()
    fdt_disk = disk_with(work, "fdt", {"boot/Image": image, "boot/initrd.img": initrd_bytes,
                                       "boot/uEnv.txt": UENV_TXT.encode()},
                         (len(image) + len(initrd_bytes)) // MIB + 16)
    cache = sample_disk.default_cache_dir()
    os.makedirs(cache, exist_ok=True)
    image_gz = sample_disk._image_gz(kernel, cache)
    fit_mib = (os.path.getsize(image_gz) + len(initrd_bytes)) // MIB + 16
    # A placeholder of the final size: guest 1 writes the real FIT disk over it.
    fit_disk = disk_with(work, "fit", {"boot/placeholder": b"x"}, fit_mib)
    state = {"image_gz": image_gz, "initrd": initrd, "fit_disk": fit_disk, "fit_disk_mib": fit_mib}
    fw = dict(kernel=args.firmware, memory_mib=256, cmdline="bootdelay=-1")
    guests = [labmod.GuestSpec("uboot-fdt", disks=[fdt_disk], **fw),
              labmod.GuestSpec("uboot-fit", disks=[fit_disk], **fw)]

    def body(lab):
        guest_fdt(checks, lab, work, state)
        guest_fit(checks, lab, state)

    seconds = run_in_lab(checks, work, guests, body)
    print(f"whole lab run: {seconds:.1f} s")
    return summary(checks, work)


if __name__ == "__main__":
    sys.exit(main())
