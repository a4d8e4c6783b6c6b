#!/usr/bin/env python3
"""What each part of xenboot adds to the firmware image, from the linker's map file.

    scripts/size-report.py [--map build/fw/xenboot.map] [--elf build/fw/xenboot.elf]
                           [--baseline FILE] [--save FILE]

Every input section the linker placed in an output section of the image is charged to
the component it came from: a source folder (`fs/xfs`, `drivers/pvblock`, ...), or a
library from Debian (`libzstd`, `libfdt`, ...), or the linker itself (alignment fill,
relocations for position independence). The table shows, per component, the bytes of
code (.text), read-only data (.rodata, .data.rel.ro), writable data (.data, .got) and
the image file bytes in all, plus the BSS (zeroed at start, not in the file).

With link-time optimisation (-DXENBOOT_LTO=ON) the map names LTO's partitions
(ltrans objects), not source files: their bytes are charged by symbol instead
(SymbolCharges below: the source file the debug information gives for each symbol, code
inlined into a function counted as its caller's, string literals and constants as the
file's whose code takes their address). On a build without LTO, where the map is exact,
--by-symbol charges the objects built here the same way: on main at 9d410fa it put the
v0.1 set at 266,127 bytes against the map's 267,848 (0.6% lower; per component the two
differ by up to 4.5 KB, e.g. commands -4,469, board/xenguest +2,742). Objects outside LTO (Debian's libfdt, liblzo2, libmbedcrypto,
libgcc) are still charged from the map.

The image file is the ELF's loadable sections up to the relocations, which ship packed
as RELR (cmake/relr-pack.py rewrites ld's .rela.dyn in the file; the entry stub applies
them); .bss and debug sections are not in it.

Then a summary by feature: the files that existed when issue 17 measured 338,400 bytes
(the v0.1 set) against its goal of 250,000 bytes, and what each later feature adds
(GRUB, networking, XFS, btrfs, the decoders, later files in v0.1's folders); FEATURES
below says which files belong where and why.

--save FILE writes the per-component totals as JSON; --baseline FILE prints them beside
the current ones, so a change's cost or saving shows per component. --budget BYTES makes
the exit status 1 when the image file is larger: scripts/test.sh sets one, so growth is a
decision, not an accident.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(REPO, "cmake"))
relr_pack = __import__("relr-pack")

# Output sections that are in the image file, and the column each goes to.
COLUMNS = {
    ".text": "code",
    ".rodata": "rodata",
    ".data.rel.ro": "rodata",
    ".got": "data",
    ".data": "data",
    ".dynamic": "link",
    ".dynsym": "link",
    ".dynstr": "link",
    ".gnu.hash": "link",
    ".rela.dyn": "link",
    ".bss": "bss",
    ".stacks": "bss",
}
FILE_COLUMNS = ("code", "rodata", "data", "link")

_OUTPUT = re.compile(r"^(\.[\w.]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)")
# An input section: " .name  0xADDR  0xSIZE  object" on one line, or the name alone on
# one line and the rest on the next (long names).
_INPUT_ONE = re.compile(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
_INPUT_NAME = re.compile(r"^ (\.\S+)$")
_INPUT_REST = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
_FILL = re.compile(r"^ \*fill\*\s+0x[0-9a-f]+\s+0x([0-9a-f]+)")


def component_of(obj):
    """The component an object file belongs to: the source folder of a CMake object
    (`fs/xfs/CMakeFiles/xb_fs.dir/xfs.cpp.obj` -> `fs/xfs`; objects of a component
    built from several folders name the folder in their path below `.dir/`) or the
    library an archive member came from (`.../libzstd.a(zstd_decompress.o)` -> libzstd)."""
    m = re.search(r"([^/]+)\.a\(", obj)
    if m:
        return m.group(1)
    m = re.search(r"CMakeFiles/[^/]+\.dir/(.+)\.(?:obj|o)$", obj)
    if m:
        rel = m.group(1)
        head = obj.split("/CMakeFiles/")[0]
        head = head.split("build/fw/")[-1] if "build/fw/" in head else head
        path = os.path.normpath(os.path.join(head, rel)) if not rel.startswith("__") else head
        # Sources outside the component's own folder appear as __/x/y.
        path = path.replace("__/", "")
        return os.path.dirname(path) or head
    if obj.startswith("(") and obj.endswith(")"):
        return obj  # a row of its own, e.g. "(unattributed)" (SymbolCharges)
    if obj.startswith("linker stubs") or obj == "":
        return "(linker)"
    return "(other: %s)" % os.path.basename(obj)


def charge(obj, column):
    """Who pays for an input section: the relocation and dynamic-linking sections are
    the price of a position-independent image, not of the object the linker lists."""
    return "(relocations)" if column == "link" else component_of(obj)


def built_here(obj):
    """An object LTO would take: a CMake object or an archive built from Debian sources here
    (not the prebuilt libfdt, liblzo2, libmbedcrypto or libgcc)."""
    m = re.search(r"([^/]+)\.a\(", obj)
    return m.group(1) in DEP_LIBS.values() if m else "/CMakeFiles/" in obj


def parse_map(path, by_object=None, resolve=None, all_objects=False):
    """{component: {column: bytes}} from a GNU ld map file; with by_object (a Counter),
    also the image bytes per object file (for the feature summary). resolve(address,
    size) splits a section of a link-time optimisation partition (an ltrans object)
    into [(object, bytes)] by symbol (SymbolCharges); all_objects: also the sections of
    the objects built here, as LTO would have taken them (--by-symbol)."""
    sizes = collections.defaultdict(lambda: collections.Counter())
    if by_object is None:
        by_object = collections.Counter()

    def add(obj, col, size, address=None):
        if resolve is not None and address is not None and col != "link" and (
                ".ltrans" in obj or "(symbol from plugin)" in obj or (all_objects and built_here(obj))):
            for owner, n in resolve(address, size):
                add(owner, col, n)
            return
        sizes[charge(obj, col)][col] += size
        if col in FILE_COLUMNS:
            by_object["(relocations)" if col == "link" else obj] += size
    column = None
    pending = None  # a section name whose size and object follow on the next line
    with open(path, encoding="utf-8", errors="replace") as f:
        in_map = False
        for line in f:
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            line = line.rstrip("\n")
            m = _OUTPUT.match(line)
            if m or (line and not line[0].isspace() and line.startswith(".")):
                name = line.split()[0]
                column = COLUMNS.get(name)
                pending = None
                continue
            if line.startswith("/DISCARD/"):
                column = None
                continue
            if column is None:
                continue
            m = _FILL.match(line)
            if m:
                sizes["(alignment)"][column] += int(m.group(1), 16)
                if column in FILE_COLUMNS:
                    by_object["(alignment)"] += int(m.group(1), 16)
                continue
            if pending is not None:
                m = _INPUT_REST.match(line)
                pending = None
                if m:
                    add(m.group(3).strip(), column, int(m.group(2), 16), int(m.group(1), 16))
                continue
            m = _INPUT_ONE.match(line)
            if m:
                if m.group(1).startswith("*"):
                    continue
                add(m.group(4).strip(), column, int(m.group(3), 16), int(m.group(2), 16))
                continue
            if _INPUT_NAME.match(line):
                pending = line.strip()
    return sizes


# The feature summary. Issue 17 measured the image at 338,400 bytes before GRUB (commit
# 8463938, Dec 5) and asked that the parts that existed then shrink to 250,000 bytes,
# with what each later feature adds shown apart. An object file belongs to the first
# feature whose pattern matches its path (or its library's name); everything else is
# the v0.1 set. A folder that existed at v0.1 may have gained files since (FIT and
# uImage for bootm, sysboot, zboot, hash, time, the boot-method refactor, env import and
# export, fdt get and apply): those are
# counted apart too, as "later files in v0.1 folders", so the v0.1 figure compares like
# with like. gunzip is v0.1 (it lived in loader/ then); the compress/ glue of the other
# decoders is "decoders". The linker's own rows (relocations, alignment, merged
# constants and page padding) and libgcc, libfdt, libz are the v0.1 set's.
V01_GOAL = 250000
FEATURES = [
    ("grub", [r"^loader/grub/", r"^bootflow/grub_(disks|method)\.cpp$"]),
    # Issue 15's network boot also put files into v0.1's folders (bootflow, commands, board).
    ("net/lwIP", [r"^libxb_lwip\.a", r"^net/", r"^drivers/pvnet/", r"^commands/cmd_(net|pvnet|pxe|tftp_wget)\.cpp$",
                  r"^bootflow/(net_boot|pxe_method)\.cpp$", r"^board/xenguest/net_ports\.cpp$"]),
    ("xfs", [r"^fs/xfs/"]),
    ("btrfs", [r"^fs/btrfs/", r"^liblzo2\.a", r"^compress/(inflate_zlib|lzo1x|zstd_frame)\.cpp$",
               r"^lib/crc32c\.cpp$"]),
    ("decoders", [r"^lib(zstd|lz4|lzma)(_decoder)?\.a", r"^compress/decompress(_\w+)?\.cpp$",
                  r"^commands/cmd_unzip\.cpp$"]),
    ("later files in v0.1 folders", [
        r"^bootflow/(boot_image|boot_menu|bootflows|console_fixup|extlinux_method|method_files|script_method)\.cpp$",
        r"^commands/cmd_(bootm|hash|sysboot|time)\.cpp$", r"^loader/(fit|kernel_file|uimage|zboot)\.cpp$",
        r"^lib/sha256\.cpp$", r"^libmbedcrypto\.a", r"^drivers/xen/grant_quarantine\.cpp$",
        # env import/export (shell/env_text) and fdt get/header/rsvmem/apply (fdt/query,
        # and libfdt's overlay code, linked only for `fdt apply`) came after v0.1 too.
        r"^shell/env_text\.cpp$", r"^fdt/query\.cpp$", r"^libfdt\.a\(fdt_overlay\.o\)$"]),
]


def source_of(obj):
    """`fs/xfs/xfs.cpp` for a CMake object, `libzstd_decoder.a(...)` for an archive member."""
    m = re.search(r"([^/]+\.a\(.*)$", obj)
    if m:
        return m.group(1)
    m = re.search(r"/([^/]+)\.(?:obj|o)$", obj)
    return f"{component_of(obj)}/{m.group(1)}" if m else obj


def feature_of(obj):
    source = source_of(obj)
    for name, patterns in FEATURES:
        if any(re.search(p, source) for p in patterns):
            return name
    return "v0.1"


def feature_summary(by_object, file_total):
    """Lines that sum the image bytes per feature, the v0.1 set against its goal."""
    per = collections.Counter()
    for obj, size in by_object.items():
        per[feature_of(obj)] += size
    # What the map does not list per object (merged constants, page padding) is the v0.1 set's.
    per["v0.1"] += file_total - sum(per.values())
    lines = ["", "by feature (image bytes; scripts/size-report.py FEATURES says which files):"]
    v01 = per["v0.1"]
    later = per["later files in v0.1 folders"]
    verdict = "under" if v01 <= V01_GOAL else "over"
    lines.append(f"  {'v0.1 set (files that existed at 338,400 bytes)':<52}{v01:>9}  goal {V01_GOAL}: "
                 f"{verdict} by {abs(v01 - V01_GOAL)}")
    lines.append(f"  {'v0.1 folders with their later files':<52}{v01 + later:>9}")
    for name, _ in FEATURES:
        lines.append(f"  {'+ ' + name:<52}{per[name]:>9}")
    lines.append(f"  {'image (sections)':<52}{file_total:>9}")
    return lines


# Link-time optimisation hands the linker a few ltrans objects instead of the source
# files, so the map cannot say who a byte belongs to. Then (--by-symbol, chosen by
# itself when the map names ltrans objects) each symbol of the ELF is charged to the
# source file its debug information names (`nm -l`: the file of a function's first
# instruction, the declaration of a variable); code inlined into a function is its
# caller's. Bytes no symbol covers (string literals, merged constants) go to the file of
# the function that takes their address (adrp/add in the code); what is still left is
# "(unattributed)", counted in the v0.1 set, so its figure is never flattered.
DEP_LIBS = {"zstd": "libzstd_decoder", "lz4": "liblz4_decoder", "zlib": "libzlib_inflate",
            "xz-utils": "liblzma_decoder", "lwip": "libxb_lwip"}


# The tree the build was made from (its CMakeCache.txt), which the debug information
# names: another worktree's build must not be charged to "(unattributed)".
SOURCE_ROOT = [REPO]


def source_root(build_dir):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return REPO


def object_of_file(path):
    """A source file named by the debug information, as the map would name its object:
    `fs/xfs/xfs.cpp` -> `fs/xfs/CMakeFiles/x.dir/xfs.cpp.obj`, a Debian source ->
    `libzstd_decoder.a(zstd_decompress.c)`, so component_of and feature_of apply."""
    path = os.path.normpath(path)
    m = re.search(r"/deps/src/([A-Za-z0-9_.+-]+?)-[0-9][^/]*/(.*)$", path)
    if m:
        return "%s.a(%s)" % (DEP_LIBS.get(m.group(1), "lib" + m.group(1)), os.path.basename(m.group(2)))
    if path.startswith(SOURCE_ROOT[0] + os.sep):
        rel = os.path.relpath(path, SOURCE_ROOT[0])
        if not rel.startswith("build" + os.sep):
            return "%s/CMakeFiles/x.dir/%s.obj" % (os.path.dirname(rel) or ".", os.path.basename(rel))
    return "(unattributed)"


class SymbolCharges:
    """resolve() for parse_map on a link-time optimised image (see above)."""

    def __init__(self, elf):
        import bisect
        self._bisect = bisect
        out = subprocess.run(["aarch64-linux-gnu-nm", "-l", "-S", "--defined-only", elf], check=True,
                             capture_output=True, text=True).stdout
        symbols = []  # (start, end, object)
        for line in out.splitlines():
            head, _, where = line.partition("\t")
            parts = head.split()
            if len(parts) == 4 and int(parts[1], 16) and where:
                start = int(parts[0], 16)
                symbols.append((start, start + int(parts[1], 16), object_of_file(where.rsplit(":", 1)[0])))
        symbols.sort()
        self.symbols = symbols
        self.starts = [sym[0] for sym in symbols]
        # Who takes the address of what: adrp xN, PAGE then add xM, xN, #OFF.
        dis = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn", elf], check=True,
                             capture_output=True, text=True).stdout
        refs = {}
        pages = {}
        insn = re.compile(r"\s*([0-9a-f]+):\s+(adrp|add)\s+(x\d+), (x\d+|[0-9a-f]+)(?:, #0x([0-9a-f]+))?")
        for line in dis.splitlines():
            m = insn.match(line)
            if not m:
                continue
            if m.group(2) == "adrp":
                pages[m.group(3)] = int(m.group(4), 16)
            elif m.group(4) in pages and m.group(5):
                who = self.owner(int(m.group(1), 16))
                if who is not None:
                    refs.setdefault(pages[m.group(4)] + int(m.group(5), 16), who)
        self.refs = sorted(refs.items())
        self.ref_starts = [r[0] for r in self.refs]

    def owner(self, address):
        i = self._bisect.bisect_right(self.starts, address) - 1
        return self.symbols[i][2] if i >= 0 and address < self.symbols[i][1] else None

    def __call__(self, address, size):
        end = address + size
        charged = collections.Counter()
        pos = address
        i = max(self._bisect.bisect_right(self.starts, address) - 1, 0)
        while pos < end:
            # The symbol that covers pos, else the gap up to the next symbol.
            while i < len(self.symbols) and self.symbols[i][1] <= pos:
                i += 1
            if i < len(self.symbols) and self.symbols[i][0] <= pos:
                stop = min(self.symbols[i][1], end)
                charged[self.symbols[i][2]] += stop - pos
                pos = stop
                continue
            gap_end = min(self.symbols[i][0] if i < len(self.symbols) else end, end)
            # In a gap: each byte to the last referenced address at or before it.
            j = self._bisect.bisect_right(self.ref_starts, pos) - 1
            while pos < gap_end:
                nxt = self.ref_starts[j + 1] if j + 1 < len(self.refs) else gap_end
                stop = min(max(nxt, pos + 1), gap_end)
                who = self.refs[j][1] if j >= 0 else "(unattributed)"
                charged[who] += stop - pos
                pos = stop
                j += 1 if nxt <= pos else 0
        return list(charged.items())


def map_is_lto(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return any(".ltrans" in line for line in f)


def output_sizes(elf):
    """{section: size} of the ELF's sections, to check the map parse against."""
    out = subprocess.run(["aarch64-linux-gnu-size", "-A", elf], check=True, capture_output=True,
                         text=True).stdout
    result = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
            result[parts[0]] = int(parts[1])
    return result


