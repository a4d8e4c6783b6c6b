#!/usr/bin/env bash
# Seeds for fuzz_tftp_packets: a 5-byte header (target size, block size
# choice, window, flags) then steps (control byte, 16-bit length, datagram):
# an option-less server, a windowed transfer with reordering, a stranger and
# a timeout, a server ERROR, and block numbers past a tiny-block rollover.
set -euo pipefail
python3 - "$1" <<'PY'
import struct, sys
d = sys.argv[1] + '/'
def step(ctrl, pkt): return bytes([ctrl]) + struct.pack('>H', len(pkt)) + pkt
def data(n, payload): return struct.pack('>HH', 3, n & 0xffff) + payload
def oack(opts): return struct.pack('>H', 6) + b''.join(k.encode() + b'\0' + str(v).encode() + b'\0' for k, v in opts)
def hdr(dest, bs, win, flags): return struct.pack('>H', dest) + bytes([bs, win, flags])
open(d + 'optionless', 'wb').write(hdr(0x1000, 0, 0, 3) + step(0, data(1, b'A' * 512)) + step(0, data(2, b'B' * 100)))
open(d + 'oack-window', 'wb').write(
    hdr(0x4000, 3, 3, 3) + step(0, oack([('blksize', 1024), ('windowsize', 4), ('timeout', 5), ('tsize', 3000)])) +
    step(0, data(1, b'a' * 1024)) + step(0, data(3, b'c' * 1024)) + step(0, data(2, b'b' * 1024)) +
    step(1, data(3, b'x' * 1024)) + step(4, b'') + step(0, data(3, b'c' * 952)))
open(d + 'error', 'wb').write(hdr(0x100, 2, 0, 1) + step(0, struct.pack('>HH', 5, 1) + b'File not found\0'))
open(d + 'tiny-rollover', 'wb').write(
    hdr(0xffff, 1, 63, 0) + step(0, oack([('blksize', 8), ('windowsize', 64)])) +
    b''.join(step(0, data(i, bytes([i & 0xff]) * 8)) for i in range(1, 300)) + step(0, data(300, b'')))
PY
