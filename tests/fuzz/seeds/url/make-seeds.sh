#!/usr/bin/env bash
# Seeds for fuzz_url: lines URL, redirect location, bootfile, option 209,
# option 210, UUID, then MAC (6 bytes), a flag byte and the IP (4 bytes).
set -euo pipefail
d=$1
printf 'http://10.9.0.1:8080/boot/Image?x#f\n/new/path\nguests/g1/pxelinux.0\n\npxe/\n9f2b1c8e-0d1a-4a7e-8c1f-2b3c4d5e6f70\n\x00\x16\x3e\x12\x34\x56\x01\xc0\xa8\x01\x64' >"$d/http"
printf '10.9.0.7:/srv/Image\nhttp://example.org/x\n/tftp/pxelinux.0\nconfigs/g.conf\n\n\n' >"$d/legacy"
printf 'http://boot.example/\nhttps://x/\n\n\n\n\n\x02\x00\x00\x00\x00\x01\x01\x0a\x09\x00\x64' >"$d/name"