def reconcile(sizes, elf):
    """The map lists mergeable sections (strings, constants) before the linker merged
    them, and leaves out the padding to a page boundary that the W^X layout puts at
    the end of an output section (boot/linker.ld): charge the difference to one
    "(merged, padding)" row, so the columns add up to the ELF's own section sizes."""
    per_column = collections.Counter()
    for name, size in elf.items():
        if name in COLUMNS:
            per_column[COLUMNS[name]] += size
    mapped = collections.Counter()
    for cols in sizes.values():
        mapped.update(cols)
    for column in set(per_column) | set(mapped):
        diff = per_column[column] - mapped[column]
        if diff:
            sizes["(merged, padding)"][column] += diff


def totals(sizes):
    return {comp: sum(cols[c] for c in FILE_COLUMNS) for comp, cols in sizes.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--map", default=os.path.join(REPO, "build", "fw", "xenboot.map"))
    # The ELF and the image of the same link: next to the map unless named.
    ap.add_argument("--elf", help="default: xenboot.elf beside the map")
    ap.add_argument("--bin", help="default: xenboot.bin beside the map")
    ap.add_argument("--by-symbol", action="store_true",
                    help="charge the objects built here by symbol even without LTO (to compare both ways)")
    ap.add_argument("--baseline", help="JSON from an earlier --save: shown beside the figures")
    ap.add_argument("--save", help="write the per-component file bytes as JSON")
    ap.add_argument("--budget", type=int, help="fail (exit 1) if the image file is larger than this")
    args = ap.parse_args(argv)
    # An image from another build (the default --bin once was build/fw's whatever --map
    # said) gave a relocation count read from the wrong file: 344 GB of "data".
    args.elf = args.elf or os.path.join(os.path.dirname(os.path.abspath(args.map)), "xenboot.elf")
    args.bin = args.bin or os.path.join(os.path.dirname(os.path.abspath(args.map)), "xenboot.bin")

    SOURCE_ROOT[0] = source_root(os.path.dirname(os.path.abspath(args.map)))

    by_object = collections.Counter()
    resolve = None
    if map_is_lto(args.map):
        print("(link-time optimised: the partitions' bytes are charged by symbol and debug information)")
        resolve = SymbolCharges(args.elf)
    elif args.by_symbol:
        print("(charged by symbol and debug information, as a link-time optimised image is)")
        resolve = SymbolCharges(args.elf)
    sizes = parse_map(args.map, by_object, resolve, all_objects=args.by_symbol)
    if os.path.exists(args.elf):
        elf = output_sizes(args.elf)
        reconcile(sizes, elf)
        if os.path.exists(args.bin) and ".rela.dyn" in elf:
            # The image file carries the relocations packed as RELR (cmake/relr-pack.py),
            # not ld's RELA table that the map and the ELF list.
            packed = relr_pack.packed_size(args.elf, args.bin)
            if packed is not None and not 8 <= packed <= elf[".rela.dyn"]:
                # RELR never takes more than the RELA table it packs: not this ELF's image.
                sys.exit("size-report: %s does not hold %s's relocations (%d bytes of RELR for %d of RELA)" %
                         (args.bin, args.elf, packed, elf[".rela.dyn"]))
            if packed is not None:
                sizes["(relocations)"]["link"] += packed - elf[".rela.dyn"]
                by_object["(relocations)"] += packed - elf[".rela.dyn"]
    file_total = sum(totals(sizes).values())
    baseline = None
    if args.baseline:
        with open(args.baseline, encoding="utf-8") as f:
            baseline = json.load(f)["components"]

    header = f"{'component':<24}{'code':>9}{'rodata':>9}{'data':>7}{'link':>8}{'image':>9}{'share':>7}{'bss':>9}"
    if baseline is not None:
        header += f"{'before':>9}{'change':>9}"
    print(header)
    rows = sorted(sizes.items(), key=lambda kv: -sum(kv[1][c] for c in FILE_COLUMNS))
    for comp, cols in rows:
        image = sum(cols[c] for c in FILE_COLUMNS)
        if image == 0 and cols["bss"] == 0:
            continue
        line = (f"{comp:<24}{cols['code']:>9}{cols['rodata']:>9}{cols['data']:>7}{cols['link']:>8}"
                f"{image:>9}{100.0 * image / file_total:>6.1f}%{cols['bss']:>9}")
        if baseline is not None:
            before = baseline.get(comp, 0)
            line += f"{before:>9}{image - before:>+9}"
        print(line)
    col_totals = collections.Counter()
    for cols in sizes.values():
        col_totals.update(cols)
    line = (f"{'total':<24}{col_totals['code']:>9}{col_totals['rodata']:>9}{col_totals['data']:>7}"
            f"{col_totals['link']:>8}{file_total:>9}{100.0:>6.1f}%{col_totals['bss']:>9}")
    if baseline is not None:
        before = sum(baseline.values())
        line += f"{before:>9}{file_total - before:>+9}"
    print(line)

    for line in feature_summary(by_object, file_total):
        print(line)

    status = 0
    image_bytes = os.path.getsize(args.bin) if os.path.exists(args.bin) else file_total
    print(f"image file {os.path.basename(args.bin)}: {image_bytes} bytes "
          f"(sections {file_total}, the rest is alignment between sections)")
    if args.budget is not None:
        if image_bytes > args.budget:
            print(f"size-report: the image is {image_bytes} bytes, over its budget of {args.budget} "
                  f"by {image_bytes - args.budget}", file=sys.stderr)
            status = 1
        else:
            print(f"within the budget of {args.budget} bytes ({args.budget - image_bytes} to spare)")
    if args.save:
        with open(args.save, "w", encoding="utf-8") as f:
            json.dump({"components": totals(sizes)}, f, indent=1, sort_keys=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
