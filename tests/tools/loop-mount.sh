#!/bin/sh
# loop-mount.sh OPTIONS IMAGE DIR: `mount -o loop[,OPTIONS] IMAGE DIR`, tried up to 5 times.
# The test images are mounted by several test processes at once (ctest runs 8 shards in
# parallel), and two mounts can pick the same free loop device: one of them then fails
# with "failed to setup loop device". A short wait and a new try gets another device.
# OPTIONS may be empty ("") for a plain loop mount. Run as root, inside `unshare -m` by the
# callers so that nothing outlives them.
opts=loop${1:+,$1}
img=$2 dir=$3
i=1
while :; do
  if err=$(mount -o "$opts" "$img" "$dir" 2>&1); then exit 0; fi
  [ "$i" -ge 5 ] && break
  i=$((i + 1))
  sleep 0.$(( (i * 37 + $$) % 9 + 1 ))
done
echo "loop-mount.sh: mount -o $opts $img $dir failed 5 times: $err" >&2
exit 1
