#!/usr/bin/env python3
"""Checks that the code the first entry runs before the move uses no BSS but the early BSS.

The entry stub's first entry clears only [__bss_start, __bss_early_end) (boot/entry.S
step 3, boot/linker.ld), then calls xenboot_choose_home with the MMU on. Any other BSS
variable it read would hold whatever the RAM held. This walks the firmware's code from
xenboot_choose_home through every direct call and tail call (objdump's disassembly) and
fails on:
  - an address formed with ADRP (how GCC reaches a global in this small-code-model PIE)
    whose 4 KiB page overlaps [__bss_early_end, __bss_end): BSS after the early part;
  - a load through the GOT whose entry points there;
  - an indirect branch or call (BR/BLR), which this check cannot follow, except a
    switch's jump table and the few functions of the fatal path listed in INDIRECT_OK.
__bss_early_end is page-aligned (linker.ld), so a page is exact enough. Stack use is not
an address of a global and is fine: the stacks are set up before the call.
Usage: check-early-bss.py xenboot.elf [objdump] [nm]
"""
import re
import struct
import subprocess
import sys

ROOT = "xenboot_choose_home"
# Functions whose indirect calls are not followed, and why that is safe before the move.
# Their direct calls and their globals are still checked.
INDIRECT_OK = {
    "_ZN2xb5panicEPKcz": "prints only on the fatal console, null until xenboot_main sets it (.data)",
    "_ZN2xb16halt_after_fatalEv": "the fatal console and power control are null until xenboot_main (.data)",
    "_ZN2xb3xen14sched_shutdown": "the XenPort's hypercall (HvcXenPort on the stack)",
    "_ZN2xb12_GLOBAL__N_111ChunkWriter5flushEv": "formatted output to a console: only the fatal console",
}
FUNC_RE = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSN_RE = re.compile(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$")
TARGET_RE = re.compile(r"^([0-9a-f]+) <([^>+]+)(\+0x[0-9a-f]+)?>")
ADRP_RE = re.compile(r"^(x\d+), ([0-9a-f]+) <")
LDR_LO12_RE = re.compile(r"^x\d+, \[(x\d+), #(0x[0-9a-f]+|\d+)\]$")


def symbols(nm, elf):
    out = subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            table[parts[2]] = int(parts[0], 16)
    return table


def got_range(elf):
    """(address, file offset, size) of .got from the ELF64 section headers."""
    with open(elf, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def header(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)

    strtab = header(shstrndx)
    for i in range(shnum):
        h = header(i)
        name_off = strtab[4] + h[0]
        name = data[name_off:data.index(b"\0", name_off)].decode()
        if name == ".got":
            return h[3], h[4], h[5], data
    return None


def disassemble(objdump, elf):
    """{function name: [(address, mnemonic, operands)]} for .text."""
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", "-j", ".text", elf], check=True,
                         capture_output=True, text=True).stdout
    funcs, current = {}, None
    for line in out.splitlines():
        m = FUNC_RE.match(line)
        if m:
            current = funcs.setdefault(m.group(2), [])
            continue
        m = INSN_RE.match(line)
        if m and current is not None:
            current.append((int(m.group(1), 16), m.group(2), m.group(3).split("//")[0].strip()))
    return funcs


def main():
    elf = sys.argv[1]
    objdump = sys.argv[2] if len(sys.argv) > 2 else "aarch64-linux-gnu-objdump"
    nm = sys.argv[3] if len(sys.argv) > 3 else "aarch64-linux-gnu-nm"
    sym = symbols(nm, elf)
    lo, hi = sym["__bss_early_end"], sym["__bss_end"]
    got = got_range(elf)
    funcs = disassemble(objdump, elf)
    if ROOT not in funcs:
        print(f"check-early-bss: no {ROOT} in {elf}", file=sys.stderr)
        return 1

    def late_bss(addr):
        return addr < hi and addr >= lo

    problems, seen, todo = [], set(), [ROOT]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        pages = {}  # register -> ADRP page, for a following GOT load
        recent = []  # the last few instructions, to recognise a jump table
        for addr, op, args in funcs.get(name, []):
            recent = (recent + [(addr, op, args)])[-4:]
            where = f"{name}+0x{addr - funcs[name][0][0]:x}"
            if op in ("bl", "b"):
                m = TARGET_RE.match(args)
                if m and m.group(2) != name:
                    todo.append(m.group(2))
            elif op in ("br", "blr"):
                if op == "br" and any(o == "adr" for _, o, _ in recent):
                    pass  # a switch's jump table: ADR of the case labels, then BR within the function
                elif not any(name.split(".")[0].startswith(k) for k in INDIRECT_OK):
                    problems.append(f"{where}: indirect branch ({op} {args}) cannot be followed")
            elif op == "adrp":
                m = ADRP_RE.match(args)
                page = int(m.group(2), 16)
                pages[m.group(1)] = page
                if page < hi and page + 4096 > lo:
                    problems.append(f"{where}: adrp to page 0x{page:x}, in the BSS the first entry does not clear")
            elif op == "ldr" and got is not None:
                m = LDR_LO12_RE.match(args)
                if m and m.group(1) in pages:
                    target = pages[m.group(1)] + int(m.group(2), 0)
                    got_addr, got_off, got_size, data = got
                    if got_addr <= target < got_addr + got_size:
                        value, = struct.unpack_from("<Q", data, got_off + target - got_addr)
                        if late_bss(value):
                            problems.append(f"{where}: GOT entry 0x{target:x} points into BSS at 0x{value:x}")
    if problems:
        print(f"check-early-bss: {ROOT} (run before BSS is cleared, boot/entry.S) reaches BSS outside "
              f"[__bss_start, __bss_early_end) = [0x{sym['__bss_start']:x}, 0x{lo:x}):", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"check-early-bss: {len(seen)} functions reachable from {ROOT} use no BSS after 0x{lo:x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
