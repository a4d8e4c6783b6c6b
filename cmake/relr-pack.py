#!/usr/bin/env python3
"""Packs the firmware's relocations as RELR, in the image file.

    cmake/relr-pack.py ELF BIN        (run by cmake/check-image.sh after objcopy)
    cmake/relr-pack.py --size ELF BIN (prints the packed table's bytes in BIN)

xenboot is a static PIE linked at 0: every word that holds an address needs the load
address added to it (R_AARCH64_RELATIVE, aarch64 psABI "Dynamic relocations"). GNU ld
lists them as RELA entries, 24 bytes per word (~33 KB for ~1,400 words); binutils 2.40
cannot pack them for aarch64 (`-z pack-relative-relocs` is ignored there; it came in
2.41). So this script does what that option does, after the link:

- it checks that every entry of .rela.dyn is R_AARCH64_RELATIVE, at an 8-aligned word of
  the loaded image before the table, and that the image already holds the entry's addend
  at that word (ld applies the link-time value in place: the implicit addend RELR needs);
- it encodes the words' offsets as RELR (the SHT_RELR format of the ELF gABI, from Cary
  Coutant's 2017 generic-abi proposal "Relative relocations"): an even entry is the
  offset of a word to relocate, after which `where` is the next word; an odd entry is a
  bitmap whose bits 1..63 stand for the 63 words from `where` on, after which `where`
  moves on by 63 words;
- it writes the table where .rela.dyn starts (`__reloc_table`, the last thing the
  linker script loads) as a count of entries followed by the entries, checks that
  decoding it gives back exactly the same words, and cuts the image file after it.

boot/entry.S (step 2) reads the table back. The ELF keeps ld's RELA table, for tools.
"""

import struct
import subprocess
import sys

R_AARCH64_RELATIVE = 1027
SHT_RELA = 4
WORD = 8
BITS = 63  # words one bitmap entry covers


def sections(elf):
    """{name: (type, address, file offset, size)} from the ELF64 section headers."""
    with open(elf, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"relr-pack: {elf} is not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    result = {}
    for h in headers:
        name = names[h[0]:names.index(b"\0", h[0])].decode()
        result[name] = (h[1], h[3], h[4], h[5])
    return result, data


def symbol(elf, name, required=True):
    out = subprocess.run(["aarch64-linux-gnu-nm", elf], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    if required:
        sys.exit(f"relr-pack: no symbol {name} in {elf}")
    return None


def encode(offsets):
    """RELR entries for sorted, distinct, 8-aligned offsets."""
    out = []
    i = 0
    while i < len(offsets):
        out.append(offsets[i])
        where = offsets[i] + WORD
        i += 1
        while True:
            bitmap = 0
            while i < len(offsets) and offsets[i] - where < BITS * WORD:
                bitmap |= 1 << ((offsets[i] - where) // WORD + 1)
                i += 1
            if bitmap == 0:
                break
            out.append(bitmap | 1)
            where += BITS * WORD
    return out


def decode(entries):
    """The offsets a RELR table relocates, as the entry stub walks it."""
    offsets = []
    where = 0
    for e in entries:
        if e & 1 == 0:
            offsets.append(e)
            where = e + WORD
            continue
        for bit in range(1, BITS + 1):
            if e >> bit & 1:
                offsets.append(where + (bit - 1) * WORD)
        where += BITS * WORD
    return offsets


def relative_words(elf):
    """The offsets and addends of the RELA table, checked to be relative relocations."""
    secs, data = sections(elf)
    if ".rela.dyn" not in secs:
        return [], []
    kind, _addr, off, size = secs[".rela.dyn"]
    if kind != SHT_RELA or size % 24:
        sys.exit("relr-pack: .rela.dyn is not a RELA table")
    offsets, addends = [], []
    for i in range(size // 24):
        r_offset, r_info, r_addend = struct.unpack_from("<QQq", data, off + i * 24)
        if r_info & 0xFFFFFFFF != R_AARCH64_RELATIVE or r_info >> 32:
            sys.exit(f"relr-pack: relocation {i} at 0x{r_offset:x} is type {r_info & 0xFFFFFFFF}, "
                     "not R_AARCH64_RELATIVE: the entry stub applies only those")
        offsets.append(r_offset)
        addends.append(r_addend)
    return offsets, addends


def pack(elf, bin_path):
    table = symbol(elf, "__reloc_table")
    offsets, addends = relative_words(elf)
    with open(bin_path, "rb") as f:
        image = bytearray(f.read())
    for off, addend in zip(offsets, addends):
        if off % WORD or off + WORD > table:
            sys.exit(f"relr-pack: relocation at 0x{off:x} is not an aligned word before the table (0x{table:x})")
        held, = struct.unpack_from("<q", image, off)
        if held != addend:
            sys.exit(f"relr-pack: the word at 0x{off:x} holds 0x{held:x}, not its addend 0x{addend:x}")
    ordered = sorted(set(offsets))
    if len(ordered) != len(offsets):
        sys.exit("relr-pack: a word is relocated twice")
    entries = encode(ordered)
    if decode(entries) != ordered:
        sys.exit("relr-pack: the RELR table does not decode to the relocations it encodes")
    blob = struct.pack(f"<Q{len(entries)}Q", len(entries), *entries)
    if table + 24 * len(offsets) != len(image):
        sys.exit(f"relr-pack: the RELA table (0x{table:x}, {24 * len(offsets)} bytes) is not the last "
                 f"thing in {bin_path} ({len(image)} bytes): see boot/linker.ld")
    image[table:] = blob
    with open(bin_path, "wb") as f:
        f.write(image)
    print(f"relr-pack: {len(offsets)} relative relocations, {len(offsets) * 24} bytes of RELA -> "
          f"{len(blob)} bytes of RELR")


def packed_size(elf, bin_path):
    """Bytes of the packed table in an image this script has packed (None for an image
    from before RELR, which ships ld's RELA table as is)."""
    table = symbol(elf, "__reloc_table", required=False)
    if table is None:
        return None
    with open(bin_path, "rb") as f:
        f.seek(table)
        count, = struct.unpack("<Q", f.read(8))
    return WORD + WORD * count


def main(argv):
    if len(argv) == 3 and argv[0] == "--size":
        print(packed_size(argv[1], argv[2]))
        return 0
    if len(argv) != 2:
        sys.exit(__doc__)
    pack(argv[0], argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
