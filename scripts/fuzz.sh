#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time
# (FUZZ_SECONDS, default 30) from its seeds. Exits non-zero on any finding;
# crashing inputs are kept in build/fuzz/findings/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
seconds=${FUZZ_SECONDS:-30}
cmake --preset fuzz >/dev/null  # clang, XENBOOT_FUZZ=ON, build/fuzz (CMakePresets.json)
# Quiet when it builds; the compiler's errors when it does not.
mkdir -p build/fuzz
if ! cmake --build --preset fuzz >build/fuzz/build.log 2>&1; then
  grep -E -A3 "error|FAILED" build/fuzz/build.log | head -60
  echo "fuzz: the fuzz targets did not build (whole log: build/fuzz/build.log)"
  exit 1
fi
mkdir -p build/fuzz/findings build/fuzz/corpus
# Seed device trees are kept as source and compiled here.
mkdir -p build/fuzz/corpus/fuzz_device_tree
for dts in tests/fuzz/seeds/device_tree/*.dts; do
  dtc -q -I dts -O dtb -o "build/fuzz/corpus/fuzz_device_tree/$(basename "$dts" .dts).dtb" "$dts"
done
cp tests/fuzz/seeds/regressions/dt-*.dtb build/fuzz/corpus/fuzz_device_tree/
# Inputs that once failed a target are kept as seeds: regressions/<target without fuzz_>-*.
mkdir -p build/fuzz/corpus/fuzz_decompress
cp tests/fuzz/seeds/regressions/decompress-*.bin build/fuzz/corpus/fuzz_decompress/
mkdir -p build/fuzz/corpus/fuzz_fit
cp tests/fuzz/seeds/regressions/fit-*.bin build/fuzz/corpus/fuzz_fit/
# Seed disk images are kept as partitioning scripts and made here: *.sfdisk by
# sfdisk (512-byte sectors), *.fdisk4k as keystrokes for fdisk -b 4096; the
# first line "# size: N" is the image size.
for kind in mbr gpt; do
  mkdir -p "build/fuzz/corpus/fuzz_$kind"
  for seed in tests/fuzz/seeds/$kind/*; do
    img="build/fuzz/corpus/fuzz_$kind/$(basename "$seed").img"
    rm -f "$img" && truncate -s "$(sed -n '1s/^# size: //p' "$seed")" "$img"
    case "$seed" in
      *.sfdisk) PATH=$PATH:/usr/sbin:/sbin sfdisk -q "$img" <"$seed" >/dev/null ;;
      *.fdisk4k) grep -v '^#' "$seed" | PATH=$PATH:/usr/sbin:/sbin fdisk -b 4096 "$img" >/dev/null ;;
    esac
  done
done
passed=0 failed=0
# Every tests/fuzz/fuzz_*.cpp is a target. A target's extra seeds come from
# tests/fuzz/seeds/<name without fuzz_>/make-seeds.sh when there is one (it gets
# the corpus directory as its argument).
for source in tests/fuzz/fuzz_*.cpp; do
  target=$(basename "$source" .cpp)
  maker="tests/fuzz/seeds/${target#fuzz_}/make-seeds.sh"
  if [ -x "$maker" ]; then mkdir -p "build/fuzz/corpus/$target" && "$maker" "build/fuzz/corpus/$target"; fi
  mkdir -p "build/fuzz/corpus/$target"
  if build/fuzz/tests/fuzz/$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build/fuzz/findings/$target-" "build/fuzz/corpus/$target" \
       >"build/fuzz/$target.log" 2>&1; then
    echo "fuzz: $target: $(grep -E '^Done' "build/fuzz/$target.log" | tail -1)"
    passed=$((passed + 1))
  else
    echo "fuzz: $target FAILED; see build/fuzz/$target.log and build/fuzz/findings/" >&2
    tail -30 "build/fuzz/$target.log" >&2
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
