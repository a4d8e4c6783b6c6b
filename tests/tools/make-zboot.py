#!/usr/bin/env python3
"""make-zboot.py IMAGE OUT --comp gzip|zstd|xz|lzma|lz4

Wraps an arm64 Image the way Linux's EFI zboot build does (CONFIG_EFI_ZBOOT,
drivers/firmware/efi/libstub/zboot-header.S and Makefile.zboot), for tests of
xenboot's zboot reader (loader/zboot.h):

  - the payload is the Image padded with zeros to its header's image_size
    (offset 16, bss included), as Makefile.zboot's `truncate -s` does;
  - it is compressed by the real tools with the kernel's options:
    gzip -9, zstd --ultra -22, xz --check=crc32 (+ the ARM64 BCJ filter) with a
    32 MiB dictionary, lzma -9, lz4 -l -9;
  - for every method but gzip a LE32 uncompressed size follows the payload and
    is not counted in the header's payload size;
  - the 64-byte header: "MZ", "zimg" at 4, payload offset and size at 8 and 12,
    8 reserved bytes, the compression type string at 0x18 (gzip, zstd22,
    xzkern, lzma, lz4), LINUX_PE_MAGIC at 0x38 and the PE header offset at 0x3c.

THIS IS NOT A RUNNABLE EFI BINARY: the PE header at 0x40 is a bare "PE\\0\\0"
signature and an arm64 COFF header with no sections, and there is no
decompressor stub. Only the fields a non-EFI loader reads are real.
"""
import argparse
import struct
import subprocess
import sys

LINUX_PE_MAGIC = 0x818223CD
PAYLOAD_OFFSET = 0x200  # after the header and the stub PE header

# comp-type-y strings of Makefile.zboot, and the real tools' command lines.
METHODS = {
    "gzip": ("gzip", ["gzip", "-9", "-n", "-c"]),
    "zstd": ("zstd22", ["zstd", "-q", "--ultra", "-22", "-c"]),
    "xz": ("xzkern", ["xz", "-q", "--check=crc32", "--threads=1", "--arm64", "--lzma2=dict=32MiB", "-c"]),
    "lzma": ("lzma", ["lzma", "-q", "-9", "-c"]),
    "lz4": ("lz4", ["lz4", "-q", "-l", "-9", "-c"]),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image")
    ap.add_argument("out")
    ap.add_argument("--comp", required=True, choices=sorted(METHODS))
    args = ap.parse_args()

    with open(args.image, "rb") as f:
        image = f.read()
    if len(image) < 64 or image[0x38:0x3C] != b"ARM\x64":
        sys.exit(f"make-zboot: {args.image}: not an arm64 Image (no ARM\\x64 at 0x38)")
    (image_size,) = struct.unpack_from("<Q", image, 16)
    padded = image + bytes(max(0, image_size - len(image)))

    comp_type, command = METHODS[args.comp]
    payload = subprocess.run(command, input=padded, stdout=subprocess.PIPE, check=True).stdout
    trailer = b"" if args.comp == "gzip" else struct.pack("<I", len(padded))

    header = bytearray(PAYLOAD_OFFSET)
    header[0:4] = b"MZ\0\0"
    header[4:8] = b"zimg"
    struct.pack_into("<II", header, 8, PAYLOAD_OFFSET, len(payload))
    name = comp_type.encode() + b"\0"
    header[0x18 : 0x18 + len(name)] = name
    struct.pack_into("<II", header, 0x38, LINUX_PE_MAGIC, 0x40)
    # "PE\0\0", then a COFF header: machine 0xaa64 (arm64), no sections.
    header[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", header, 0x44, 0xAA64, 0, 0, 0, 0, 0, 0x0206)

    with open(args.out, "wb") as f:
        f.write(bytes(header) + payload + trailer)


if __name__ == "__main__":
    main()
