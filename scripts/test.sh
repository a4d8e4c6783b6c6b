#!/usr/bin/env bash
# Runs every test xenboot has, from a fresh clone on Debian 12:
#   1. installs what is missing (scripts/install-deps.sh), builds firmware and host tests
#   2. the layering (scripts/check-layers.py), the house style (scripts/check-style.sh:
#      clang-format, clang-tidy), then host unit tests (GoogleTest + ASan/UBSan, against
#      the simulated Xen) through ctest
#   3. libFuzzer targets, FUZZ_SECONDS each (default 30)
#   4. the lab: fetches Debian's arm64 Xen/Linux/busybox and builds dom0 (cached in build/lab)
#   5. system tests: the lab's self-test (Linux DomUs) and xenboot's own under QEMU + Xen
#      (shell, PV disks with MBR/GPT partitions and CRC-checked reads, hush scripts,
#      history and completion), and the user tools: scripts/boot-test and the .deb of
#      scripts/build-deb
# Ends with "N passed, N failed" over the suites; exits non-zero if any failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)
passed=0 failed=0
suite() {  # suite NAME COMMAND...: runs one suite, counts it, keeps going
  local name=$1; shift
  local t0=$(date +%s)
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1)); echo "=== $name: PASS ($(( $(date +%s) - t0 )) s)"
  else
    failed=$((failed + 1)); echo "=== $name: FAIL ($(( $(date +%s) - t0 )) s)"
  fi
}

bash scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }
if ! bash scripts/build.sh; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
suite "layering (includes vs docs/architecture.md)" python3 scripts/check-layers.py
# The firmware's size per component, and a budget it must stay within (README: "Size").
suite "image size" python3 scripts/size-report.py --budget 592000
suite "style" bash scripts/check-style.sh
suite "unit tests" ctest --test-dir build/host --output-on-failure -j2
suite "fuzz" bash scripts/fuzz.sh
if bash tests/system/lab/setup.sh; then
  suite "lab self-test" python3 tests/system/lab/selftest.py
  suite "system test: shell" python3 tests/system/test_shell.py
  suite "system test: pvblock" python3 tests/system/test_pvblock.py
  suite "system test: script" python3 tests/system/test_script.py
  suite "system test: filesystems" python3 tests/system/test_fs.py
  suite "system test: U-Boot commands (fdt, bootm)" python3 tests/system/test_uboot_cmds.py
  suite "system test: boot (main job)" python3 tests/system/test_boot.py
  suite "system test: faults (a backend dies mid-load)" python3 tests/system/test_faults.py
  suite "system test: distro images" python3 tests/system/test_distro.py
  suite "system test: boot-test tool and package" python3 tests/system/test_boot_test_tool.py
  suite "system test: lab network (Linux guest, diskless xenboot)" python3 tests/system/test_net_lab.py
else
  echo "lab setup failed"; failed=$((failed + 1))
fi
echo "test.sh: $(( $(date +%s) - start )) s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
