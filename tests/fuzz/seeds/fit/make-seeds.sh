#!/usr/bin/env bash
# Seeds for fuzz_fit: FIT images made by mkimage (u-boot-tools) from a small
# synthetic Image, initrd and dtc-compiled tree: embedded data with sha256 and
# crc32 hashes, and external data (-E). The first byte picks the
# configuration (0: default). Skipped when mkimage or dtc is missing.
set -euo pipefail
out=$1
command -v mkimage >/dev/null && command -v dtc >/dev/null || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 4096 /dev/zero | tr '\0' 'K' >"$tmp/Image"
gzip -n -9 -k "$tmp/Image"
head -c 1024 /dev/zero | tr '\0' 'R' >"$tmp/initrd"
echo '/dts-v1/; / { chosen { bootargs = "seed"; }; };' | dtc -q -I dts -O dtb -o "$tmp/t.dtb" -
cat >"$tmp/f.its" <<'ITS'
/dts-v1/;
/ {
  description = "seed";
  #address-cells = <1>;
  images {
    kernel-1 { data = /incbin/("Image.gz"); type = "kernel"; arch = "arm64"; os = "linux"; compression = "gzip";
               load = <0x40200000>; entry = <0x40200000>; hash-1 { algo = "sha256"; }; hash-2 { algo = "crc32"; }; };
    ramdisk-1 { data = /incbin/("initrd"); type = "ramdisk"; arch = "arm64"; os = "linux"; compression = "none";
                hash-1 { algo = "crc32"; }; };
    fdt-1 { data = /incbin/("t.dtb"); type = "flat_dt"; arch = "arm64"; compression = "none";
            hash-1 { algo = "sha256"; }; };
  };
  configurations {
    default = "conf-1";
    conf-1 { kernel = "kernel-1"; ramdisk = "ramdisk-1"; fdt = "fdt-1"; };
    conf-2 { kernel = "kernel-1"; };
  };
};
ITS
(cd "$tmp" && mkimage -q -f f.its embedded.itb && mkimage -q -E -f f.its external.itb)
{ printf '\x00'; cat "$tmp/embedded.itb"; } >"$out/embedded.fit"
{ printf '\x02'; cat "$tmp/embedded.itb"; } >"$out/embedded-conf2.fit"
{ printf '\x00'; cat "$tmp/external.itb"; } >"$out/external.fit"
